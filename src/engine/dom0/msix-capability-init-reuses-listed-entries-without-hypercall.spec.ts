// msix_capability_init() filtering (spec §5, seed 001 c.33): a requested entry already in the device's
// msi_dev_head list is reported "not freed before acquire again" and its stale pirq reused — no
// PHYSDEVOP_map_pirq; only entries not in the list are mapped.
import { beginTx } from '../core/tx';
import type { EngineEvent } from '../core/events';
import { createHost } from '../host';
import { dom0MsiList } from '../queries';
import { msixCapabilityInit, pciEnableMsix } from './msi-xen';
import { PV, VF, pvHost } from '../testing/fixtures';

const PF = '0000:01:00.0';
const maps = (ev: EngineEvent[]): number =>
  ev.filter((e) => e.type === 'msi.vector' && e.action === 'xen.map').length;
const logs = (ev: EngineEvent[]): string[] => ev.flatMap((e) => (e.type === 'log' ? [e.text] : []));

describe('msix_capability_init filtering', () => {
  it('maps every entry the list does not hold, for dom0 itself (owner DOMID_SELF, no "get owner" line)', () => {
    const tx = beginTx(createHost({ type: 'host.create', template: 'rhbz688673' }).state);
    const entries = [0, 1].map((entry) => ({ entry, vector: 0 }));
    expect(pciEnableMsix(tx, 'dom0', PF, entries)).toBe(0);
    expect(maps(tx.events)).toBe(2);
    expect(logs(tx.events).some((l) => l.startsWith('get owner'))).toBe(false);
    expect(dom0MsiList(tx.s, PF)[0].pirqs.map((p) => p.entry)).toEqual([0, 1]);
  });

  it('reuses a listed entry without a hypercall and maps only the new one', () => {
    const tx = beginTx(createHost({ type: 'host.create', template: 'rhbz688673' }).state);
    const first = [0, 1].map((entry) => ({ entry, vector: 0 }));
    pciEnableMsix(tx, 'dom0', PF, first);
    const before = tx.events.length;
    const second = [1, 2].map((entry) => ({ entry, vector: 0 }));
    expect(msixCapabilityInit(tx, PF, second)).toBe(0);
    const ev = tx.events.slice(before);
    expect(logs(ev)).toEqual(['msix entry 1 for dev 01:00:0 are not freed before acquire again.']);
    expect(maps(ev)).toBe(1);
    expect(second[0].vector).toBe(first[1].vector);
  });

  it("for a PV guest's VF whose list is stale, no entry is mapped and the old pirqs come back", () => {
    const d = pvHost('rhel5-2.6.18-274');
    d.run({ type: 'domain.start', domain: PV });
    const tx = beginTx(d.state);
    const entries = [0, 1, 2].map((entry) => ({ entry, vector: 0 }));
    expect(msixCapabilityInit(tx, VF, entries)).toBe(0);
    expect(entries.map((e) => e.vector)).toEqual([255, 254, 253]);
    expect(maps(tx.events)).toBe(0);
    expect(logs(tx.events)).toEqual(
      [0, 1, 2].map((e) => `msix entry ${e} for dev 01:10:0 are not freed before acquire again.`),
    );
  });

  it('pci_enable_msix refuses out-of-range and duplicate entries with -EINVAL before touching the list', () => {
    const tx = beginTx(createHost({ type: 'host.create', template: 'rhbz688673' }).state);
    expect(pciEnableMsix(tx, 'dom0', PF, [{ entry: 10, vector: 0 }])).toBe(-22);
    expect(
      pciEnableMsix(tx, 'dom0', PF, [
        { entry: 1, vector: 0 },
        { entry: 1, vector: 0 },
      ]),
    ).toBe(-22);
    expect(maps(tx.events)).toBe(0);
  });
});
