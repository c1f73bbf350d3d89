// The engine's devices as node devices, and their libvirt nodedev XML checked by libvirt's own schema
// (virt-xml-validate, skipped with a note when it is not installed).
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { apply, createHost, listDevices, type HostState } from '../engine';
import { emitNodeDeviceXml } from '../libvirt';
import type { NodeDevice } from './inventory.models';
import { toNodeDevices, toNodeDeviceView } from './node-device';

const onPath = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const missing = ['virt-xml-validate', 'xmllint'].filter((cmd) => !onPath(cmd));
const NOTE =
  `SKIPPED nodedev schema validation: ${missing.join(' and ')} not found ` +
  `(Debian: apt-get install -y libvirt-clients libxml2-utils)`;
if (missing.length) console.warn(NOTE);

function host(template = 'rhbz688673'): HostState {
  return createHost({ type: 'host.create', name: 'lab', template }).state;
}

function byBdf(devices: NodeDevice[], bdf: string): NodeDevice {
  const d = devices.find((x) => x.bdf === bdf);
  if (!d) throw new Error(`no ${bdf}`);
  return d;
}

describe('node devices of the RHBZ#688673 host', () => {
  const devices = toNodeDevices(listDevices(host()));

  it('shows the VF with its PF as parent, vendor and product apart', () => {
    expect(byBdf(devices, '0000:01:10.0')).toMatchObject({
      name: 'pci_0000_01_10_0',
      vendor: '8086',
      device: '10ca',
      vendorName: 'Intel Corporation',
      productName: '82576 Virtual Function',
      className: 'Ethernet controller',
      caps: ['pci', 'sriov_vf'],
      parent: '0000:01:00.0',
      parentBridge: '0000:00:01.0',
      upstreamBridges: ['0000:00:01.0'],
      physFunction: '0000:01:00.0',
      virtFunctions: [],
      driver: 'igbvf',
    });
  });

  it('shows the PF with its VFs, the root port as a bridge with its buses', () => {
    expect(byBdf(devices, '0000:01:00.0')).toMatchObject({
      caps: ['pci', 'sriov_pf'],
      virtFunctions: ['0000:01:10.0'],
      sriov: { totalVfs: 8, numVfs: 1 },
      parent: '0000:00:01.0',
    });
    expect(byBdf(devices, '0000:00:01.0')).toMatchObject({
      caps: ['pci', 'bridge'],
      bridgeBuses: { primary: 0, secondary: 1, subordinate: 1 },
      parent: null,
      upstreamBridges: [],
    });
  });

  it('lists each IOMMU group with its members', () => {
    for (const d of devices) {
      expect(d.iommuGroup?.members).toContain(d.bdf);
      const peers = devices.filter((x) => x.iommuGroup?.number === d.iommuGroup?.number);
      expect(d.iommuGroup?.members).toEqual(peers.map((x) => x.bdf));
    }
  });

  it('renders phys_function, virt_functions, pci-bridge and iommuGroup in the XML', () => {
    const vf = emitNodeDeviceXml(toNodeDeviceView(byBdf(devices, '0000:01:10.0')));
    expect(vf).toContain('<name>pci_0000_01_10_0</name>');
    expect(vf).toContain('<parent>pci_0000_00_01_0</parent>');
    expect(vf).toContain('<path>/sys/devices/pci0000:00/0000:00:01.0/0000:01:10.0</path>');
    expect(vf).toMatch(
      /<capability type='phys_function'>\s*<address domain='0x0000' bus='0x01' slot='0x00' function='0x0'\/>/,
    );
    expect(vf).toMatch(/<iommuGroup number='\d+'>/);
    expect(vf).toContain("<product id='0x10ca'>82576 Virtual Function</product>");
    expect(vf).toContain("<vendor id='0x8086'>Intel Corporation</vendor>");
    const pf = emitNodeDeviceXml(toNodeDeviceView(byBdf(devices, '0000:01:00.0')));
    expect(pf).toMatch(
      /<capability type='virt_functions' maxCount='8'>\s*<address domain='0x0000' bus='0x01' slot='0x10' function='0x0'\/>/,
    );
    const rp = emitNodeDeviceXml(toNodeDeviceView(byBdf(devices, '0000:00:01.0')));
    expect(rp).toContain("<capability type='pci-bridge'/>");
    expect(rp).toContain('<parent>computer</parent>');
  });
});

if (missing.length) it.skip(NOTE, () => undefined);

(missing.length ? describe.skip : describe)('nodedev XML against libvirt nodedev.rng', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ptlab-nodedev-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const validate = (xml: string, file: string): string => {
    writeFileSync(join(dir, file), xml);
    const r = spawnSync('virt-xml-validate', [join(dir, file), 'nodedev'], { encoding: 'utf8' });
    const out = `${r.stdout}${r.stderr}`;
    if (r.status !== 0) throw new Error(`virt-xml-validate refused ${file}:\n${out}\n${xml}`);
    return out;
  };

  it('refuses a broken nodedev (the check can fail)', () => {
    writeFileSync(join(dir, 'bad.xml'), '<device><name>x</name><bogus/></device>\n');
    const r = spawnSync('virt-xml-validate', [join(dir, 'bad.xml'), 'nodedev'], {
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
  });

  it.each(['rhbz688673', 'rhbz688673-two-vfs'])('accepts every device of %s', (template) => {
    let state = host(template);
    // A VF seized by pciback as well (driver pciback).
    const vf = listDevices(state).find((d) => d.physfn !== null);
    if (!vf) throw new Error('template without VFs');
    state = apply(state, { type: 'device.detach', bdf: vf.bdf }).state;
    const devices = toNodeDevices(listDevices(state));
    expect(byBdf(devices, vf.bdf).driver).toBe('pciback');
    for (const d of devices)
      expect(validate(emitNodeDeviceXml(toNodeDeviceView(d)), `${d.name}.xml`)).toContain(
        'validates',
      );
  });
});
