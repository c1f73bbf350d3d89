import { emitHostdevXml, hostdevConfigOf, parseHostdevXml } from './domain-xml';
import { codecErrorOf } from './test-helpers';

describe('parseHostdevXml: virsh attach-device bodies', () => {
  it('reads a managed Xen hostdev with writeFiltering and a guest slot', () => {
    const xml = `<hostdev mode='subsystem' type='pci' managed='yes'>
  <driver name='xen'/>
  <source writeFiltering='no'>
    <address domain='0x0000' bus='0x01' slot='0x10' function='0x0'/>
  </source>
  <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>
</hostdev>`;
    expect(parseHostdevXml(xml)).toEqual({
      bdf: '0000:01:10.0',
      permissive: true,
      driver: 'xen',
      managed: true,
      vslot: 7,
    });
  });

  it('takes either driver when no domain says which hypervisor (the API checks it against the host)', () => {
    const body = (driver: string) =>
      `<hostdev mode='subsystem' type='pci'><driver name='${driver}'/><source><address bus='3'/></source></hostdev>`;
    expect(parseHostdevXml(body('vfio'))).toEqual({ bdf: '0000:03:00.0', driver: 'vfio' });
    expect(parseHostdevXml(body('xen')).driver).toBe('xen');
    expect(codecErrorOf(() => parseHostdevXml(body('kvm'))).reason).toBe(
      "legacy KVM device assignment (driver name='kvm') is not supported: use 'vfio'",
    );
  });

  it('ignores a guest address off the root bus (no xl vslot for it)', () => {
    const xml = `<hostdev mode='subsystem' type='pci'><source><address bus='1' slot='0x10'/></source><address type='pci' bus='0x02' slot='0x00'/></hostdev>`;
    expect(parseHostdevXml(xml)).toEqual({ bdf: '0000:01:10.0' });
  });

  it('maps to the canonical hostdev: managed is seize', () => {
    expect(
      hostdevConfigOf({
        bdf: '0000:01:10.0',
        managed: true,
        permissive: false,
        driver: 'xen',
        vslot: 2,
      }),
    ).toEqual({
      bdf: '0000:01:10.0',
      seize: true,
      permissive: false,
      vslot: 2,
    });
  });

  it('refuses other documents and non-PCI devices, saying where', () => {
    const domain = codecErrorOf(() => parseHostdevXml(`<domain type='xen'/>`));
    expect(domain.message).toBe(
      "line 1, column 1 (/domain): expected a <hostdev mode='subsystem' type='pci'> element, found <domain>",
    );
    const usb = codecErrorOf(() =>
      parseHostdevXml(
        `<hostdev mode='subsystem' type='usb'>\n  <source><vendor id='0x1234'/></source>\n</hostdev>`,
      ),
    );
    expect(usb.code).toBe('invalid-xml');
    expect(usb.reason).toBe(
      "<hostdev type='usb'> is not supported: ptlab passes through PCI devices only (type='pci')",
    );
    const iface = codecErrorOf(() =>
      parseHostdevXml(`<interface type='bridge'><source bridge='br0'/></interface>`),
    );
    expect(iface.reason).toBe(
      "<interface type='bridge'> is not a PCI device: expected type='hostdev'",
    );
  });
});

describe('emitHostdevXml', () => {
  it('renders the attach-device body for Xen and KVM, and reads back the same device', () => {
    const xen = emitHostdevXml({ bdf: '01:10.0', permissive: true, seize: true, vslot: 4 });
    expect(xen).toBe(`<hostdev mode='subsystem' type='pci' managed='yes'>
  <driver name='xen'/>
  <source writeFiltering='no'>
    <address domain='0x0000' bus='0x01' slot='0x10' function='0x0'/>
  </source>
  <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/>
</hostdev>
`);
    expect(parseHostdevXml(xen)).toEqual({
      bdf: '0000:01:10.0',
      permissive: true,
      managed: true,
      driver: 'xen',
      vslot: 4,
    });
    const kvm = emitHostdevXml({ bdf: '0000:03:00.0' }, 'kvm');
    expect(parseHostdevXml(kvm)).toEqual({ bdf: '0000:03:00.0', managed: false, driver: 'vfio' });
  });

  it('refuses an invalid BDF', () => {
    expect(codecErrorOf(() => emitHostdevXml({ bdf: '01:10' })).code).toBe('invalid-config');
  });
});
