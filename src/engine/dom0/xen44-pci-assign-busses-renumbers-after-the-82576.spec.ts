// Seed 003: "+-01.1-[02-03]--+-[0000:03]-+-10.0 ... 11.5  Intel Corporation 82576 Virtual Function" —
// pci=assign-busses makes room for the VFs right after the PF's bus and shifts everything after it.
import { getDevice, listDevices } from '../queries';
import { createWith } from '../testing/fixtures2';

describe('pci=assign-busses on the seed 003 board (pvops dom0, ARI)', () => {
  const d = createWith('xen44-assign-busses', 'xen-4.4-linux-3.13');

  it('root port 00:01.1 spans 02-03; the 14 VFs sit on bus 03 at 10.0 … 11.5 (First VF Offset 0x180)', () => {
    expect(getDevice(d.state, '0000:00:01.1').bridgeBuses).toEqual({
      primary: 0,
      secondary: 2,
      subordinate: 3,
    });
    const vfs = listDevices(d.state)
      .filter((x) => x.physfn !== null)
      .map((x) => x.bdf);
    expect(vfs).toHaveLength(14);
    expect(vfs[0]).toBe('0000:03:10.0');
    expect(vfs).toContain('0000:03:11.5');
    expect(getDevice(d.state, '0000:02:00.0').sriov?.vfOffset).toBe(0x180);
  });

  it('the I210 moves to 05:00.0, the Tundra to 06:00.0 (07-08), its bridge to 07:01.0, the HBA to 08:00.0', () => {
    expect(getDevice(d.state, '0000:05:00.0').name).toContain('I210');
    expect(getDevice(d.state, '0000:06:00.0').bridgeBuses).toEqual({
      primary: 6,
      secondary: 7,
      subordinate: 8,
    });
    expect(getDevice(d.state, '0000:07:01.0').bridgeBuses).toEqual({
      primary: 7,
      secondary: 8,
      subordinate: 8,
    });
    expect(getDevice(d.state, '0000:08:00.0').name).toContain('ISP2422');
  });

  it('without pci=assign-busses the firmware left no bus for the VFs: igb cannot enable them', () => {
    const plain = createWith('xen44-assign-busses', 'xen-4.4-linux-3.13');
    plain.run({ type: 'host.reboot', boot: { dom0: '' } });
    expect(listDevices(plain.state).some((x) => x.physfn !== null)).toBe(false);
    expect(plain.lines()).toContain(
      "dom0: igb 0000:02:00.0: can't enable 7 VFs (bus 03 out of range of [bus 02-02])",
    );
    expect(getDevice(plain.state, '0000:05:00.0').name).toContain('Tundra');
  });
});
