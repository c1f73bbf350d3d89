// Bad commands fail with a typed EngineError and leave the state exactly as it was (apply is transactional).
import fc from 'fast-check';
import type { Command } from './commands';
import { EngineError, type EngineErrorCode } from './core/errors';
import { apply, createHost, emptyHostState, restore, snapshot, stateHash } from './host';
import { getDomain, msixEntry } from './queries';
import { HVM, PV, VF, pvHost } from './testing/fixtures';
import type { HostState } from './core/state';

function errorOf(state: HostState, c: Command): EngineError {
  try {
    apply(state, c);
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error(`expected ${c.type} to fail`);
}

/** A PV guest runs with the VF; igbvf is unloaded in the guest (so test vectors can be requested). */
function busyHost(): HostState {
  const d = pvHost('rhel5-2.6.18-283');
  d.run(
    { type: 'domain.define', config: { name: HVM, type: 'hvm', hostdevs: [VF] } },
    { type: 'domain.start', domain: PV },
    { type: 'guest.rmmod', domain: PV, module: 'igbvf' },
  );
  return d.state;
}

const cases: [string, Command, EngineErrorCode, string][] = [
  ['unknown BDF', { type: 'device.detach', bdf: '0000:0a:00.0' }, 'unknown-device', ''],
  ['malformed BDF', { type: 'device.reattach', bdf: '01:10' }, 'invalid-argument', ''],
  [
    'device owned by another domain',
    { type: 'domain.start', domain: HVM },
    'device-busy',
    'failed to assign device 0000:01:10.0 that has already been assigned to other domain.',
  ],
  [
    'unbinding an assigned device from pciback',
    { type: 'pciback.unbind', bdf: VF },
    'device-busy',
    '',
  ],
  [
    'resetting an assigned device',
    { type: 'device.reset', bdf: VF, method: 'flr' },
    'device-busy',
    '',
  ],
  [
    'MSI-X entry beyond the table',
    { type: 'guest.msix.enable', domain: PV, bdf: VF, entries: [0, 3] },
    'msix-entry-out-of-range',
    '',
  ],
  [
    'duplicate MSI-X entries',
    { type: 'guest.msix.enable', domain: PV, bdf: VF, entries: [1, 1] },
    'duplicate-entry',
    '',
  ],
  [
    'more vectors than the table has',
    { type: 'guest.msix.enable', domain: PV, bdf: VF, entries: [0, 1, 2, 0] },
    'too-many-vectors',
    '',
  ],
  [
    'a workload on a missing MSI-X entry',
    { type: 'workload.irq', domain: PV, bdf: VF, entry: 7, rate: 10 },
    'msix-entry-out-of-range',
    '',
  ],
  [
    'PV hot attach',
    { type: 'domain.attach-hostdev', domain: PV, hostdev: '0000:01:10.1', live: true },
    'pv-hot-attach-unsupported',
    'only HVM guest support pci attach',
  ],
  [
    'PV hot detach',
    { type: 'domain.detach-hostdev', domain: PV, bdf: VF },
    'pv-hot-detach-unsupported',
    '',
  ],
  [
    'duplicate hostdevs',
    { type: 'domain.define', config: { name: 'x', type: 'pv', hostdevs: [VF, '01:10.0'] } },
    'duplicate-entry',
    '',
  ],
  [
    'a domain named __proto__',
    {
      type: 'domain.define',
      config: { name: '__proto__', type: 'pv', hostdevs: ['0000:01:10.1'] },
    },
    'invalid-argument',
    "domain name '__proto__' is reserved",
  ],
  [
    'a domain named constructor',
    { type: 'domain.define', config: { name: 'constructor', type: 'pv' } },
    'invalid-argument',
    "domain name 'constructor' is reserved",
  ],
  [
    'a guest module named __proto__',
    { type: 'domain.define', config: { name: 'm', type: 'pv', guestModules: ['__proto__'] } },
    'invalid-argument',
    "module name '__proto__' is reserved",
  ],
  ['undefining a running domain', { type: 'domain.undefine', domain: PV }, 'domain-running', ''],
  ['starting a running domain', { type: 'domain.start', domain: PV }, 'domain-running', ''],
  [
    'shutting down a stopped domain',
    { type: 'domain.shutdown', domain: HVM },
    'domain-not-running',
    '',
  ],
  ['an unknown domain', { type: 'domain.reboot', domain: 'nope' }, 'unknown-domain', ''],
  [
    'an unknown command',
    { type: 'domain.explode', domain: PV } as unknown as Command,
    'unknown-command',
    '',
  ],
  ['time going backwards', { type: 'advance', ns: 1, at: -5 }, 'invalid-argument', ''],
  ['a negative advance', { type: 'advance', ns: -1 }, 'invalid-argument', ''],
  ['a second host.create', { type: 'host.create', template: 'rhbz688673' }, 'invalid-state', ''],
  ['unloading pciback while a domain uses it', { type: 'pciback.unload' }, 'module-in-use', ''],
  ['a bad new_slot string', { type: 'pciback.new_slot', slot: 'zz' }, 'invalid-argument', ''],
  [
    'an unknown profile on reboot',
    { type: 'host.reboot', profile: 'rhel6' },
    'unknown-profile',
    '',
  ],
  [
    'an unknown changeset on reboot',
    { type: 'host.reboot', patch: ['cs9999'] },
    'unknown-changeset',
    '',
  ],
];

describe('engine errors leave the state unchanged', () => {
  const base = busyHost();
  const hash = stateHash(base);

  it.each(cases)('%s → %s', (_name, command, code, message) => {
    const e = errorOf(base, command);
    expect(e.code).toBe(code);
    if (message) expect(e.message).toContain(message);
    expect(stateHash(base)).toBe(hash);
  });

  it("a restored host (plain records) has no domain called 'constructor' or 'toString'", () => {
    const restored = restore(snapshot(base));
    for (const name of ['constructor', 'toString', '__proto__']) {
      expect(errorOf(restored, { type: 'domain.start', domain: name }).code).toBe('unknown-domain');
      expect(errorOf(restored, { type: 'guest.schedule', domain: name, order: [] }).code).toBe(
        'unknown-domain',
      );
      expect(() => getDomain(restored, name)).toThrow(`Domain '${name}' does not exist.`);
    }
    expect(stateHash(restored)).toBe(hash);
  });

  it('a command dated before the host clock is refused with time-backwards', () => {
    const later = apply(base, { type: 'advance', ns: 1000 }).state;
    expect(errorOf(later, { type: 'advance', ns: 1, at: 500 }).code).toBe('time-backwards');
  });

  it('commands before host.create are refused with host-not-created', () => {
    expect(errorOf(emptyHostState(), { type: 'advance', ns: 1 }).code).toBe('host-not-created');
  });

  it('unknown template / profile / changeset at creation', () => {
    const empty = emptyHostState();
    expect(errorOf(empty, { type: 'host.create', template: 'nope' }).code).toBe('unknown-template');
    expect(errorOf(empty, { type: 'host.create', template: 'rhbz688673', profile: 'x' }).code).toBe(
      'unknown-profile',
    );
    expect(
      errorOf(empty, { type: 'host.create', template: 'rhbz688673', patch: ['cs1'] }).code,
    ).toBe('unknown-changeset');
  });

  it('queries refuse an MSI-X entry beyond the table', () => {
    expect(() => msixEntry(base, VF, 3)).toThrow(
      expect.objectContaining({ code: 'msix-entry-out-of-range' }),
    );
    expect(msixEntry(base, VF, 2).entry).toBe(2);
  });

  it('a command failing half-way through (pciback load with a bad hide after unbinding) changes nothing', () => {
    const s = createHost({ type: 'host.create', template: 'rhbz688673' }).state;
    const h = stateHash(s);
    expect(errorOf(s, { type: 'pciback.load', hide: '(0000:01:10.0)garbage' }).code).toBe(
      'invalid-argument',
    );
    expect(stateHash(s)).toBe(h);
  });

  it('property: any command either fails with an EngineError or succeeds, and never changes its input', () => {
    const bdf = fc.constantFrom(VF, '0000:01:10.1', '0000:01:00.0', '0000:09:00.0', 'junk');
    const dom = fc.constantFrom(PV, HVM, 'ghost');
    const cmd: fc.Arbitrary<Command> = fc.oneof(
      fc.record({ type: fc.constant('device.detach' as const), bdf }),
      fc.record({ type: fc.constant('device.reattach' as const), bdf }),
      fc.record({
        type: fc.constant('device.reset' as const),
        bdf,
        method: fc.constantFrom('flr' as const, 'bus' as const, 'backdoor' as const),
      }),
      fc.record({ type: fc.constant('msi.prune' as const), bdf }),
      fc.record({ type: fc.constant('pciback.bind' as const), bdf }),
      fc.record({ type: fc.constant('domain.start' as const), domain: dom }),
      fc.record({ type: fc.constant('domain.destroy' as const), domain: dom }),
      fc.record({ type: fc.constant('domain.reboot' as const), domain: dom }),
      fc.record({
        type: fc.constant('guest.msix.enable' as const),
        domain: dom,
        bdf,
        entries: fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 5 }),
      }),
      fc.record({
        type: fc.constant('workload.ping' as const),
        domain: dom,
        rate: fc.integer({ min: -5, max: 2_000_000 }),
      }),
      fc.record({
        type: fc.constant('advance' as const),
        ns: fc.integer({ min: -10, max: 5_000_000_000 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 6 }), (cmds) => {
        let s = base;
        for (const c of cmds) {
          const before = stateHash(s);
          try {
            s = apply(s, c).state;
          } catch (e) {
            if (!(e instanceof EngineError)) throw e;
            expect(stateHash(s)).toBe(before);
          }
        }
        expect(stateHash(base)).toBe(hash);
      }),
      { numRuns: 40 },
    );
  });
});
