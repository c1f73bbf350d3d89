// Engine II paths stay pure: every Engine II scenario replays on every profile it declares with each
// input state deep-frozen (a stray write into the input throws), and ends where the unfrozen run ends.
import type { HostState } from './core/state';
import { EngineError } from './core/errors';
import { apply, createHost, stateHash } from './host';
import { ENGINE2_SCENARIOS } from './scenarios/engine2';
import { runScenario } from './scenarios/runner';

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

const cases = ENGINE2_SCENARIOS.flatMap((d) => d.profiles.map((p) => [d.id, p] as const));

describe('Engine II: apply never mutates its input', () => {
  it.each(cases)('%s on %s with deep-frozen inputs', (id, profile) => {
    const def = ENGINE2_SCENARIOS.find((d) => d.id === id);
    if (!def) throw new Error(id);
    let s: HostState = createHost({
      type: 'host.create',
      name: def.id,
      template: def.template,
      profile,
    }).state;
    for (const step of def.steps) {
      deepFreeze(s);
      try {
        s = apply(s, step.command).state;
      } catch (e) {
        if (!(e instanceof EngineError)) throw e;
      }
    }
    expect(stateHash(s)).toBe(runScenario(def, { profile }).stateHash);
  });
});
