// The engine benchmark's path (PV boot + shutdown with one VF: 3 MSI-X vectors mapped and unmapped through
// pcifront → pciback → msi-xen → the hypervisor), run for many cycles with every input state deep-frozen
// and hashed before and after: the copy-on-write shortcuts (record copies, handles, keys and names reused
// from caches) never write into a state they were given, and give the same result as unfrozen inputs.
import type { Command } from './commands';
import type { HostState } from './core/state';
import { apply, createHost, stateHash } from './host';

const VF = '0000:01:10.0';

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

function benchHost(): HostState {
  let s = createHost({
    type: 'host.create',
    template: 'rhbz688673',
    profile: 'rhel5-2.6.18-283',
  }).state;
  for (const c of [
    { type: 'dom0.driver.unbind', bdf: VF },
    { type: 'pciback.load', hide: `(${VF})` },
    { type: 'domain.define', config: { name: 'bench-pv', type: 'pv', hostdevs: [VF] } },
  ] as Command[])
    s = apply(s, c).state;
  return s;
}

const CYCLE: Command[] = [
  { type: 'domain.start', domain: 'bench-pv' },
  { type: 'workload.ping', domain: 'bench-pv', rate: 1000 },
  { type: 'advance', ns: 1_000_000 },
  { type: 'domain.reboot', domain: 'bench-pv' },
  { type: 'advance', ns: 1_000_000 },
  { type: 'domain.shutdown', domain: 'bench-pv' },
  { type: 'domain.start', domain: 'bench-pv' },
  { type: 'domain.destroy', domain: 'bench-pv' },
  { type: 'msi.prune', bdf: VF },
];

function run(freeze: boolean, cycles: number): { state: HostState; events: string[] } {
  let s = benchHost();
  const events: string[] = [];
  for (let i = 0; i < cycles; i++) {
    for (const c of CYCLE) {
      if (freeze) deepFreeze(s);
      const before = stateHash(s);
      const r = apply(s, c);
      expect(stateHash(s)).toBe(before);
      events.push(JSON.stringify(r.events));
      s = r.state;
    }
  }
  return { state: s, events };
}

describe('PV boot/shutdown cycles never touch their input', () => {
  it('deep-frozen inputs keep their hash and give what unfrozen inputs give', () => {
    const frozen = run(true, 6);
    const plain = run(false, 6);
    expect(stateHash(frozen.state)).toBe(stateHash(plain.state));
    expect(frozen.events).toEqual(plain.events);
    expect(frozen.events.join('\n')).toContain('"action":"xen.unmap"');
  });

  it('a state stays valid after the states derived from it moved on', () => {
    const s0 = deepFreeze(benchHost());
    const h0 = stateHash(s0);
    const a = apply(s0, CYCLE[0]).state;
    const b = apply(apply(a, { type: 'domain.shutdown', domain: 'bench-pv' }).state, CYCLE[0]);
    // the same command on the same (old) input gives the same state again
    expect(stateHash(apply(s0, CYCLE[0]).state)).toBe(stateHash(a));
    expect(stateHash(s0)).toBe(h0);
    expect(b.events.filter((e) => e.type === 'msi.vector' && e.action === 'xen.map')).toHaveLength(
      3,
    );
  });
});
