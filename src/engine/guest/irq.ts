// request_irq()/free_irq() for the irqs a driver got from pci_enable_msix(): in a PV kernel (dom0 included)
// IRQ == pirq and startup binds it to an event channel (drivers/xen/core/evtchn.c, R11); in an HVM guest
// the irq is a native MSI-X vector whose entry the device model emulates.
import { emit, own, type Tx } from '../core/tx';
import { kernelKind, kernelOf, kprintk, removeIrq, wIrqs, type KRef } from '../dom0/kernel';
import type { LinuxIrq } from '../dom0/types';
import { evtchnBindPirq, evtchnClose } from '../xen/event_channel';
import { qemuGuestMaskEntry } from '../qemu/qemu-dm';
import { ik } from '../core/keys';

function domidOf(k: KRef): number {
  return k === 'dom0' ? 0 : k;
}

/**
 * request_irq(): install the handler; the first handler starts the irq. startup_pirq() binds the pirq with
 * EVTCHNOP_bind_pirq and, when that fails, prints "Failed to obtain physical IRQ %d" and returns 0 — so
 * request_irq() succeeds and the driver never learns that no interrupt will arrive.
 */
export function requestIrq(
  tx: Tx,
  k: KRef,
  irq: number,
  name: string,
  dev: string,
  entry: number,
): number {
  const irqs = wIrqs(tx, k);
  const cur = irqs[ik(irq)];
  if (cur && cur.action !== null) return -16; // -EBUSY: not shared
  const kind = kernelKind(tx.s, k) === 'hvm' ? 'msi' : 'pirq';
  const desc: LinuxIrq = own(tx, {
    irq,
    kind,
    pirq: kind === 'pirq' ? irq : null,
    evtchn: 0,
    action: name,
    dev,
    entry,
  });
  irqs[ik(irq)] = desc;
  if (kind === 'pirq') startupPirq(tx, k, desc);
  else qemuGuestMaskEntry(tx, k as number, dev, entry, false);
  return 0;
}

/**
 * startup_pirq(). `desc` is the descriptor request_irq() just installed: this transaction's own record, which
 * stays in the table (binding the event channel touches no kernel state).
 */
function startupPirq(tx: Tx, k: KRef, desc: LinuxIrq): void {
  const domid = domidOf(k);
  const irq = desc.irq;
  const r = evtchnBindPirq(tx, domid, irq);
  const dev = desc.dev ?? '';
  const hostBdf = kernelOf(tx.s, k).pci[dev]?.hostBdf ?? dev;
  if (r.rc !== 0) {
    kprintk(tx, k, `Failed to obtain physical IRQ ${irq}`);
    emit(tx, {
      type: 'msi.vector',
      bdf: hostBdf,
      action: 'guest.bind-failed',
      domid,
      pirq: irq,
      entry: null,
      vector: null,
      rc: r.rc,
    });
    return;
  }
  desc.evtchn = r.port;
  emit(tx, {
    type: 'msi.vector',
    bdf: hostBdf,
    action: 'guest.bind',
    domid,
    pirq: irq,
    entry: null,
    vector: null,
    rc: 0,
  });
}

/** free_irq(): remove the handler; shutdown_pirq() closes the event channel (Xen unbinds and masks). */
export function freeIrq(tx: Tx, k: KRef, irq: number): void {
  const key = ik(irq);
  const kern = kernelOf(tx.s, k);
  const cur = kern.irqs[key];
  if (!cur || cur.action === null) return;
  if (cur.kind === 'pirq') {
    if (cur.evtchn !== 0) {
      evtchnClose(tx, domidOf(k), cur.evtchn);
      // hostBdf never changes: the kernel read before the hypercall still names it.
      const hostBdf = kern.pci[cur.dev ?? '']?.hostBdf ?? '';
      emit(tx, {
        type: 'msi.vector',
        bdf: hostBdf,
        action: 'guest.unbind',
        domid: domidOf(k),
        pirq: irq,
        entry: null,
        vector: null,
        rc: 0,
      });
    }
  } else if (cur.dev !== null && cur.entry !== null) {
    qemuGuestMaskEntry(tx, k as number, cur.dev, cur.entry, true);
  }
  removeIrq(tx, k, key);
}
