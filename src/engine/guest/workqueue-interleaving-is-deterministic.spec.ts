// The guest workqueue scheduler (seed 002: NVMe controllers initialise concurrently): an explicit
// schedule decides the interleaving; without one the host's seeded PRNG does — the same seed gives the
// same run, byte for byte.
import { createHost, stateHash } from '../host';
import { NVME_A, NVME_B, NVME_GUEST, SB_ORDER } from '../testing/fixtures2';
import { Driver } from '../testing/fixtures';

function boot(order: string[] | null, seed = 7): Driver {
  const d = new Driver(createHost({ type: 'host.create', template: 'nvme-pvhvm', seed }).state);
  d.run({
    type: 'domain.define',
    config: {
      name: NVME_GUEST,
      type: 'hvm',
      vcpus: 2,
      hostdevs: [
        { bdf: NVME_A, managed: true },
        { bdf: NVME_B, managed: true },
      ],
    },
  });
  if (order) d.run({ type: 'guest.schedule', domain: NVME_GUEST, order });
  d.run({ type: 'domain.start', domain: NVME_GUEST });
  return d;
}

function allocOrder(d: Driver): string[] {
  return d
    .lines()
    .filter((l) => l.includes('xen: msi bound to pirq='))
    .map((l) => (l.includes('00:05.0') ? 'A' : 'B'));
}

describe('guest workqueue interleaving', () => {
  it('an explicit schedule runs the named work step by step', () => {
    const aFirst = allocOrder(boot(['nvme0', 'nvme0', 'nvme0', 'nvme0', 'nvme1']));
    const bFirst = allocOrder(boot(['nvme1', 'nvme1', 'nvme1', 'nvme1', 'nvme0']));
    expect(aFirst.slice(0, 3)).toEqual(['A', 'A', 'A']);
    expect(bFirst.slice(0, 3)).toEqual(['B', 'B', 'B']);
  });

  it('without a schedule the seeded PRNG interleaves: same seed, same run', () => {
    const one = boot(null, 11);
    const two = boot(null, 11);
    expect(stateHash(one.state)).toBe(stateHash(two.state));
    expect(one.lines()).toEqual(two.lines());
  });

  it('different seeds can interleave differently', () => {
    const orders = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) orders.add(allocOrder(boot(null, seed)).join(''));
    expect(orders.size).toBeGreaterThan(1);
  });

  it('a timer wakes the work only when virtual time reaches it', () => {
    const b = boot(SB_ORDER);
    b.run({ type: 'advance', ns: 59_000_000_000 });
    expect(b.lines().some((l) => l.includes('timeout, disable controller'))).toBe(false);
    b.run({ type: 'advance', ns: 2_000_000_000 });
    expect(b.lines().some((l) => l.includes('timeout, disable controller'))).toBe(true);
  });
});
