// RHBZ#688673 (seeds 000, 001) seen through the vector ledger: dom0's msi list entries are stale exactly
// when the hypervisor does not map their pirqs to the device for its current owner.
import {
  apply,
  createHost,
  dom0MsiList,
  listDevices,
  msixTable,
  xenPirqs,
  type Command,
  type HostState,
} from '../engine';
import { msiLedger } from './msi-ledger';
import type { MsiDevice } from './msi.models';

const VF = '0000:01:10.0';
const PV = 'rhel56-64bit-pv';

function run(state: HostState, ...commands: Command[]): HostState {
  return commands.reduce((s, c) => apply(s, c).state, state);
}

function row(state: HostState, bdf = VF): MsiDevice {
  const r = msiLedger({
    devices: listDevices(state),
    msiList: dom0MsiList(state),
    pirqs: xenPirqs(state),
    table: (b) => msixTable(state, b),
  }).find((d) => d.bdf === bdf);
  if (!r) throw new Error(`${bdf} is not in the ledger`);
  return r;
}

describe('vector ledger on the stack as reported (rhel5-2.6.18-274)', () => {
  const created = createHost({ type: 'host.create', name: 'lab', template: 'rhbz688673' }).state;
  const booted = run(
    created,
    { type: 'device.detach', bdf: VF },
    { type: 'domain.define', config: { name: PV, type: 'pv', hostdevs: [VF] } },
    { type: 'domain.start', domain: PV },
    { type: 'workload.ping', domain: PV, rate: 100 },
    { type: 'advance', ns: 1_000_000_000 },
  );
  const rebooted = run(booted, { type: 'domain.reboot', domain: PV });

  it("marks nothing stale while dom0's own igbvf uses the VF", () => {
    const r = row(created);
    expect(r.owner).toEqual({ domain: 'Domain-0', domid: 0 });
    expect(r.msiList.map((e) => e.pirq)).toEqual([255, 254, 253]);
    expect(r.msiList.every((e) => !e.stale)).toBe(true);
    expect(r.pirqs.map((p) => [p.domid, p.pirq])).toEqual([
      [0, 255],
      [0, 254],
      [0, 253],
    ]);
  });

  it('marks nothing stale on the first boot of the PV guest: its pirqs are mapped', () => {
    const r = row(booted);
    expect(r.owner).toEqual({ domain: PV, domid: 1 });
    expect(r.staleEntries).toBe(0);
    expect(r.msiList.map((e) => [e.entry, e.pirq, e.stale])).toEqual([
      [0, 255, false],
      [1, 254, false],
      [2, 253, false],
    ]);
    expect(r.pirqs.map((p) => [p.domain, p.pirq])).toEqual([
      [PV, 255],
      [PV, 254],
      [PV, 253],
    ]);
    expect(r.msix?.entries).toHaveLength(3);
    expect(r.msix?.entries.every((e) => e.target?.domid === 1)).toBe(true);
  });

  it('marks every entry stale after the reboot: the new domain never mapped them', () => {
    const r = row(rebooted);
    expect(r.owner).toEqual({ domain: PV, domid: 2 });
    expect(r.msiList.map((e) => [e.entry, e.pirq, e.stale])).toEqual([
      [0, 255, true],
      [1, 254, true],
      [2, 253, true],
    ]);
    expect(r.staleEntries).toBe(3);
    expect(r.pirqs).toEqual([]);
    expect(r.msix?.entries.every((e) => e.target === null)).toBe(true);
  });

  it('keeps them stale when nothing owns the device, and prune empties the list', () => {
    const down = run(rebooted, { type: 'domain.destroy', domain: PV });
    expect(row(down).owner).toBeNull();
    expect(row(down).staleEntries).toBe(3);
    const pruned = row(run(down, { type: 'msi.prune', bdf: VF }));
    expect(pruned.msiList).toEqual([]);
    expect(pruned.staleEntries).toBe(0);
  });

  it('lists the devices with an MSI-X table or MSI state, in BDF order', () => {
    const bdfs = msiLedger({
      devices: listDevices(created),
      msiList: dom0MsiList(created),
      pirqs: xenPirqs(created),
      table: (b) => msixTable(created, b),
    }).map((d) => d.bdf);
    expect(bdfs).toEqual(['0000:01:00.0', '0000:01:00.1', '0000:01:10.0', '0000:01:10.1']);
  });
});

describe('vector ledger with the fix (msi-prune)', () => {
  it('leaves nothing stale across a PV reboot', () => {
    const state = run(
      createHost({
        type: 'host.create',
        name: 'lab',
        template: 'rhbz688673',
        patch: ['cs1070', 'msi-prune'],
      }).state,
      { type: 'device.detach', bdf: VF },
      { type: 'domain.define', config: { name: PV, type: 'pv', hostdevs: [VF] } },
      { type: 'domain.start', domain: PV },
      { type: 'domain.reboot', domain: PV },
    );
    const r = row(state);
    expect(r.owner?.domid).toBe(2);
    expect(r.msiList.length).toBeGreaterThan(0);
    expect(r.staleEntries).toBe(0);
  });
});
