// Seeds 002–004: for every subset of each scenario's changesets on its as-reported profile, the matching
// outcome holds (e.g. S-B needs both halves: qemu-unmap-pirqs without linux-fresh-pirq); and each run
// twice gives the same stateHash.
import type { ChangesetId } from '../profiles/changesets';
import { PROFILES } from '../profiles/profiles';
import { ENGINE2_SCENARIOS } from './engine2';
import { runScenario } from './runner';

const RELEVANT: Record<string, ChangesetId[]> = {
  'nvme-pvhvm-cached-pirq': ['qemu-unmap-pirqs', 'linux-fresh-pirq'],
  'xen44-assign-busses': ['xen-readd-devices', 'xen-bus2bridge-invalidate', 'xen-trap-bus-writes'],
  'xen44-bus2bridge-fixture': [
    'xen-readd-devices',
    'xen-bus2bridge-invalidate',
    'xen-trap-bus-writes',
  ],
  'vfio-ipr-bist-reset': ['vfio-restore-msix', 'ipr-disable-msix-around-reset'],
  'vfio-ipr-bist-reset-x86': ['vfio-restore-msix', 'ipr-disable-msix-around-reset'],
};

const subsets = <T>(xs: readonly T[]): T[][] =>
  xs.reduce<T[][]>((acc, x) => acc.concat(acc.map((s) => [...s, x])), [[]]);

describe('Engine II scenarios under every combination of their changesets', () => {
  for (const def of ENGINE2_SCENARIOS) {
    const profile = def.profiles[0];
    const base = PROFILES[profile].changesets;
    for (const want of subsets(RELEVANT[def.id])) {
      it(`${def.id} with [${want.join(', ')}]`, () => {
        const patch = want.filter((c) => !base.includes(c));
        const revert = RELEVANT[def.id].filter((c) => base.includes(c) && !want.includes(c));
        const run = runScenario(def, { profile, patch, revert });
        expect(run.checks.filter((c) => !c.ok)).toEqual([]);
        const others = base.filter((c) => !RELEVANT[def.id].includes(c));
        expect(run.changesets).toEqual([...others, ...want].sort());
      });
    }
  }

  it.each(ENGINE2_SCENARIOS.map((d) => d.id))(
    '%s gives the same stateHash and logs twice',
    (id) => {
      const def = ENGINE2_SCENARIOS.find((d) => d.id === id);
      if (!def) throw new Error(id);
      const a = runScenario(def);
      const b = runScenario(def);
      expect(a.stateHash).toBe(b.stateHash);
      expect(a.logs).toEqual(b.logs);
    },
  );
});
