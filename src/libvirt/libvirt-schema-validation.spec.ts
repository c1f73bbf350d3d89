// The XML we emit must be what libvirt itself accepts: run libvirt's own `virt-xml-validate` (RelaxNG
// domain.rng / nodedev.rng through xmllint) on it. Debian: apt-get install -y libvirt-clients libxml2-utils
// (virt-xml-validate is in libvirt-clients, but it calls xmllint, which is in libxml2-utils).
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import fc from 'fast-check';
import type { DomainConfigInput, DomainView } from './domain-config';
import { LIFECYCLE_ACTIONS } from './domain-config';
import { emitDomainXml, emitHostdevXml, parseDomainXml } from './domain-xml';
import { emitNodeDeviceXml, NodeDeviceView } from './nodedev-xml';
import { parseXlConfig } from './xl-config';

const onPath = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const missing = ['virt-xml-validate', 'xmllint'].filter((cmd) => !onPath(cmd));
const NOTE =
  `SKIPPED libvirt schema validation: ${missing.join(' and ')} not found ` +
  `(Debian: apt-get install -y libvirt-clients libxml2-utils)`;
if (missing.length) console.warn(NOTE);

let dir = '';
let counter = 0;
beforeAll(() => {
  if (!missing.length) dir = mkdtempSync(join(tmpdir(), 'ptlab-virt-xml-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `virt-xml-validate <file> <schema>`: exit 0 and "validates", or the xmllint complaint. */
function validate(xml: string, schema: 'domain' | 'nodedev'): { ok: boolean; output: string } {
  const file = join(dir, `${schema}-${++counter}.xml`);
  writeFileSync(file, xml);
  const r = spawnSync('virt-xml-validate', [file, schema], { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

function expectValid(xml: string, schema: 'domain' | 'nodedev'): void {
  const { ok, output } = validate(xml, schema);
  if (!ok) throw new Error(`virt-xml-validate ${schema} refused:\n${output}\n${xml}`);
  expect(output).toContain('validates');
}

const pv: DomainConfigInput = {
  name: 'rhel56-64bit-pv',
  uuid: 'c7a5fdb0-cdaf-9455-926a-d65c16db1809',
  type: 'pv',
  kernel: '/boot/vmlinuz-2.6.18-274.el5xen',
  ramdisk: '/boot/initrd-2.6.18-274.el5xen.img',
  cmdline: `ro root=/dev/VolGroup00/LogVol00 console=xvc0 quote="'<&>'"`,
  memoryMiB: 1024,
  vcpus: 2,
  hostdevs: [
    { bdf: '0000:01:10.0', permissive: true, seize: true },
    {
      bdf: 'ffff:ff:1f.7',
      permissive: false,
      vslot: 0x1f,
      msitranslate: true,
      powerMgmt: true,
      rdmPolicy: 'strict',
    },
  ],
  onPoweroff: 'preserve',
  onReboot: 'rename-restart',
  onCrash: 'coredump-destroy',
};

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
  numaNode: 0,
};

if (missing.length) {
  // Visible in the test report, not just in the log.
  it.skip(NOTE, () => undefined);
}

(missing.length ? describe.skip : describe)('libvirt schema validation (virt-xml-validate)', () => {
  it('refuses a document that is not a valid domain (the check can fail)', () => {
    const { ok, output } = validate(
      `<domain type='xen'><name>no os, no memory</name><bogus/></domain>\n`,
      'domain',
    );
    expect(ok).toBe(false);
    expect(output).toMatch(/fails to validate|Relax-NG validity error/);
  });

  describe('domain.rng accepts emitDomainXml', () => {
    // Every row has all three cells: a shorter row would make Jest pass `done` as the third argument.
    const cases: [string, DomainView, { inactive?: boolean }][] = [
      [
        'a running Xen PV domain with id, hostdevs, guest slot and xl-only comments',
        { config: pv, runtime: { id: 12, state: 'running' } },
        {},
      ],
      [
        'the same, --inactive',
        { config: pv, runtime: { id: 12, state: 'running' } },
        { inactive: true },
      ],
      [
        'a shut-off Xen PV domain without kernel, uuid or hostdevs',
        {
          config: { name: 'a', type: 'pv', memoryMiB: 32, vcpus: 1, hostdevs: [] },
          runtime: { id: 3, state: 'shutoff' },
        },
        {},
      ],
      [
        'a Xen HVM domain with soft-reset (a comment in place of the element)',
        { config: { ...pv, type: 'hvm', onReboot: 'soft-reset', onCrash: 'soft-reset' } },
        {},
      ],
      [
        'a KVM domain with vfio hostdevs',
        {
          config: { ...pv, type: 'hvm', kernel: undefined, ramdisk: undefined, cmdline: undefined },
          hypervisor: 'kvm',
          runtime: { id: 1, state: 'paused' },
        },
        {},
      ],
      [
        'dom0-sized numbers',
        { config: { ...pv, name: 'big', memoryMiB: 2 ** 33, vcpus: 65535 } },
        {},
      ],
    ];
    it.each(cases)('%s', (_title, view, options) => {
      expectValid(emitDomainXml(view, options), 'domain');
    });

    it('an attach-device body, inside a domain', () => {
      const domain = emitDomainXml({ config: { ...pv, hostdevs: [] } });
      for (const [hostdev, hv] of [
        [{ bdf: '01:10.0', permissive: true, seize: true, vslot: 4 }, 'xen'],
        [{ bdf: '03:00.0' }, 'kvm'],
      ] as const) {
        const body = emitHostdevXml(hostdev, hv);
        const doc = (
          hv === 'kvm'
            ? domain
                .replace(`type='xen'`, `type='kvm'`)
                .replace(/<type[^>]*>linux<\/type>/, '<type>hvm</type>')
            : domain
        ).replace('<devices/>', `<devices>\n${body}</devices>`);
        expectValid(doc, 'domain');
      }
    });

    it('what an xl.cfg and a foreign libvirt document become', () => {
      const fromXl = parseXlConfig(
        `name = "x"\nbuilder = "hvm"\nmemory = 2048\npci = [ '01:10.0,permissive=1,power_mgmt=1', '02:00.0@3' ]\non_crash = "soft-reset"\n`,
      );
      expectValid(emitDomainXml({ config: fromXl.config }), 'domain');
      const foreign = parseDomainXml(
        `<domain type='kvm'><name>n</name><memory unit='GiB'>4</memory><vcpu current='1'>4</vcpu><os><type arch='x86_64' machine='q35'>hvm</type><boot dev='hd'/></os><features><acpi/></features><devices><interface type='hostdev' managed='yes'><source><address type='pci' domain='0' bus='1' slot='16' function='2'/></source></interface></devices></domain>`,
      );
      expectValid(
        emitDomainXml({ config: foreign.config, hypervisor: foreign.hypervisor }),
        'domain',
      );
    });

    it('random configs (property)', () => {
      // eslint-disable-next-line no-control-regex
      const forbidden = /[\u0000-\u001f\u007f\ufffe\uffff]|\p{Cs}/u;
      const text = fc
        .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
        .filter((s) => !forbidden.test(s) && s.trim() === s);
      const action = fc.constantFrom(...LIFECYCLE_ACTIONS);
      fc.assert(
        fc.property(
          fc.record({
            name: text,
            type: fc.constantFrom('pv' as const, 'hvm' as const),
            kernel: fc.option(
              text.map((s) => `/k/${s}`),
              { nil: undefined },
            ),
            cmdline: fc.option(text, { nil: undefined }),
            memoryMiB: fc.integer({ min: 1, max: 2 ** 33 }),
            vcpus: fc.integer({ min: 1, max: 65535 }),
            onReboot: action,
            onCrash: action,
            permissive: fc.option(fc.boolean(), { nil: undefined }),
            id: fc.option(fc.nat(), { nil: undefined }),
          }),
          ({ id, permissive, kernel, cmdline, ...c }) => {
            const config: DomainConfigInput = {
              ...c,
              hostdevs: [
                { bdf: '0000:01:10.0', ...(permissive === undefined ? {} : { permissive }) },
              ],
            };
            if (kernel !== undefined) config.kernel = kernel;
            if (cmdline !== undefined) config.cmdline = cmdline;
            expectValid(
              emitDomainXml({
                config,
                ...(id === undefined ? {} : { runtime: { id, state: 'running' as const } }),
              }),
              'domain',
            );
          },
        ),
        { numRuns: 25 },
      );
    }, 30_000); // 25 runs of virt-xml-validate
  });

  describe('nodedev.rng accepts emitNodeDeviceXml', () => {
    const cases: [string, NodeDeviceView][] = [
      ['an SR-IOV VF bound to pciback', vf],
      [
        'its PF, with VFs enabled',
        {
          ...vf,
          bdf: '0000:01:00.0',
          deviceId: 0x10c9,
          driver: 'igb',
          physFn: undefined,
          maxVfs: 7,
          virtFns: ['0000:01:10.0', '0000:01:10.2'],
          iommuGroup: { number: 18, members: ['0000:01:00.0', '0000:01:00.1'] },
        },
      ],
      [
        'a PF with no VFs enabled',
        { ...vf, bdf: '0000:01:00.0', physFn: undefined, maxVfs: 7, virtFns: [] },
      ],
      [
        'an unbound root-bus bridge with no names',
        {
          bdf: '0000:00:01.0',
          vendorId: 0x8086,
          deviceId: 0x3408,
          classCode: 0x060400,
          capabilities: ['pcie'],
        },
      ],
      [
        'a CardBus bridge in a far segment',
        {
          bdf: 'ffff:ff:1f.7',
          vendorId: 0xffff,
          deviceId: 0,
          classCode: 0x060700,
          capabilities: [],
        },
      ],
    ];
    it.each(cases)('%s', (_title, view) => {
      expectValid(emitNodeDeviceXml(view), 'nodedev');
    });
  });
});
