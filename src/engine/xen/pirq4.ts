// Xen 4.x pirq state an HVM guest with XENFEAT_hvm_pirqs sees (spec §4.1, R17, R18, R21; seed 002):
// PHYSDEVOP_get_free_pirq marks PIRQ_ALLOCATED, EVTCHNOP_bind_pirq binds an event channel without any
// mapping check for HVM domains, unmap_domain_pirq() frees the pirq for reuse (highest first).
import type { HostState } from '../core/state';
import { own, w, type Tx } from '../core/tx';
import { getFreePirq, wXenDomain } from './irq';
import { EEXIST, ENOSPC, ESRCH } from './errno';
import type { XenPirqInfo } from './types';
import { pk } from '../core/keys';
import { byDomid } from '../core/domtab';

function wInfo(tx: Tx, domid: number): Record<string, XenPirqInfo> {
  const d = wXenDomain(tx, domid);
  if (!d.pirqInfo) d.pirqInfo = own(tx, {});
  return w(tx, d, 'pirqInfo');
}

/** pirq_info(d, pirq) as the guest-visible part: allocated and/or bound. */
export function pirqInfo(s: HostState, domid: number, pirq: number): XenPirqInfo | undefined {
  return byDomid(s.xen.domains, domid)?.pirqInfo?.[pk(pirq)];
}

/**
 * PHYSDEVOP_get_free_pirq (MAP_PIRQ_TYPE_MSI) on the calling HVM domain: get_free_pirq() then
 * `info->arch.irq = PIRQ_ALLOCATED`, so the next call returns a lower pirq until this one is mapped and
 * unmapped again. Returns the pirq or -errno.
 */
export function physdevGetFreePirq(tx: Tx, domid: number): number {
  if (!byDomid(tx.s.xen.domains, domid)) return -ESRCH;
  const pirq = getFreePirq(tx.s, domid);
  if (pirq < 0) return -ENOSPC;
  const info = wInfo(tx, domid);
  const cur = info[pk(pirq)];
  info[pk(pirq)] = own(tx, { pirq, allocated: true, evtchn: cur ? cur.evtchn : 0 });
  return pirq;
}

/**
 * EVTCHNOP_bind_pirq (4.x): -EEXIST if the pirq already has an event channel; for an HVM domain no
 * pirq_guest_bind() (so no mapping is needed). Returns the port or -errno.
 */
export function evtchnBindPirqHvm(tx: Tx, domid: number, pirq: number): number {
  const d = byDomid(tx.s.xen.domains, domid);
  if (!d) return -ESRCH;
  const cur = d.pirqInfo?.[pk(pirq)];
  if (cur && cur.evtchn !== 0) return -EEXIST;
  const wd = wXenDomain(tx, domid);
  const port = wd.nextPort++;
  wInfo(tx, domid)[pk(pirq)] = own(tx, { pirq, allocated: cur?.allocated ?? false, evtchn: port });
  return port;
}

/** EVTCHNOP_close of a pirq port in an HVM domain: `pirq->evtchn = 0` (no pirq_guest_unbind). */
export function evtchnClosePirqHvm(tx: Tx, domid: number, pirq: number): void {
  const cur = pirqInfo(tx.s, domid, pirq);
  if (!cur || cur.evtchn === 0) return;
  const info = wInfo(tx, domid);
  if (!cur.allocated) delete info[pk(pirq)];
  else info[pk(pirq)] = own(tx, { pirq, allocated: true, evtchn: 0 });
}

/** unmap_domain_pirq() → cleanup_domain_irq_pirq(): the pirq is free again (PIRQ_ALLOCATED dropped). */
export function pirqFreed(tx: Tx, domid: number, pirq: number): void {
  const cur = pirqInfo(tx.s, domid, pirq);
  if (!cur || !cur.allocated) return;
  const info = wInfo(tx, domid);
  if (cur.evtchn === 0) delete info[pk(pirq)];
  else info[pk(pirq)] = own(tx, { pirq, allocated: false, evtchn: cur.evtchn });
}

/** Is the pirq bound to an event channel in this (HVM) domain? */
export function pirqEvtchn(s: HostState, domid: number, pirq: number): number {
  return pirqInfo(s, domid, pirq)?.evtchn ?? 0;
}
