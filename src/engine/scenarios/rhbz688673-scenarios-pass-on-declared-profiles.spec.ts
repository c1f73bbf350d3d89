// Every RHBZ#688673 scenario (seeds 000 and 001) passes for every profile it declares.
import { SCENARIOS, runScenario } from './index';

describe('RHBZ#688673 scenarios (seed 001_e71fea0288255001.txt)', () => {
  for (const def of SCENARIOS) {
    for (const profile of def.profiles) {
      it(`${def.id} passes on ${profile}`, () => {
        const run = runScenario(def, { profile });
        const failed = run.checks.filter((c) => !c.ok);
        expect(failed).toEqual([]);
        expect(run.passed).toBe(true);
      });
    }
  }
});
