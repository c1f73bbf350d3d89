// unmap_domain_pirq (spec §4.1, seed 001 c.15): "(XEN) irq.c:934: dom%d: pirq %d not mapped" and -EINVAL;
// PHYSDEVOP_unmap_pirq for a domain that no longer exists fails with -ESRCH and prints nothing.
import { beginTx } from '../core/tx';
import { createHost } from '../host';
import { domainCreate, domainKill } from './domain';
import { EINVAL, ESRCH } from './errno';
import { physdevUnmapPirq } from './physdev';

describe('PHYSDEVOP_unmap_pirq', () => {
  it('of a pirq the domain never had logs "not mapped" with the RHEL-5 file:line and returns -EINVAL', () => {
    const tx = beginTx(createHost({ type: 'host.create', template: 'rhbz688673' }).state);
    domainCreate(tx, 'a', 'pv');
    const domid = domainCreate(tx, 'b', 'pv');
    expect(physdevUnmapPirq(tx, 0, domid, 255)).toBe(-EINVAL);
    expect(
      tx.events.filter((e) => e.type === 'log').map((e) => (e.type === 'log' ? e.text : '')),
    ).toEqual(['(XEN) irq.c:934: dom2: pirq 255 not mapped']);
  });

  it('for a destroyed domain returns -ESRCH silently', () => {
    const tx = beginTx(createHost({ type: 'host.create', template: 'rhbz688673' }).state);
    const domid = domainCreate(tx, 'a', 'pv');
    domainKill(tx, domid);
    const before = tx.events.length;
    expect(physdevUnmapPirq(tx, 0, domid, 255)).toBe(-ESRCH);
    expect(tx.events.length).toBe(before);
  });
});
