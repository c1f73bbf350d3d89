// apply() is pure: it copies what it changes (copy-on-write) and never writes into the state it was given.
// Every input state here is deep-frozen, so a single stray write would throw.
import type { Command } from './commands';
import type { HostState } from './core/state';
import { EngineError } from './core/errors';
import { apply, createHost, stateHash } from './host';
import { getScenario } from './scenarios';

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

function replayFrozen(template: string, commands: Command[], profile?: string): HostState {
  let s = createHost({ type: 'host.create', template, ...(profile ? { profile } : {}) }).state;
  for (const c of commands) {
    deepFreeze(s);
    try {
      s = apply(s, c).state;
    } catch (e) {
      // a write into a frozen input throws TypeError; refused commands (EngineError) are fine here
      if (!(e instanceof EngineError)) throw e;
    }
  }
  return s;
}

describe('apply never mutates its input', () => {
  it.each([
    ['rhbz688673-pv-reboot', 'rhel5-2.6.18-274'],
    ['rhbz688673-pv-destroy', 'rhel5-2.6.18-283'],
    ['rhbz688673-hvm-reboot', 'rhel5-2.6.18-283'],
    ['rhbz688673-owner-transitions', 'rhel5-2.6.18-274'],
    ['rhbz688673-two-vfs', 'rhel5-2.6.18-283'],
  ])('%s on %s with deep-frozen inputs', (id, profile) => {
    const def = getScenario(id);
    const end = replayFrozen(
      def.template,
      def.steps.map((s) => s.command),
      profile,
    );
    expect(end.created).toBe(true);
  });

  it('the previous state keeps its hash after a successful command', () => {
    const s0 = createHost({ type: 'host.create', template: 'rhbz688673' }).state;
    const h0 = stateHash(s0);
    const s1 = apply(s0, { type: 'dom0.driver.unbind', bdf: '0000:01:10.0' }).state;
    expect(stateHash(s0)).toBe(h0);
    expect(stateHash(s1)).not.toBe(h0);
    expect(s1.hw).not.toBe(s0.hw);
    expect(s1.domains).toBe(s0.domains);
  });
});
