// xen/common/domain.c: domain creation, shutdown and destruction as the hypervisor sees them.
import { type Tx, mXenDomains, mXen } from '../core/tx';
import { evtchnDestroy } from './event_channel';
import { freeDomainPirqs, newXenDomain, wXenDomain } from './irq';
import { deassignDevice } from './pci';
import type { XenDomainKind, XenShutdownReason } from './types';
import { byDomid, dropByDomid, putByDomid } from '../core/domtab';

/** XEN_DOMCTL_createdomain: the next domid (xend never reuses one while the host runs). */
export function domainCreate(tx: Tx, name: string, kind: XenDomainKind): number {
  const xen = mXen(tx);
  const domid = xen.nextDomid++;
  putByDomid(mXenDomains(tx), newXenDomain(tx, domid, name, kind));
  return domid;
}

/** SCHEDOP_shutdown / domain_crash: the domain stops running; the toolstack decides what follows. */
export function domainShutdown(tx: Tx, domid: number, reason: XenShutdownReason): void {
  if (!byDomid(tx.s.xen.domains, domid)) return;
  const d = wXenDomain(tx, domid);
  d.state = 'shutdown';
  d.shutdownReason = reason;
}

/**
 * domain_kill() to domain destruction: close every event channel (unbinding pirqs), free_domain_pirqs(),
 * return assigned devices to dom0, drop the domain. Backends in dom0 are torn down afterwards by the toolstack.
 */
export function domainKill(tx: Tx, domid: number): void {
  if (!byDomid(tx.s.xen.domains, domid)) return;
  evtchnDestroy(tx, domid);
  freeDomainPirqs(tx, domid);
  // In BDF order; only the domain's own devices are candidates (deassigning one never hands another to it).
  const pdevs = tx.s.xen.pdevs;
  const mine: string[] = [];
  for (const bdf in pdevs) if (pdevs[bdf].domid === domid) mine.push(bdf);
  if (mine.length > 1) mine.sort();
  for (let i = 0; i < mine.length; i++) {
    if (tx.s.xen.pdevs[mine[i]].domid === domid) deassignDevice(tx, domid, mine[i]);
  }
  dropByDomid(mXenDomains(tx), domid);
}
