// Seed 003's consequences in the VT-d code of Xen 4.4 (spec §4.2, R20): domain_context_mapping() skips
// the bridge ids when find_upstream_bridge() < 1 and set_msi_source_id() logs "d%d: no upstream bridge
// for %04x:%02x:%02x.%u" — or, with a sane table, maps (secbus, 0) and verifies the bus range.
import { CHANGESETS } from '../profiles/changesets';
import { HBA, KONRAD_GUEST, createWith, passHba, removeAndAddTundra } from '../testing/fixtures2';
import { findUpstreamBridge } from './pdev';

const FIXES = [
  'xen-4.4-linux-3.13-readd',
  'xen-4.4-bus2bridge-invalidate',
  'xen-4.4-trap-bus-writes',
];

describe('VT-d context mapping and interrupt remapping follow the bus2bridge walk', () => {
  it("as reported: only the HBA id is mapped for d1, (07,00.0) stays dom0's, the IRTE is unverified", () => {
    const d = createWith('xen44-assign-busses', 'xen-4.4-linux-3.13');
    d.run(...removeAndAddTundra, ...passHba);
    expect(d.lines()).toContain('xen: (XEN) [VT-D]iommu.c:1471: d1:PCI: map 0000:08:00.0');
    expect(d.lines()).toContain(
      'xen: (XEN) [VT-D]intremap.c:467: d1: no upstream bridge for 0000:06:00.0',
    );
    expect(d.state.xen.vtdContexts?.[HBA]).toBe(1);
    expect(d.state.xen.vtdContexts?.['0000:07:00.0']).toBe(0);
    const irte = Object.entries(d.state.xen.irteSources ?? {}).find(([k]) => k.startsWith('d1.'));
    expect(irte?.[1]).toEqual({ svt: 'none', value: '' });
    d.run(
      { type: 'workload.irq', domain: KONRAD_GUEST, bdf: HBA, entry: 0, rate: 100 },
      { type: 'advance', ns: 1_000_000_000 },
    );
    const ev = d.events.filter((e) => e.type === 'interrupts');
    expect(ev.reduce((a, e) => a + (e.type === 'interrupts' ? e.delivered : 0), 0)).toBe(0);
  });

  it.each(FIXES)(
    '%s: the Tundra and its secondary-bus id are mapped and the IRTE verifies buses 06-08',
    (profile) => {
      const d = createWith('xen44-assign-busses', profile);
      d.run(...removeAndAddTundra, ...passHba);
      expect(findUpstreamBridge(d.state, 0, 8, 0).ret).toBe(1);
      expect(d.state.xen.vtdContexts?.['0000:07:00.0']).toBe(1);
      expect(d.state.xen.vtdContexts?.['0000:06:00.0']).toBe(1);
      const irte = Object.entries(d.state.xen.irteSources ?? {}).find(([k]) => k.startsWith('d1.'));
      expect(irte?.[1]).toEqual({ svt: 'bus', value: '06-08' });
      expect(d.lines().some((l) => l.includes('no upstream bridge'))).toBe(false);
    },
  );

  it('each of the three fixes is a changeset a user can toggle alone', () => {
    for (const id of [
      'xen-readd-devices',
      'xen-bus2bridge-invalidate',
      'xen-trap-bus-writes',
    ] as const) {
      expect(CHANGESETS[id].seeds).toEqual(['003_0251ca305827a040.txt']);
      const d = createWith('xen44-assign-busses', 'xen-4.4-linux-3.13', [id]);
      d.run(...removeAndAddTundra);
      expect(findUpstreamBridge(d.state, 0, 8, 0).ret).toBe(1);
    }
  });

  it('a DMA whose requester id has no context entry at all is reported once with iommu=debug', () => {
    // Removing the Tundra's subtree unmaps (07,00.0) from dom0; the document's table is then in place
    // when the HBA comes back and goes to the guest, so nobody maps that id again.
    const d = createWith('xen44-assign-busses', 'xen-4.4-linux-3.13-readd');
    d.run(removeAndAddTundra[0]);
    d.run({
      type: 'xen.debug.bus2bridge',
      map: { '6': '06:00.0', '7': '06:00.0', '8': '07:01.0' },
    });
    d.run(removeAndAddTundra[1], ...passHba);
    expect(d.state.xen.vtdContexts?.['0000:07:00.0']).toBeUndefined();
    d.run(
      { type: 'workload.irq', domain: KONRAD_GUEST, bdf: HBA, entry: 0, rate: 100 },
      { type: 'advance', ns: 1_000_000_000 },
      { type: 'advance', ns: 1_000_000_000 },
    );
    const dmar = d.lines().filter((l) => l.includes('DMAR:[DMA Write]'));
    expect(dmar).toEqual([
      'xen: (XEN) [VT-D]iommu.c:851: DMAR:[DMA Write] Request device [0000:07:00.0] fault addr 1ec000, iommu reg = ffff82c3ffff5000',
    ]);
  });
});
