import { emitNodeDeviceXml, NodeDeviceView } from './nodedev-xml';
import { codecErrorOf } from './test-helpers';

// The 82576 of the RHBZ#688673 host: PF 0000:01:00.0 behind root port 0000:00:01.0, VF 0000:01:10.0.
const vf: NodeDeviceView = {
  bdf: '0000:01:10.0',
  vendorId: 0x8086,
  deviceId: 0x10ca,
  vendorName: 'Intel Corporation',
  productName: '82576 Virtual Function',
  classCode: 0x020000,
  driver: 'pciback',
  parentBdf: '0000:01:00.0',
  upstreamBridges: ['0000:00:01.0'],
  physFn: '0000:01:00.0',
  iommuGroup: { number: 19, members: ['0000:01:10.0'] },
  capabilities: ['msix', 'pcie'],
  pciExpressLinks: [
    { validity: 'cap', port: 0, speed: 2.5, width: 4 },
    { validity: 'sta', speed: 2.5, width: 4 },
  ],
};

const pf: NodeDeviceView = {
  bdf: '0000:01:00.0',
  vendorId: 0x8086,
  deviceId: 0x10c9,
  vendorName: 'Intel Corporation',
  productName: '82576 Gigabit Network Connection',
  classCode: 0x020000,
  driver: 'igb',
  parentBdf: '0000:00:01.0',
  upstreamBridges: ['0000:00:01.0'],
  maxVfs: 7,
  virtFns: ['0000:01:10.0', '0000:01:10.2'],
  iommuGroup: { number: 18, members: ['0000:01:00.0', '0000:01:00.1'] },
  capabilities: ['pm', 'msi', 'msix', 'pcie', 'sriov'],
};

describe('emitNodeDeviceXml: virsh nodedev-dumpxml for a PCI function', () => {
  it('a VF bound to pciback: phys_function, iommuGroup, pci-express links', () => {
    expect(emitNodeDeviceXml(vf)).toBe(`<device>
  <name>pci_0000_01_10_0</name>
  <path>/sys/devices/pci0000:00/0000:00:01.0/0000:01:10.0</path>
  <parent>pci_0000_01_00_0</parent>
  <driver>
    <name>pciback</name>
  </driver>
  <capability type='pci'>
    <class>0x020000</class>
    <domain>0</domain>
    <bus>1</bus>
    <slot>16</slot>
    <function>0</function>
    <product id='0x10ca'>82576 Virtual Function</product>
    <vendor id='0x8086'>Intel Corporation</vendor>
    <capability type='phys_function'>
      <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </capability>
    <iommuGroup number='19'>
      <address domain='0x0000' bus='0x01' slot='0x10' function='0x0'/>
    </iommuGroup>
    <pci-express>
      <link validity='cap' port='0' speed='2.5' width='4'/>
      <link validity='sta' speed='2.5' width='4'/>
    </pci-express>
  </capability>
</device>
`);
  });

  it('a PF: virt_functions with maxCount and the enabled VFs', () => {
    const xml = emitNodeDeviceXml(pf);
    expect(xml).toContain(`<capability type='virt_functions' maxCount='7'>
      <address domain='0x0000' bus='0x01' slot='0x10' function='0x0'/>
      <address domain='0x0000' bus='0x01' slot='0x10' function='0x2'/>
    </capability>`);
    expect(xml).not.toContain('phys_function');
    expect(xml).toContain(`<iommuGroup number='18'>
      <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
      <address domain='0x0000' bus='0x01' slot='0x00' function='0x1'/>
    </iommuGroup>`);
    expect(xml).toContain('<pci-express/>');
  });

  it('a PF with SR-IOV but no VFs enabled yet, and a non-SR-IOV device', () => {
    expect(emitNodeDeviceXml({ ...pf, virtFns: [] })).toContain(
      `<capability type='virt_functions' maxCount='7'/>`,
    );
    const plain = emitNodeDeviceXml({
      ...pf,
      maxVfs: undefined,
      virtFns: undefined,
      capabilities: ['msi'],
    });
    expect(plain).not.toContain('virt_functions');
    expect(plain).not.toContain('pci-express');
  });

  it('a root-bus bridge: parent computer, pci-bridge capability, no driver when unbound', () => {
    const xml = emitNodeDeviceXml({
      bdf: '00:01.0',
      vendorId: 0x8086,
      deviceId: 0x3408,
      classCode: 0x060400,
      capabilities: ['pcie'],
    });
    expect(xml).toContain('<name>pci_0000_00_01_0</name>');
    expect(xml).toContain('<path>/sys/devices/pci0000:00/0000:00:01.0</path>');
    expect(xml).toContain('<parent>computer</parent>');
    expect(xml).toContain(`<capability type='pci-bridge'/>`);
    expect(xml).not.toContain('<driver>');
    expect(xml).toContain(`<product id='0x3408'/>`);
  });

  it('lists the device itself when its IOMMU group has no members given (the schema needs one)', () => {
    expect(emitNodeDeviceXml({ ...vf, iommuGroup: { number: 3, members: [] } }))
      .toContain(`<iommuGroup number='3'>
      <address domain='0x0000' bus='0x01' slot='0x10' function='0x0'/>
    </iommuGroup>`);
  });

  it('escapes names', () => {
    expect(emitNodeDeviceXml({ ...vf, vendorName: 'AT&T <Labs>' })).toContain(
      `<vendor id='0x8086'>AT&amp;T &lt;Labs&gt;</vendor>`,
    );
  });

  it.each([
    [{ bdf: '01:10' }, 'bdf', "invalid PCI address '01:10': expected [DDDD:]BB:DD.F"],
    [{ vendorId: 0x10000 }, 'vendorId', 'vendorId must be an integer from 0 to 0xffff, got 65536'],
    [{ classCode: -1 }, 'classCode', 'classCode must be an integer from 0 to 0xffffff, got -1'],
    [
      { physFn: '0000:01:00.8' },
      'physFn',
      "invalid PCI address '0000:01:00.8': function 0x8 is out of range (at most 0x7)",
    ],
    [
      { virtFns: ['01:10.0', 'x'] },
      'virtFns[1]',
      "invalid PCI address 'x': expected [DDDD:]BB:DD.F",
    ],
    [{ driver: 'igb vf' }, 'driver', "invalid driver name 'igb vf'"],
  ] as const)('refuses %j (%s)', (patch, path, reason) => {
    const err = codecErrorOf(() => emitNodeDeviceXml({ ...vf, ...patch } as NodeDeviceView));
    expect([err.code, err.path, err.reason]).toEqual(['invalid-config', path, reason]);
  });
});
