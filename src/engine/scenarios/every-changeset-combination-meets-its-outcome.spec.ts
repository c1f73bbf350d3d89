// For every subset of the four RHBZ#688673 changesets patched onto the as-reported kernel, each scenario's
// matching outcome holds: the flags only add or remove code paths, and the outcomes describe what each
// combination does (seed 001 c.24: 945+956+1070 "not good enough"; c.3: 1070 cures only xm destroy).
import { CHANGESETS, CHANGESET_IDS } from '../profiles/changesets';
import { runScenario } from './index';
import { RHBZ688673_SCENARIOS } from './rhbz688673';

// The RHEL-5 changesets only (Engine II's have their own combination spec next to their scenarios).
const RHEL5_CHANGESETS = CHANGESET_IDS.filter(
  (c) => CHANGESETS[c].component === 'linux-2.6.18-xen',
);

const subsets = (xs: readonly string[]): string[][] =>
  xs.reduce<string[][]>((acc, x) => acc.concat(acc.map((s) => [...s, x])), [[]]);

describe('every changeset combination meets its outcome', () => {
  for (const def of RHBZ688673_SCENARIOS) {
    for (const patch of subsets(RHEL5_CHANGESETS)) {
      it(`${def.id} with [${patch.join(', ')}]`, () => {
        const run = runScenario(def, { profile: 'rhel5-2.6.18-274', patch });
        expect(run.checks.filter((c) => !c.ok)).toEqual([]);
      });
    }
  }
});
