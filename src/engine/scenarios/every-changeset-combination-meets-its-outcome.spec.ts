// For every subset of the four RHBZ#688673 changesets patched onto the as-reported kernel, each scenario's
// matching outcome holds: the flags only add or remove code paths, and the outcomes describe what each
// combination does (seed 001 c.24: 945+956+1070 "not good enough"; c.3: 1070 cures only xm destroy).
import { CHANGESET_IDS } from '../profiles/changesets';
import { SCENARIOS, runScenario } from './index';

const subsets = (xs: readonly string[]): string[][] =>
  xs.reduce<string[][]>((acc, x) => acc.concat(acc.map((s) => [...s, x])), [[]]);

describe('every changeset combination meets its outcome', () => {
  for (const def of SCENARIOS) {
    for (const patch of subsets(CHANGESET_IDS)) {
      it(`${def.id} with [${patch.join(', ')}]`, () => {
        const run = runScenario(def, { profile: 'rhel5-2.6.18-274', patch });
        expect(run.checks.filter((c) => !c.ok)).toEqual([]);
      });
    }
  }
});
