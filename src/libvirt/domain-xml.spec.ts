import fc from 'fast-check';
import type { DomainConfigInput, HostdevConfig, LifecycleAction } from './domain-config';
import { LIFECYCLE_ACTIONS, LIFECYCLE_DEFAULTS } from './domain-config';
import { emitDomainXml, parseDomainXml } from './domain-xml';
import { codecErrorOf } from './test-helpers';

/** A domain document with the given parts (defaults: xen, PV, 512 MiB). */
function domainXml(
  parts: { type?: string; os?: string; memory?: string; body?: string; devices?: string } = {},
) {
  return [
    `<domain type='${parts.type ?? 'xen'}'>`,
    `  <name>guest</name>`,
    parts.memory ?? `  <memory unit='KiB'>524288</memory>`,
    parts.os ?? `  <os><type>linux</type></os>`,
    parts.body ?? '',
    `  <devices>${parts.devices ?? ''}</devices>`,
    `</domain>`,
  ].join('\n');
}

describe('parseDomainXml: a libvirt Xen PV domain as virsh dumpxml prints it', () => {
  const xml = `<domain type='xen' id='7'>
  <name>rhel56-64bit-pv</name>
  <uuid>C7A5FDB0-CDAF-9455-926A-D65C16DB1809</uuid>
  <memory unit='KiB'>1048576</memory>
  <currentMemory unit='KiB'>786432</currentMemory>
  <vcpu placement='static' current='2'>4</vcpu>
  <bootloader>/usr/bin/pygrub</bootloader>
  <os>
    <type arch='x86_64' machine='xenpv'>linux</type>
    <kernel>/boot/vmlinuz-2.6.18-274.el5xen</kernel>
    <initrd>/boot/initrd-2.6.18-274.el5xen.img</initrd>
    <cmdline>ro root=/dev/VolGroup00/LogVol00 console=xvc0 &amp; more</cmdline>
  </os>
  <clock offset='utc' adjustment='reset'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>coredump-restart</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <driver name='tap' type='aio'/>
      <source file='/var/lib/xen/images/rhel56-64bit-pv.img'/>
      <target dev='xvda' bus='xen'/>
    </disk>
    <interface type='bridge'>
      <mac address='00:16:36:1a:2b:3c'/>
      <source bridge='xenbr0'/>
    </interface>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <driver name='xen'/>
      <source writeFiltering='no'>
        <address domain='0x0000' bus='0x01' slot='0x10' function='0x0'/>
      </source>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>
    </hostdev>
    <hostdev mode='subsystem' type='pci' managed='no'>
      <source>
        <address domain='0' bus='2' slot='0' function='1'/>
      </source>
    </hostdev>
  </devices>
</domain>
`;

  it('reads the config: currentMemory as memory, current vcpus, PV from <type>linux</type>, hostdevs', () => {
    const parsed = parseDomainXml(xml);
    expect(parsed.hypervisor).toBe('xen');
    expect(parsed.id).toBe(7);
    expect(parsed.config).toEqual({
      name: 'rhel56-64bit-pv',
      uuid: 'c7a5fdb0-cdaf-9455-926a-d65c16db1809',
      type: 'pv',
      memoryMiB: 768,
      vcpus: 2,
      kernel: '/boot/vmlinuz-2.6.18-274.el5xen',
      ramdisk: '/boot/initrd-2.6.18-274.el5xen.img',
      cmdline: 'ro root=/dev/VolGroup00/LogVol00 console=xvc0 & more',
      onPoweroff: 'destroy',
      onReboot: 'restart',
      onCrash: 'coredump-restart',
      hostdevs: [
        { bdf: '0000:01:10.0', permissive: true, seize: true, vslot: 5 },
        { bdf: '0000:02:00.1', seize: false },
      ],
    });
  });

  it('lists what it read but does not model', () => {
    expect(parseDomainXml(xml).ignored).toEqual([
      '/domain/devices/disk',
      '/domain/devices/interface',
      '/domain/bootloader',
      '/domain/clock',
    ]);
  });
});

describe('parseDomainXml: guest type and hypervisor, as libvirt reads them', () => {
  it.each([
    ['xen', 'linux', 'pv'],
    ['xen', 'xen', 'pv'],
    ['xen', 'hvm', 'hvm'],
    ['kvm', 'hvm', 'hvm'],
  ])('<domain type=%s> with <type>%s</type> is %s', (hv, os, type) => {
    const parsed = parseDomainXml(
      domainXml({ type: hv, os: `  <os><type arch='x86_64'>${os}</type></os>` }),
    );
    expect(parsed.hypervisor).toBe(hv);
    expect(parsed.config.type).toBe(type);
  });

  it('refuses a PV os type on kvm, PVH, other hypervisors and a missing os type', () => {
    const kvmPv = codecErrorOf(() => parseDomainXml(domainXml({ type: 'kvm' })));
    expect([kvmPv.line, kvmPv.column]).toEqual([4, 7]);
    expect(kvmPv.message).toBe(
      "line 4, column 7 (/domain/os/type): os type 'linux' is a Xen PV guest; a kvm domain boots os type 'hvm'",
    );
    expect(
      codecErrorOf(() => parseDomainXml(domainXml({ os: '  <os><type>xenpvh</type></os>' })))
        .reason,
    ).toBe("os type 'xenpvh' (PVH) is not supported: ptlab emulates pv and hvm guests");
    expect(codecErrorOf(() => parseDomainXml(domainXml({ type: 'lxc' }))).reason).toBe(
      "domain type 'lxc' is not supported: ptlab emulates 'xen' and 'kvm' hosts",
    );
    expect(codecErrorOf(() => parseDomainXml(domainXml({ os: '' }))).reason).toMatch(
      /^an os <type> must be specified/,
    );
    expect(codecErrorOf(() => parseDomainXml('<domain><name>a</name></domain>')).reason).toBe(
      "<domain> is missing its type attribute ('xen' or 'kvm')",
    );
    expect(
      codecErrorOf(() => parseDomainXml("<hostdev mode='subsystem' type='pci'/>")).reason,
    ).toBe('expected a <domain> document, found <hostdev>');
  });
});

describe('parseDomainXml: memory and vcpus', () => {
  it.each([
    [undefined, '524288', 512], // default unit KiB
    ['KiB', '524288', 512],
    ['k', '524288', 512],
    ['b', '536870912', 512],
    ['bytes', '536870912', 512],
    ['M', '512', 512],
    ['MiB', '512', 512],
    ['mib', '512', 512],
    ['G', '2', 2048],
    ['GiB', '2', 2048],
    ['T', '1', 1048576],
    ['MB', '512', 489], // 512e6 bytes = 488.3 MiB, rounded up
    ['KB', '1000000', 954],
    ['GB', '1', 954],
    ['KiB', '1', 1], // rounded up to a whole MiB
  ])('unit=%s %s ⇒ %d MiB', (unit, value, mib) => {
    const memory = `  <memory${unit === undefined ? '' : ` unit='${unit}'`}>${value}</memory>`;
    expect(parseDomainXml(domainXml({ memory })).config.memoryMiB).toBe(mib);
  });

  it('uses currentMemory when lower, and truncates it to memory when higher (as libvirt does)', () => {
    const lower = `  <memory unit='MiB'>1024</memory><currentMemory unit='MiB'>256</currentMemory>`;
    const higher = `  <memory unit='MiB'>1024</memory><currentMemory unit='GiB'>4</currentMemory>`;
    expect(parseDomainXml(domainXml({ memory: lower })).config.memoryMiB).toBe(256);
    expect(parseDomainXml(domainXml({ memory: higher })).config.memoryMiB).toBe(1024);
  });

  it('refuses bad memory with line and column', () => {
    const unit = codecErrorOf(() =>
      parseDomainXml(domainXml({ memory: `  <memory unit='XB'>1</memory>` })),
    );
    expect(unit.message).toBe(
      "line 3, column 3 (/domain/memory): unknown unit='XB' on <memory>: expected b, KiB, MiB, GiB, TiB (or KB, MB, ... for powers of 1000)",
    );
    expect(
      codecErrorOf(() => parseDomainXml(domainXml({ memory: `  <memory>-5</memory>` }))).reason,
    ).toBe("<memory> must be a non-negative integer, got '-5'");
    expect(codecErrorOf(() => parseDomainXml(domainXml({ memory: '' }))).reason).toBe(
      'memory size must be specified via <memory>',
    );
    expect(
      codecErrorOf(() => parseDomainXml(domainXml({ memory: `  <memory>0</memory>` }))).reason,
    ).toBe('memory size must be specified via <memory>');
  });

  it('reads vcpus from current= when present, else the maximum; default 1', () => {
    expect(parseDomainXml(domainXml({ body: `  <vcpu current='3'>8</vcpu>` })).config.vcpus).toBe(
      3,
    );
    expect(parseDomainXml(domainXml({ body: `  <vcpu>8</vcpu>` })).config.vcpus).toBe(8);
    expect(parseDomainXml(domainXml()).config.vcpus).toBe(1);
    expect(
      codecErrorOf(() => parseDomainXml(domainXml({ body: `  <vcpu current='9'>8</vcpu>` })))
        .reason,
    ).toBe('current vcpus (9) must not exceed the maximum (8)');
    expect(codecErrorOf(() => parseDomainXml(domainXml({ body: `  <vcpu>0</vcpu>` }))).reason).toBe(
      "the maximum vcpu count must be an integer from 1 to 65535, got '0'",
    );
  });
});

describe('parseDomainXml: identity, lifecycle, os', () => {
  it('refuses a malformed uuid and a relative kernel path', () => {
    expect(
      codecErrorOf(() => parseDomainXml(domainXml({ body: '  <uuid>1234</uuid>' }))).message,
    ).toBe("line 5, column 3 (/domain/uuid): malformed uuid element '1234'");
    const os = `  <os><type>linux</type><kernel>vmlinuz</kernel></os>`;
    expect(codecErrorOf(() => parseDomainXml(domainXml({ os }))).reason).toBe(
      "kernel must be an absolute path in dom0, got 'vmlinuz'",
    );
  });

  it("accepts coredump-* for <on_crash> only, as libvirt's schema does", () => {
    const crash = parseDomainXml(domainXml({ body: '  <on_crash>coredump-destroy</on_crash>' }));
    expect(crash.config.onCrash).toBe('coredump-destroy');
    const err = codecErrorOf(() =>
      parseDomainXml(domainXml({ body: '  <on_reboot>coredump-destroy</on_reboot>' })),
    );
    expect(err.message).toBe(
      "line 5, column 3 (/domain/on_reboot): invalid <on_reboot> value 'coredump-destroy': expected destroy, restart, preserve, rename-restart",
    );
  });
});

describe('parseDomainXml: PCI hostdevs', () => {
  const hostdev = (inner: string, attrs = "mode='subsystem' type='pci'") =>
    `\n    <hostdev ${attrs}>${inner}</hostdev>`;
  const src = (addr: string, extra = '') => `<source${extra}><address ${addr}/></source>`;

  it('reads address attributes in hex, decimal or octal, as virStrToLong_uip(…, 0) does; missing ones are 0', () => {
    const parsed = parseDomainXml(
      domainXml({
        devices:
          hostdev(src("domain='0x0000' bus='0x0a' slot='0x1f' function='0x7'")) +
          hostdev(src("bus='16' slot='010'")),
      }),
    );
    expect(parsed.config.hostdevs.map((h) => h.bdf)).toEqual(['0000:0a:1f.7', '0000:10:08.0']);
  });

  it("maps writeFiltering='no'/'yes' to permissive true/false and leaves it unset when absent", () => {
    const parsed = parseDomainXml(
      domainXml({
        devices:
          hostdev(src("bus='1' slot='0x10'", " writeFiltering='no'")) +
          hostdev(src("bus='1' slot='0x10' function='2'", " writeFiltering='yes'")) +
          hostdev(src("bus='1' slot='0x10' function='4'")),
      }),
    );
    expect(parsed.config.hostdevs).toEqual([
      { bdf: '0000:01:10.0', permissive: true },
      { bdf: '0000:01:10.2', permissive: false },
      { bdf: '0000:01:10.4' },
    ]);
  });

  it("reads an SR-IOV VF given as <interface type='hostdev'>", () => {
    const iface = `\n    <interface type='hostdev' managed='yes'><mac address='52:54:00:6d:90:02'/><source><address type='pci' domain='0x0000' bus='0x01' slot='0x10' function='0x2'/></source></interface>`;
    expect(
      parseDomainXml(domainXml({ type: 'kvm', os: '<os><type>hvm</type></os>', devices: iface }))
        .config.hostdevs,
    ).toEqual([{ bdf: '0000:01:10.2', seize: true }]);
  });

  it.each(
    [
      [hostdev(src("bus='1' slot='0x20'")), "invalid PCI address slot='0x20', must be <= 0x1F"],
      [hostdev(src("bus='1' function='8'")), "invalid PCI address function='8', must be <= 0x7"],
      [hostdev(src("bus='0x100'")), "invalid PCI address bus='0x100', must be <= 0xFF"],
      [hostdev(src("bus='one'")), "cannot parse <address> 'bus' attribute 'one'"],
      [hostdev('<source/>'), '<source> is missing its <address> element'],
      [hostdev(''), '<hostdev> is missing its <source> element'],
      [
        hostdev(src("bus='1'"), "mode='subsystem' type='usb'"),
        "<hostdev type='usb'> is not supported: ptlab passes through PCI devices only (type='pci')",
      ],
      [hostdev(src("bus='1'"), "mode='subsystem'"), "<hostdev> is missing type='pci'"],
      [
        hostdev(src("bus='1'"), "mode='capabilities' type='pci'"),
        "<hostdev mode='capabilities'> is not supported: ptlab passes PCI devices through with mode='subsystem' type='pci'",
      ],
      [
        hostdev(src("bus='1'"), "type='pci' managed='maybe'"),
        "managed='maybe' must be 'yes' or 'no'",
      ],
      [
        hostdev("<driver name='vfio'/>" + src("bus='1'")),
        "a Xen domain's PCI hostdev uses driver name='xen' (pciback), not 'vfio'",
      ],
      [
        hostdev("<driver name='pciback'/>" + src("bus='1'")),
        "unknown PCI hostdev driver name='pciback': expected 'xen' or 'vfio'",
      ],
    ].map(([devices, reason]) => [reason, devices]),
  )('refuses: %s', (reason, devices) => {
    expect(codecErrorOf(() => parseDomainXml(domainXml({ devices }))).reason).toBe(reason);
  });

  it('refuses the xen driver and legacy kvm assignment on a KVM domain', () => {
    const kvm = (driver: string) =>
      domainXml({
        type: 'kvm',
        os: '<os><type>hvm</type></os>',
        devices: hostdev(`<driver name='${driver}'/>` + src("bus='1'")),
      });
    expect(parseDomainXml(kvm('vfio')).config.hostdevs).toEqual([{ bdf: '0000:01:00.0' }]);
    expect(codecErrorOf(() => parseDomainXml(kvm('xen'))).reason).toBe(
      "driver name='xen' is for Xen domains: a KVM domain's PCI hostdev uses 'vfio'",
    );
    expect(codecErrorOf(() => parseDomainXml(kvm('kvm'))).reason).toBe(
      "legacy KVM device assignment (driver name='kvm') is not supported: use 'vfio'",
    );
  });

  it('refuses the same device twice, naming where it was first', () => {
    const err = codecErrorOf(() =>
      parseDomainXml(
        domainXml({
          devices:
            hostdev(src("bus='1' slot='0x10'")) + hostdev(src("domain='0' bus='0x01' slot='16'")),
        }),
      ),
    );
    expect([err.line, err.column, err.path]).toEqual([8, 5, '/domain/devices/hostdev[2]']);
    expect(err.reason).toBe(
      'PCI device 0000:01:10.0 is already assigned by the <hostdev> at line 7',
    );
  });
});

describe('emitDomainXml: as virsh dumpxml prints it', () => {
  const config: DomainConfigInput = {
    name: 'rhel56-64bit-pv',
    uuid: 'c7a5fdb0-cdaf-9455-926a-d65c16db1809',
    type: 'pv',
    kernel: '/boot/vmlinuz-2.6.18-274.el5xen',
    cmdline: 'ro console=xvc0 <&>',
    memoryMiB: 1024,
    vcpus: 2,
    hostdevs: [{ bdf: '0000:01:10.0', permissive: true, seize: true }],
    onCrash: 'preserve',
  };

  it('renders a running Xen PV domain with its id, KiB memory, xenpv os type and the hostdev', () => {
    expect(emitDomainXml({ config, runtime: { id: 12, state: 'running' } }))
      .toBe(`<domain type='xen' id='12'>
  <name>rhel56-64bit-pv</name>
  <uuid>c7a5fdb0-cdaf-9455-926a-d65c16db1809</uuid>
  <memory unit='KiB'>1048576</memory>
  <currentMemory unit='KiB'>1048576</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='x86_64' machine='xenpv'>linux</type>
    <kernel>/boot/vmlinuz-2.6.18-274.el5xen</kernel>
    <cmdline>ro console=xvc0 &lt;&amp;&gt;</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>preserve</on_crash>
  <devices>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <driver name='xen'/>
      <source writeFiltering='no'>
        <address domain='0x0000' bus='0x01' slot='0x10' function='0x0'/>
      </source>
    </hostdev>
  </devices>
</domain>
`);
  });

  it("carries id='N' only while the domain exists and is not shut off, and never with inactive", () => {
    expect(emitDomainXml({ config, runtime: { id: 0, state: 'paused' } })).toMatch(
      /^<domain type='xen' id='0'>/,
    );
    expect(emitDomainXml({ config, runtime: { id: 12, state: 'shutoff' } })).toMatch(
      /^<domain type='xen'>/,
    );
    expect(emitDomainXml({ config })).toMatch(/^<domain type='xen'>/);
    expect(
      emitDomainXml({ config, runtime: { id: 12, state: 'running' } }, { inactive: true }),
    ).toMatch(/^<domain type='xen'>/);
  });

  it('renders Xen HVM with xenfv and hvmloader, KVM with vfio hostdevs', () => {
    const hvm = emitDomainXml({ config: { ...config, type: 'hvm' } });
    expect(hvm).toContain(`<type arch='x86_64' machine='xenfv'>hvm</type>`);
    expect(hvm).toContain(`<loader type='rom'>/usr/lib/xen/boot/hvmloader</loader>`);
    const kvm = emitDomainXml({ config: { ...config, type: 'hvm' }, hypervisor: 'kvm' });
    expect(kvm).toMatch(/^<domain type='kvm'>/);
    expect(kvm).toContain(`<driver name='vfio'/>`);
    expect(kvm).not.toContain('hvmloader');
  });

  it('says so in a comment when an xl setting has no libvirt form, rather than dropping it silently', () => {
    const xml = emitDomainXml({
      config: {
        ...config,
        onReboot: 'soft-reset',
        hostdevs: [
          {
            bdf: '0000:01:10.0',
            msitranslate: true,
            powerMgmt: false,
            rdmPolicy: 'strict',
            vslot: 3,
          },
        ],
      },
    });
    expect(xml).toContain(
      "<!-- xl on_reboot='soft-reset' has no libvirt <on_reboot> form; libvirt's default restart is not what this domain does -->",
    );
    expect(xml).not.toMatch(/^\s*<on_reboot>/m);
    expect(xml).toContain(
      `<address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>`,
    );
    expect(xml).toContain(
      '<!-- xl PCI_SPEC_STRING settings with no libvirt form: msitranslate=1,power_mgmt=0,rdm_policy=strict -->',
    );
  });

  it('refuses what cannot be rendered, naming the field', () => {
    expect(codecErrorOf(() => emitDomainXml({ config, hypervisor: 'kvm' })).message).toBe(
      "config.type: a kvm domain is hvm; type 'pv' needs a Xen host",
    );
    const bad = codecErrorOf(() =>
      emitDomainXml({ config: { ...config, hostdevs: [{ bdf: '1:2' }] } }),
    );
    expect([bad.code, bad.path]).toEqual(['invalid-config', 'hostdevs[0].bdf']);
    expect(
      codecErrorOf(() => emitDomainXml({ config, runtime: { id: -1, state: 'running' } })).path,
    ).toBe('runtime.id');
  });
});

describe('emitDomainXml → parseDomainXml round trip', () => {
  it('keeps CR, LF and tab in the kernel command line (a raw CR would come back as LF)', () => {
    const config: DomainConfigInput = {
      name: 'a',
      type: 'pv',
      memoryMiB: 64,
      vcpus: 1,
      hostdevs: [],
      cmdline: 'a\r\nb\tc\rd',
    };
    const xml = emitDomainXml({ config });
    expect(xml).toContain('<cmdline>a&#13;\nb\tc&#13;d</cmdline>');
    expect(parseDomainXml(xml).config.cmdline).toBe('a\r\nb\tc\rd');
  });

  const lifecycle = fc.constantFrom<LifecycleAction>(...LIFECYCLE_ACTIONS);
  const bdf = fc
    .tuple(
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 0xff }),
      fc.integer({ min: 0, max: 0x1f }),
      fc.integer({ min: 0, max: 7 }),
    )
    .map(
      ([d, b, s, f]) =>
        `${d.toString(16).padStart(4, '0')}:${b.toString(16).padStart(2, '0')}:${s.toString(16).padStart(2, '0')}.${f}`,
    );
  const hostdev: fc.Arbitrary<HostdevConfig> = fc.record(
    {
      bdf,
      permissive: fc.boolean(),
      seize: fc.boolean(),
      msitranslate: fc.boolean(),
      vslot: fc.integer({ min: 0, max: 0x1f }),
    },
    { requiredKeys: ['bdf'] },
  );
  // Characters a domain config refuses (domain-config.ts): controls, U+FFFE/U+FFFF, unpaired surrogates.
  // eslint-disable-next-line no-control-regex
  const notInNames = /[\u0000-\u001f\u007f\ufffe\uffff]|\p{Cs}/u;
  // eslint-disable-next-line no-control-regex
  const notInCmdline = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|\p{Cs}/u;
  const text = fc
    .string({ unit: 'binary', minLength: 1, maxLength: 40 })
    .filter((s) => !notInNames.test(s) && s.trim() === s);
  const config: fc.Arbitrary<DomainConfigInput> = fc.record(
    {
      name: text,
      type: fc.constantFrom('pv' as const, 'hvm' as const),
      kernel: text.map((s) => `/boot/${s}`),
      cmdline: fc
        .string({ unit: 'binary', maxLength: 60 })
        .filter((s) => !notInCmdline.test(s) && s !== ''),
      memoryMiB: fc.integer({ min: 1, max: 2 ** 33 }),
      vcpus: fc.integer({ min: 1, max: 65535 }),
      hostdevs: fc.uniqueArray(hostdev, { selector: (h) => h.bdf, maxLength: 4 }).map((hs) => {
        const slots = new Set<number>();
        return hs.map((h) => {
          if (h.vslot === undefined || !slots.has(h.vslot)) {
            if (h.vslot !== undefined) slots.add(h.vslot);
            return h;
          }
          const { vslot: _dropped, ...rest } = h;
          return rest;
        });
      }),
      onPoweroff: lifecycle,
      onReboot: lifecycle,
      onCrash: lifecycle,
      uuid: fc.uuid(),
    },
    { requiredKeys: ['name', 'type', 'memoryMiB', 'vcpus', 'hostdevs'] },
  );

  /** What survives libvirt XML: xl-only settings are dropped, unset actions come back as the defaults. */
  function expectedAfterRoundTrip(c: DomainConfigInput): DomainConfigInput {
    const out: DomainConfigInput = {
      ...c,
      hostdevs: c.hostdevs.map(({ msitranslate: _m, powerMgmt: _p, rdmPolicy: _r, ...h }) => ({
        ...h,
        seize: h.seize ?? false,
      })),
    };
    const off = ['destroy', 'restart', 'preserve', 'rename-restart'];
    for (const [key, allowed] of [
      ['onPoweroff', off],
      ['onReboot', off],
      ['onCrash', [...off, 'coredump-destroy', 'coredump-restart']],
    ] as const) {
      const action = c[key] ?? LIFECYCLE_DEFAULTS[key];
      if (allowed.includes(action)) out[key] = action;
      else delete out[key];
    }
    return out;
  }

  it('keeps every field libvirt XML can express, for xen and kvm', () => {
    fc.assert(
      fc.property(config, fc.constantFrom('xen' as const, 'kvm' as const), (c, hypervisor) => {
        const cfg = hypervisor === 'kvm' ? { ...c, type: 'hvm' as const } : c;
        const parsed = parseDomainXml(emitDomainXml({ config: cfg, hypervisor }));
        expect(parsed.hypervisor).toBe(hypervisor);
        expect(parsed.config).toEqual(expectedAfterRoundTrip(cfg));
        expect(parsed.ignored).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
