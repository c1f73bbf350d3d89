// Seed 001 (Red Hat bug 688673): the guests and the attach-device body of the investigation, as the
// RHEL 5 host had them. rhel56-64bit-pv got its VF with
//   echo "pci = [ \"$UNB\" ]" >> /etc/xen/rhel56-64bit-pv
// and `virsh attach-device rhel56-64bit-pv dev.xml` was tried with the dev.xml below.
import { emitDomainXml, parseHostdevXml } from './domain-xml';
import { parseXlConfig } from './xl-config';

// /etc/xen/rhel56-64bit-pv as virt-install on RHEL 5.6 writes it (xm syntax), plus the appended pci line.
const RHEL56_PV = `name = "rhel56-64bit-pv"
uuid = "3d1b1c1e-5f0a-4b7e-9c55-2f8e1a6d7b90"
maxmem = 1024
memory = 1024
vcpus = 2
bootloader = "/usr/bin/pygrub"
on_poweroff = "destroy"
on_reboot = "restart"
on_crash = "restart"
vfb = [ "type=vnc,vncunused=1,keymap=en-us" ]
disk = [ "tap:aio:/var/lib/xen/images/rhel56-64bit-pv.img,xvda,w" ]
vif = [ "mac=00:16:36:4d:2f:9e,bridge=xenbr0,script=vif-bridge" ]
pci = [ "0000:01:10.0" ]
`;

// /etc/xen/rhel56-64bit-hvm: the xm HVM form (builder = "hvm", hvmloader named as the kernel).
const RHEL56_HVM = `name = "rhel56-64bit-hvm"
uuid = "8f4c2a77-1e3b-4d2a-a6c0-5b9d0e7f1a23"
maxmem = 1024
memory = 1024
vcpus = 2
builder = "hvm"
kernel = "/usr/lib/xen/boot/hvmloader"
boot = "c"
pae = 1
acpi = 1
apic = 1
on_poweroff = "destroy"
on_reboot = "restart"
on_crash = "restart"
device_model = "/usr/lib64/xen/bin/qemu-dm"
vnc = 1
vncunused = 1
disk = [ "file:/var/lib/xen/images/rhel56-64bit-hvm.img,hda,w" ]
vif = [ "mac=00:16:36:11:22:33,bridge=xenbr0,script=vif-bridge,type=ioemu" ]
serial = "pty"
`;

// dev.xml of comment 47.
const DEV_XML = `
<hostdev mode='subsystem' type='pci' managed='no'>
  <source>
    <address domain='0x0000' bus='0x01' slot='0x10' function='0x0'/>
  </source>
</hostdev>
`;

describe('RHBZ#688673 seed configs', () => {
  it('rhel56-64bit-pv is a PV guest (no type, no builder) with the 82576 VF 0000:01:10.0', () => {
    const { config, extra } = parseXlConfig(RHEL56_PV);
    expect(config).toEqual({
      name: 'rhel56-64bit-pv',
      uuid: '3d1b1c1e-5f0a-4b7e-9c55-2f8e1a6d7b90',
      type: 'pv',
      memoryMiB: 1024,
      vcpus: 2,
      onPoweroff: 'destroy',
      onReboot: 'restart',
      onCrash: 'restart',
      hostdevs: [{ bdf: '0000:01:10.0' }],
    });
    expect(Object.keys(extra)).toEqual(['maxmem', 'bootloader', 'vfb', 'disk', 'vif']);
  });

  it('rhel56-64bit-hvm is HVM through the xm builder, and hvmloader is not taken for a guest kernel', () => {
    const { config, extra } = parseXlConfig(RHEL56_HVM);
    expect(config.type).toBe('hvm');
    expect(config.kernel).toBeUndefined();
    expect(config.hostdevs).toEqual([]);
    expect(extra.kernel).toBe('/usr/lib/xen/boot/hvmloader');
    expect(extra.device_model).toBe('/usr/lib64/xen/bin/qemu-dm');
  });

  it('dev.xml names the same VF, unmanaged (pciback already seized it)', () => {
    expect(parseHostdevXml(DEV_XML)).toEqual({ bdf: '0000:01:10.0', managed: false });
  });

  it('the running PV guest (dom2 in the logs) renders as libvirt would show it', () => {
    const xml = emitDomainXml({
      config: parseXlConfig(RHEL56_PV).config,
      runtime: { id: 2, state: 'running' },
    });
    expect(xml.startsWith(`<domain type='xen' id='2'>\n  <name>rhel56-64bit-pv</name>`)).toBe(true);
    expect(xml).toContain(`<type arch='x86_64' machine='xenpv'>linux</type>`);
    expect(xml).toContain(`<on_crash>restart</on_crash>`);
    expect(xml).toContain(`    <hostdev mode='subsystem' type='pci' managed='no'>
      <driver name='xen'/>
      <source>
        <address domain='0x0000' bus='0x01' slot='0x10' function='0x0'/>
      </source>
    </hostdev>`);
  });
});
