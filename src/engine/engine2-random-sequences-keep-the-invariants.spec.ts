// Property tests (fast-check) on the hosts of seeds 002–004: random sequences of guest config-space and
// MSI-X table writes, MSI-X enable/disable, adapter and device resets, bus remove/rescan, bus2bridge
// fixtures, workloads, time and domain lifecycle never crash the engine (only EngineErrors), never leave a
// pirq, vector or vfio device with a dead domain (in the fixed profiles), and never deliver one domain's
// vector into another domain.
import fc from 'fast-check';
import type { Command } from './commands';
import { EngineError } from './core/errors';
import type { EngineEvent } from './core/events';
import type { HostState } from './core/state';
import { apply, createHost } from './host';
import { byDomid } from './core/domtab';

interface HostCase {
  name: string;
  template: string;
  profile: string;
  fixed: boolean;
  domains: string[];
  devices: string[];
  setup: Command[];
  extra: fc.Arbitrary<Command>[];
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });

function guestCommands(c: HostCase): fc.Arbitrary<Command>[] {
  return c.domains.flatMap((domain) => domainCommands(c, domain));
}

function domainCommands(c: HostCase, domain: string): fc.Arbitrary<Command>[] {
  const bdf = fc.constantFrom(...c.devices);
  return [
    fc.constantFrom<Command>(
      { type: 'domain.start', domain },
      { type: 'domain.shutdown', domain },
      { type: 'domain.reboot', domain },
      { type: 'domain.destroy', domain },
      { type: 'guest.crash', domain },
    ),
    fc
      .record({
        bdf,
        size: fc.constantFrom<1 | 2 | 4>(1, 2, 4),
        slot: fc.integer({ min: 0, max: 63 }),
        value: u32,
      })
      .map(({ bdf: b, size, slot, value }): Command => ({
        type: 'guest.pci.write',
        domain,
        bdf: b,
        offset: (slot * 4) & ~(size - 1),
        size,
        value: size === 4 ? value : value & ((1 << (8 * size)) - 1),
      })),
    fc
      .record({
        bdf,
        entry: fc.integer({ min: 0, max: 4 }),
        offset: fc.constantFrom<0 | 4 | 8 | 12>(0, 4, 8, 12),
        value: fc.oneof(u32, fc.constantFrom(0, 1, 0x4300)),
      })
      .map(({ bdf: b, entry, offset, value }): Command => ({
        type: 'guest.msix.write',
        domain,
        bdf: b,
        entry,
        offset,
        value,
      })),
    fc
      .record({
        bdf,
        entries: fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
      })
      .map(({ bdf: b, entries }): Command => ({
        type: 'guest.msix.enable',
        domain,
        bdf: b,
        entries,
      })),
    bdf.map((b): Command => ({ type: 'guest.msix.disable', domain, bdf: b })),
    bdf.map((b): Command => ({ type: 'guest.driver.reset', domain, bdf: b })),
    fc
      .record({
        bdf,
        method: fc.constantFrom<'flr' | 'bus' | 'backdoor'>('flr', 'bus', 'backdoor'),
      })
      .map(({ bdf: b, method }): Command => ({ type: 'device.reset', bdf: b, method })),
    fc
      .record({
        bdf,
        entry: fc.integer({ min: 0, max: 3 }),
        rate: fc.integer({ min: 0, max: 5000 }),
      })
      .map(({ bdf: b, entry, rate }): Command => ({
        type: 'workload.irq',
        domain,
        bdf: b,
        entry,
        rate,
      })),
    fc
      .integer({ min: 0, max: 400 })
      .map((s): Command => ({ type: 'advance', ns: s * 250_000_000 })),
  ];
}

const NVME: HostCase = {
  name: 'nvme-pvhvm',
  template: 'nvme-pvhvm',
  profile: 'xen-4.8-linux-4.10',
  fixed: true,
  domains: ['g', 'h'],
  devices: ['0000:01:00.0', '0000:02:00.0'],
  // Two guests, one controller each: a vector of one must never be delivered into the other.
  setup: [
    {
      type: 'domain.define',
      config: {
        name: 'g',
        type: 'hvm',
        vcpus: 2,
        hostdevs: [{ bdf: '0000:01:00.0', managed: true }],
      },
    },
    {
      type: 'domain.define',
      config: {
        name: 'h',
        type: 'hvm',
        vcpus: 2,
        hostdevs: [{ bdf: '0000:02:00.0', managed: true }],
      },
    },
  ],
  extra: [],
};

const KONRAD: HostCase = {
  name: 'xen44-assign-busses',
  template: 'xen44-assign-busses',
  profile: 'xen-4.4-trap-bus-writes',
  fixed: true,
  domains: ['g'],
  devices: ['0000:08:00.0'],
  setup: [
    {
      type: 'domain.define',
      config: { name: 'g', type: 'hvm', hostdevs: [{ bdf: '0000:08:00.0', managed: true }] },
    },
  ],
  extra: [
    fc
      .constantFrom('0000:06:00.0', '0000:07:01.0', '0000:08:00.0', '0000:05:00.0')
      .map((bdf): Command => ({ type: 'dom0.pci.remove', bdf })),
    fc.constant<Command>({ type: 'dom0.pci.rescan' }),
    fc
      .dictionary(
        fc.integer({ min: 1, max: 12 }).map(String),
        fc.option(fc.constantFrom('06:00.0', '07:01.0', '05:00.0'), { nil: null }),
        { maxKeys: 3 },
      )
      .map((map): Command => ({ type: 'xen.debug.bus2bridge', map })),
  ],
};

const IPR: HostCase = {
  name: 'vfio-ipr-power',
  template: 'vfio-ipr-power',
  profile: 'kvm-linux-3.16-qemu-2.1',
  fixed: true,
  domains: ['g', 'h'],
  devices: ['0000:01:00.0', '0000:02:00.0', '0000:02:00.1'],
  setup: [
    {
      type: 'domain.define',
      config: { name: 'g', type: 'hvm', hostdevs: [{ bdf: '0000:01:00.0', managed: true }] },
    },
    {
      type: 'domain.define',
      config: {
        name: 'h',
        type: 'hvm',
        hostdevs: [
          { bdf: '0000:02:00.0', managed: true },
          { bdf: '0000:02:00.1', managed: true },
        ],
      },
    },
  ],
  extra: [
    fc.constantFrom<Command>(
      { type: 'device.detach', bdf: '0000:02:00.0' },
      { type: 'device.reattach', bdf: '0000:02:00.0' },
    ),
  ],
};

const CASES: HostCase[] = [
  NVME,
  { ...NVME, name: 'nvme-pvhvm (as reported)', profile: 'xen-4.8-linux-4.9', fixed: false },
  KONRAD,
  { ...KONRAD, name: 'xen44 (as reported)', profile: 'xen-4.4-linux-3.13', fixed: false },
  IPR,
  {
    ...IPR,
    name: 'vfio-ipr-power (as reported)',
    profile: 'kvm-linux-3.15-qemu-2.0',
    fixed: false,
  },
];

/** Whom a host device belongs to now (the hypervisor's or vfio's view), null if nobody but the host. */
function ownerOf(s: HostState, bdf: string): number | null {
  if (s.kvm) return s.kvm.vfio[bdf]?.owner ?? null;
  const p = s.xen.pdevs[bdf];
  return p && p.domid > 0 ? p.domid : null;
}

function liveDomids(s: HostState): Set<number> {
  const out = new Set<number>();
  for (const r of Object.values(s.domains)) if (r.domid !== null) out.add(r.domid);
  return out;
}

function checkInvariants(s: HostState, events: EngineEvent[], fixed: boolean): void {
  for (const e of events) {
    if (e.type === 'interrupts' && e.delivered > 0) expect(ownerOf(s, e.bdf)).toBe(e.domid);
  }
  if (!fixed) return;
  const live = liveDomids(s);
  if (s.kvm) {
    for (const v of Object.values(s.kvm.vfio))
      if (v.owner !== null) expect(live.has(v.owner)).toBe(true);
    for (const q of s.qemu) expect(live.has(q.domid)).toBe(true);
    return;
  }
  for (const d of s.xen.domains) {
    if (d.domid === 0) continue;
    expect(live.has(d.domid)).toBe(true);
  }
  for (const use of s.xen.vectors.flat()) {
    if (use === null) continue;
    expect(use.domid === 0 || live.has(use.domid)).toBe(true);
    expect(byDomid(s.xen.domains, use.domid)?.pirqs[`p${use.pirq}`]).toBeDefined();
  }
}

describe('random command sequences on the Engine II hosts', () => {
  for (const c of CASES) {
    it(`${c.name}: only EngineErrors, no dead domain's pirq or device, no cross-domain delivery`, () => {
      let base = createHost({
        type: 'host.create',
        template: c.template,
        profile: c.profile,
      }).state;
      for (const cmd of c.setup) base = apply(base, cmd).state;
      let start = base;
      for (const domain of c.domains) start = apply(start, { type: 'domain.start', domain }).state;
      const cmd = fc.oneof(...guestCommands(c), ...c.extra);
      fc.assert(
        fc.property(fc.array(cmd, { minLength: 6, maxLength: 24 }), (cmds) => {
          let s = start;
          for (const command of cmds) {
            let r;
            try {
              r = apply(s, command);
            } catch (e) {
              if (e instanceof EngineError) continue;
              throw e;
            }
            s = r.state;
            checkInvariants(s, r.events, c.fixed);
          }
        }),
        { numRuns: 40 },
      );
    });
  }
});
