// The operator's repair of RHBZ#688673 (seed 001): prune a VF's stale dom0 msi-list items while the
// leaking PV guest still runs, then reboot it — the next msix_capability_init() maps fresh pirqs.
import {
  apply,
  createHost,
  dom0MsiList,
  interruptCounters,
  stateHash,
  type Command,
  type HostState,
} from '../index';

const VF = '0000:01:10.0';
const PV = 'rhel56-64bit-pv';

function run(state: HostState, commands: Command[]): HostState {
  return commands.reduce((s, c) => apply(s, c).state, state);
}

function booted(): HostState {
  const s = createHost({ type: 'host.create', name: 'lab', template: 'rhbz688673' }).state;
  return run(s, [
    { type: 'device.detach', bdf: VF },
    { type: 'domain.define', config: { name: PV, type: 'pv', hostdevs: [VF] } },
    { type: 'domain.start', domain: PV },
  ]);
}

const delivered = (s: HostState): number[] =>
  interruptCounters(s, { domain: PV })
    .filter((c) => c.live && c.raised > 0)
    .map((c) => c.delivered);

describe('msi.prune on a device a running domain holds', () => {
  it('leaves live items alone on a healthy guest (nothing is stale)', () => {
    const s = booted();
    const after = apply(s, { type: 'msi.prune', bdf: VF }).state;
    expect(dom0MsiList(after, VF)[0].pirqs).toHaveLength(3);
    expect(stateHash(after)).toBe(stateHash(s));
  });

  it('removes the stale items of the leaked reboot; the next reboot gets interrupts again', () => {
    const leaked = run(booted(), [{ type: 'domain.reboot', domain: PV }]);
    expect(dom0MsiList(leaked, VF)[0].pirqs).toHaveLength(3);
    const pruned = apply(leaked, { type: 'msi.prune', bdf: VF });
    expect(dom0MsiList(pruned.state, VF)[0].pirqs).toEqual([]);
    expect(
      pruned.events.filter((e) => e.type === 'log').map((e) => (e as { text: string }).text),
    ).toEqual([
      `PCI: ${VF}: cleaning up MSI-X entry 0`,
      `PCI: ${VF}: cleaning up MSI-X entry 1`,
      `PCI: ${VF}: cleaning up MSI-X entry 2`,
    ]);
    const starved = run(pruned.state, [
      { type: 'workload.ping', domain: PV, rate: 100 },
      { type: 'advance', ns: 1_000_000_000 },
    ]);
    expect(delivered(starved).every((n) => n === 0)).toBe(true);
    const repaired = run(pruned.state, [
      { type: 'domain.reboot', domain: PV },
      { type: 'workload.ping', domain: PV, rate: 100 },
      { type: 'advance', ns: 1_000_000_000 },
    ]);
    expect(delivered(repaired).length).toBeGreaterThan(0);
    expect(delivered(repaired).every((n) => n > 0)).toBe(true);
  });
});
