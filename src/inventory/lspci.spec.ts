// lspci's text as pciutils prints it, on the engine's own device lists and on hand-made topologies that
// exercise ls-tree.c's corners (bus ranges, empty bridges, single devices, several root buses).
import { createHost, listDevices } from '../engine';
import { lspciLine, lspciList, lspciTree, type LspciDevice } from './lspci';

const hostDevices = (template: string): LspciDevice[] =>
  listDevices(createHost({ type: 'host.create', name: 'lab', template }).state);

const dev = (bdf: string, over: Partial<LspciDevice> = {}): LspciDevice => ({
  bdf,
  vendor: '8086',
  device: '10ca',
  classCode: '020000',
  revision: '01',
  name: 'Intel Corporation 82576 Virtual Function',
  bridgeBuses: null,
  ...over,
});

const bridge = (bdf: string, primary: number, secondary: number, subordinate: number) =>
  dev(bdf, {
    device: '3408',
    classCode: '060400',
    revision: '13',
    name: 'Intel Corporation 5520/5500/X58 I/O Hub PCI Express Root Port',
    bridgeBuses: { primary, secondary, subordinate },
  });

describe('lspci -D and lspci -nn -D', () => {
  it('prints the RHBZ#688673 host like lspci -D', () => {
    expect(lspciList(hostDevices('rhbz688673'))).toBe(
      [
        '0000:00:00.0 Host bridge: Intel Corporation 5520 I/O Hub to ESI Port (rev 13)',
        '0000:00:01.0 PCI bridge: Intel Corporation 5520/5500/X58 I/O Hub PCI Express Root Port (rev 13)',
        '0000:01:00.0 Ethernet controller: Intel Corporation 82576 Gigabit Network Connection (rev 01)',
        '0000:01:00.1 Ethernet controller: Intel Corporation 82576 Gigabit Network Connection (rev 01)',
        '0000:01:10.0 Ethernet controller: Intel Corporation 82576 Virtual Function (rev 01)',
        '0000:01:10.1 Ethernet controller: Intel Corporation 82576 Virtual Function (rev 01)',
        '',
      ].join('\n'),
    );
  });

  it('adds class and vendor:device ids with -nn', () => {
    const lines = lspciList(hostDevices('rhbz688673'), { nn: true }).split('\n');
    expect(lines).toContain(
      '0000:01:10.0 Ethernet controller [0200]: Intel Corporation 82576 Virtual Function [8086:10ca] (rev 01)',
    );
    expect(lines).toContain(
      '0000:00:01.0 PCI bridge [0604]: Intel Corporation 5520/5500/X58 I/O Hub PCI Express Root Port [8086:3408] (rev 13)',
    );
  });

  it('omits a zero revision and names unknown classes as pciutils does', () => {
    expect(lspciLine(dev('0000:02:00.0', { revision: '00' }))).toBe(
      '0000:02:00.0 Ethernet controller: Intel Corporation 82576 Virtual Function',
    );
    expect(lspciLine(dev('0000:02:00.0', { classCode: '028000' }), { nn: true })).toBe(
      '0000:02:00.0 Network controller [0280]: Intel Corporation 82576 Virtual Function [8086:10ca] (rev 01)',
    );
    expect(lspciLine(dev('0000:02:00.0', { classCode: 'ee0100' }))).toMatch(
      /^0000:02:00\.0 Class ee01: /,
    );
  });

  it('sorts by domain, bus, device and function whatever the input order', () => {
    const text = lspciList([dev('0000:02:00.1'), dev('0000:01:10.0'), dev('0000:02:00.0')]);
    expect(text.split('\n').map((l) => l.slice(0, 12))).toEqual([
      '0000:01:10.0',
      '0000:02:00.0',
      '0000:02:00.1',
      '',
    ]);
  });
});

describe('lspci -tv', () => {
  it('draws the RHBZ#688673 host: VFs on the PF bus behind the root port', () => {
    expect(lspciTree(hostDevices('rhbz688673'))).toBe(
      [
        '-[0000:00]-+-00.0  Intel Corporation 5520 I/O Hub to ESI Port',
        '           \\-01.0-[01]--+-00.0  Intel Corporation 82576 Gigabit Network Connection',
        '                        +-00.1  Intel Corporation 82576 Gigabit Network Connection',
        '                        +-10.0  Intel Corporation 82576 Virtual Function',
        '                        \\-10.1  Intel Corporation 82576 Virtual Function',
        '',
      ].join('\n'),
    );
  });

  it('continues the branch of a bridge that is not the last on its bus with |', () => {
    expect(lspciTree(hostDevices('rhbz688673-two-vfs'), { nn: true })).toBe(
      [
        '-[0000:00]-+-00.0  Intel Corporation 5520 I/O Hub to ESI Port [8086:3406]',
        '           +-03.0-[05]--+-00.0  Intel Corporation 82576 Gigabit Network Connection [8086:10c9]',
        '           |            +-00.1  Intel Corporation 82576 Gigabit Network Connection [8086:10c9]',
        '           |            +-10.0  Intel Corporation 82576 Virtual Function [8086:10ca]',
        '           |            \\-10.1  Intel Corporation 82576 Virtual Function [8086:10ca]',
        '           \\-07.0-[09]--+-00.0  Intel Corporation 82576 Gigabit Network Connection [8086:10c9]',
        '                        +-00.1  Intel Corporation 82576 Gigabit Network Connection [8086:10c9]',
        '                        +-10.0  Intel Corporation 82576 Virtual Function [8086:10ca]',
        '                        \\-10.1  Intel Corporation 82576 Virtual Function [8086:10ca]',
        '',
      ].join('\n'),
    );
  });

  it('draws bus ranges, nested bridges, an empty bridge and a lone device', () => {
    const text = lspciTree([
      dev('0000:00:00.0', { name: 'Host', classCode: '060000' }),
      bridge('0000:00:01.0', 0, 2, 3),
      bridge('0000:00:02.0', 0, 4, 4),
      bridge('0000:02:00.0', 2, 3, 3),
      dev('0000:03:00.0', { name: 'Leaf' }),
    ]);
    expect(text).toBe(
      [
        '-[0000:00]-+-00.0  Host',
        '           +-01.0-[02-03]----00.0-[03]----00.0  Leaf',
        '           \\-02.0-[04]--',
        '',
      ].join('\n'),
    );
  });

  it('lists several root buses from the highest down, as new_bus() links them', () => {
    const text = lspciTree([
      dev('0000:00:00.0', { name: 'Low' }),
      dev('0000:80:00.0', { name: 'High' }),
      dev('0000:80:01.0', { name: 'High 2' }),
    ]);
    expect(text).toBe(
      [
        '-+-[0000:80]-+-00.0  High',
        ' |           \\-01.0  High 2',
        ' \\-[0000:00]---00.0  Low',
        '',
      ].join('\n'),
    );
  });

  it('prints nothing for a host without devices', () => {
    expect(lspciTree([])).toBe('');
    expect(lspciList([])).toBe('');
  });
});
