// drivers/xen/pciback/vpci.c: the frontend's virtual PCI bus (one slot per exported device).
import type { HostState } from '../../core/state';
import {
  own,
  ownDomidRecord,
  owned,
  sliceArray,
  spreadCopy,
  type Tx,
  mPciback,
} from '../../core/tx';
import { ENOMEM } from '../../xen/errno';
import { kprintk } from '../kernel';
import { byDomid, putByDomid } from '../../core/domtab';
import type { PcibackBackend } from '../types';

export const PCI_SLOT_MAX = 32;

/** pciback_add_pci_dev() (vpci): the first free virtual slot; "pciback: vpci: %s: assign to virtual slot %d". */
export function vpciAddPciDev(tx: Tx, domid: number, dev: string, log: boolean): number {
  const slots = wBackendSlots(tx, domid, true);
  let slot = 0;
  while (slot < slots.length && slots[slot] !== null) slot++;
  if (slot >= PCI_SLOT_MAX) {
    kprintk(tx, 'dom0', `pciback: vpci: ${dev}: No more space on root virtual PCI bus`);
    return -ENOMEM;
  }
  if (log) kprintk(tx, 'dom0', `pciback: vpci: ${dev}: assign to virtual slot ${slot}`);
  if (slot === slots.length) slots.push(dev);
  else slots[slot] = dev;
  return slot;
}

/** pciback_release_pci_dev() (vpci): free the slot. */
export function vpciRemovePciDev(tx: Tx, domid: number, dev: string): void {
  const be = byDomid(tx.s.dom0.pciback.backends, domid);
  if (!be) return;
  const i = be.slots.indexOf(dev);
  if (i < 0) return;
  wBackendSlots(tx, domid, false)[i] = null;
}

/** The virtual slots of `domid`'s backend, copy-on-write; the backend is created when `create` says so. */
function wBackendSlots(tx: Tx, domid: number, create: boolean): (string | null)[] {
  const pb = mPciback(tx);
  const backends = (pb.backends = owned(tx, pb.backends, sliceBackends));
  if (create && !byDomid(backends, domid))
    putByDomid(backends, own(tx, { domid, slots: own(tx, []) }));
  const be =
    backends[ownDomidRecord(tx, backends, domid, tx.base.dom0.pciback.backends, spreadCopy)];
  return (be.slots = owned(tx, be.slots, sliceArray));
}

export const sliceBackends: (a: PcibackBackend[]) => PcibackBackend[] = sliceArray;

/** pciback_get_pci_dev() (vpci): virtual 0000:00:SS.F → the exported device. */
export function vpciGetPciDev(
  s: HostState,
  domid: number,
  domain: number,
  bus: number,
  devfn: number,
): string | null {
  if (domain !== 0 || bus !== 0) return null;
  const be = byDomid(s.dom0.pciback.backends, domid);
  if (!be) return null;
  if ((devfn & 7) !== 0) return null;
  return be.slots[devfn >> 3] ?? null;
}

export function vpciSlotOf(s: HostState, domid: number, dev: string): number {
  const be = byDomid(s.dom0.pciback.backends, domid);
  return be ? be.slots.indexOf(dev) : -1;
}
