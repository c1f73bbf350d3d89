// Determinism: the same configuration and command list give the same state hash and the same events, byte
// for byte; a snapshot restores to the same hash; replaying a journal rebuilds the host exactly.
import type { Command } from './commands';
import { applyAll, createHost, restore, snapshot, stateHash } from './host';
import { SCENARIOS, getScenario, runScenario } from './scenarios';
import { listDevices } from './queries';
import { canonicalJson } from './core/hash';

describe('determinism', () => {
  it.each(SCENARIOS.map((s) => s.id))('%s run twice gives the same hash, logs and events', (id) => {
    const a = runScenario(getScenario(id));
    const b = runScenario(getScenario(id));
    expect(b.stateHash).toBe(a.stateHash);
    expect(b.logs).toEqual(a.logs);
    expect(canonicalJson(b.events)).toBe(canonicalJson(a.events));
  });

  it('different profiles give different hashes', () => {
    const def = getScenario('rhbz688673-pv-reboot');
    expect(runScenario(def, { profile: 'rhel5-2.6.18-274' }).stateHash).not.toBe(
      runScenario(def, { profile: 'rhel5-2.6.18-283' }).stateHash,
    );
  });

  it('a snapshot round-trips through JSON to the same hash', () => {
    const run = runScenario(getScenario('rhbz688673-owner-transitions'));
    const json = snapshot(run.state);
    const back = restore(JSON.stringify(JSON.parse(json)));
    expect(stateHash(back)).toBe(run.stateHash);
  });

  it('snapshot + journal tail rebuilds the host exactly', () => {
    const def = getScenario('rhbz688673-pv-reboot');
    const commands: Command[] = def.steps.map((s) => s.command);
    const created = createHost({ type: 'host.create', template: def.template });
    const full = applyAll(created.state, commands);
    const mid = applyAll(created.state, commands.slice(0, 5));
    const resumed = applyAll(restore(snapshot(mid.state)), commands.slice(5));
    expect(stateHash(resumed.state)).toBe(stateHash(full.state));
    expect(canonicalJson(resumed.events)).toBe(canonicalJson(full.events.slice(mid.events.length)));
  });

  it('restore refuses something that is not a snapshot', () => {
    expect(() => restore('{"schema":99}')).toThrow(
      expect.objectContaining({ code: 'snapshot-invalid' }),
    );
    expect(() => restore('not json')).toThrow(
      expect.objectContaining({ code: 'snapshot-invalid' }),
    );
  });

  it('randomness comes from the seeded PRNG in state: same seed, same VF MACs; another seed, others', () => {
    const mac = (seed: number): string =>
      createHost({ type: 'host.create', template: 'rhbz688673', seed }).state.dom0.vfMacs[
        '0000:01:10.0'
      ];
    expect(mac(7)).toBe(mac(7));
    expect(mac(7)).not.toBe(mac(8));
    expect(
      listDevices(createHost({ type: 'host.create', template: 'rhbz688673', seed: 7 }).state),
    ).toEqual(
      listDevices(createHost({ type: 'host.create', template: 'rhbz688673', seed: 7 }).state),
    );
  });
});
