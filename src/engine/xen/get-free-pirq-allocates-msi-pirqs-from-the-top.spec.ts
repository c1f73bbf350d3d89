// get_free_pirq(d, MSI) (spec §4.1): the highest free pirq, so a domain's first MSI pirqs on Xen 3.x are
// 255, 254, 253; a freed pirq is reused at once; exhaustion is -ENOSPC with "dom%d: no free pirq".
import fc from 'fast-check';
import { beginTx } from '../core/tx';
import { createHost } from '../host';
import { domainCreate } from './domain';
import { getFreePirq, unmapDomainPirq } from './irq';
import { physdevMapPirq } from './physdev';
import { ENOSPC } from './errno';
import type { Tx } from '../core/tx';
import { ofDomid } from '../core/domtab';

const VF_BUS = 1;
const VF_DEVFN = 0x80;

function mapOne(tx: Tx, domid: number, entry: number): number {
  const tableBase = tx.s.dom0.pci['0000:01:10.0'].resources[3]?.start ?? 0;
  const r = physdevMapPirq(tx, 0, {
    domid,
    type: 'msi',
    index: -1,
    pirq: -1,
    bus: VF_BUS,
    devfn: VF_DEVFN,
    entryNr: entry % 3,
    tableBase,
  });
  return r.rc === 0 ? r.pirq : r.rc;
}

function freshDomain(profile?: string, xen?: string): { tx: Tx; domid: number } {
  const s = createHost({
    type: 'host.create',
    template: 'rhbz688673',
    ...(profile ? { profile } : {}),
    boot: { modprobe: ['options igb max_vfs=1', 'blacklist igbvf'], ...(xen ? { xen } : {}) },
  }).state;
  const tx = beginTx(s);
  return { tx, domid: domainCreate(tx, 'guest', 'pv') };
}

describe('get_free_pirq for MSI', () => {
  it('hands out 255, 254, 253 to a new domain on Xen 3.x', () => {
    const { tx, domid } = freshDomain();
    expect([0, 1, 2].map((e) => mapOne(tx, domid, e))).toEqual([255, 254, 253]);
  });

  it('reuses a freed pirq immediately (highest free first)', () => {
    const { tx, domid } = freshDomain();
    [0, 1, 2].forEach((e) => mapOne(tx, domid, e));
    expect(unmapDomainPirq(tx, domid, 254)).toBe(0);
    expect(getFreePirq(tx.s, domid)).toBe(254);
  });

  it('on Xen 4.1 (per-CPU vectors) runs out above nr_irqs_gsi with -ENOSPC and "dom1: no free pirq"', () => {
    const { tx, domid } = freshDomain('centos5-xen-4.1', 'iommu=on extra_guest_irqs=64');
    const got: number[] = [];
    for (let i = 0; i < 70; i++) got.push(mapOne(tx, domid, i));
    const ok = got.filter((p) => p > 0);
    expect(ok).toHaveLength(87 - 24);
    expect(Math.min(...ok)).toBe(25);
    expect(got[got.length - 1]).toBe(-ENOSPC);
  });

  it('on Xen 3.x the global vector space (0x30-0xef) runs out first: "map irq with wrong vector -28"', () => {
    const { tx, domid } = freshDomain();
    const got: number[] = [];
    for (let i = 0; i < 200; i++) got.push(mapOne(tx, domid, i));
    expect(got.filter((p) => p > 0)).toHaveLength(0xef - 0x30 + 1);
    expect(
      tx.events.some(
        (e) =>
          e.type === 'log' &&
          /\(XEN\) physdev\.c:\d+: dom1: map irq with wrong vector -28/.test(e.text),
      ),
    ).toBe(true);
  });

  it('on Xen 4.1 a domU has nr_irqs_gsi + extra_guest_irqs pirqs and MSI pirqs start at the top of that', () => {
    const { tx, domid } = freshDomain('centos5-xen-4.1', 'iommu=on extra_guest_irqs=32');
    expect(ofDomid(tx.s.xen.domains, domid).nrPirqs).toBe(56);
    expect(mapOne(tx, domid, 0)).toBe(55);
  });

  it('property: n maps in a fresh domain return 255 down to 256-n, each distinct', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), (n) => {
        const { tx, domid } = freshDomain();
        const got = Array.from({ length: n }, (_, i) => mapOne(tx, domid, i));
        expect(got).toEqual(Array.from({ length: n }, (_, i) => 255 - i));
      }),
      { numRuns: 15 },
    );
  });
});
