// xen/common/event_channel.c: binding pirqs to event channels (spec §4.1, R21).
import { w, type Tx } from '../core/tx';
import { EEXIST, EINVAL, ESRCH } from './errno';
import { pirqGuestBind, pirqGuestUnbind, wXenDomain } from './irq';
import { pk } from '../core/keys';
import { byDomid } from '../core/domtab';

/**
 * EVTCHNOP_bind_pirq: -EINVAL for an out-of-range or unmapped pirq (pirq_guest_bind finds no vector),
 * -EEXIST if already bound. The irq-access permission check (-EPERM) is not modelled separately: a pirq is
 * accessible exactly when it has been mapped for the domain.
 */
export function evtchnBindPirq(tx: Tx, domid: number, pirq: number): { rc: number; port: number } {
  const d = byDomid(tx.s.xen.domains, domid);
  if (!d) return { rc: -ESRCH, port: 0 };
  if (pirq < 0 || pirq >= d.nrPirqs) return { rc: -EINVAL, port: 0 };
  const p = d.pirqs[pk(pirq)];
  if (p && p.evtchn !== 0) return { rc: -EEXIST, port: 0 };
  if (!p) return { rc: -EINVAL, port: 0 };
  const wd = wXenDomain(tx, domid);
  const port = wd.nextPort++;
  const rc = pirqGuestBind(tx, domid, pirq, port);
  return { rc, port: rc === 0 ? port : 0 };
}

/** EVTCHNOP_close on a pirq port: unbind the pirq. */
export function evtchnClose(tx: Tx, domid: number, port: number): void {
  const d = byDomid(tx.s.xen.domains, domid);
  if (!d || port === 0) return;
  for (const key in d.pirqs) {
    if (d.pirqs[key].evtchn === port) {
      pirqGuestUnbind(tx, domid, d.pirqs[key].pirq);
      return;
    }
  }
}

/** evtchn_destroy(): on domain_kill every port is closed, so pirqs are unbound before they are freed. */
export function evtchnDestroy(tx: Tx, domid: number): void {
  const d = byDomid(tx.s.xen.domains, domid);
  if (!d) return;
  for (const key of Object.keys(d.pirqs)) {
    const p = d.pirqs[key];
    if (p.evtchn !== 0) pirqGuestUnbind(tx, domid, p.pirq);
    if (p.dpci !== null) {
      const rec = w(tx, w(tx, wXenDomain(tx, domid), 'pirqs'), key);
      rec.dpci = null;
      if (rec.evtchn === 0) pirqGuestUnbind(tx, domid, p.pirq);
    }
  }
}
