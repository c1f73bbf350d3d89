// Kernel contexts: the same 2.6.18-xen code runs in dom0 and in RHEL-5 guests; functions take the kernel
// they run in (`'dom0'` or a guest domid) and reach config space the way that kernel does.
import type { LogSource } from '../core/events';
import type { HostState } from '../core/state';
import { own, ownedFrom, printk, type Tx, mDom0, mDom0Pci, wGuest } from '../core/tx';
import { copyPciDev, copyRecord, copyWithout } from '../core/copy';
import type { LinuxIrq, LinuxKernel, LinuxPciDev } from './types';
import type { GuestState } from '../guest/types';
import { guestSource } from '../core/keys';
import { byDomid } from '../core/domtab';

export type KRef = 'dom0' | number;

export function kernelOf(s: HostState, k: KRef): LinuxKernel {
  if (k === 'dom0') return s.dom0;
  const g = byDomid(s.guests, k);
  if (!g) throw new Error(`internal: no guest kernel for domid ${k}`);
  return g;
}

/** The kernel in the transaction's input state (undefined for a guest that boots in this transaction). */
export function baseKernel(tx: Tx, k: KRef): LinuxKernel | undefined {
  if (k === 'dom0') return tx.base.dom0;
  return byDomid(tx.base.guests, k);
}

export function wKernel(tx: Tx, k: KRef): LinuxKernel {
  if (k === 'dom0') return mDom0(tx);
  return wGuest(tx, k);
}

export function pciDev(s: HostState, k: KRef, name: string): LinuxPciDev {
  const d = kernelOf(s, k).pci[name];
  if (!d) throw new Error(`internal: no pci_dev ${name} in ${String(k)}`);
  return d;
}

export function wPciDev(tx: Tx, k: KRef, name: string): LinuxPciDev {
  const pci = k === 'dom0' ? mDom0Pci(tx) : wGuestPci(tx, k);
  const h = tx.h;
  const c = h.pciDev;
  if (c !== undefined && h.pciDevName === name && pci[name] === c) return c;
  h.pciDevName = name;
  const b = baseKernel(tx, k);
  return (h.pciDev = pci[name] = ownedFrom(tx, pci[name], b && b.pci[name], copyPciDev));
}

function wGuestPci(tx: Tx, domid: number): Record<string, LinuxPciDev> {
  const kern = wKernel(tx, domid);
  const c = tx.h.guestPci;
  if (c !== undefined && kern.pci === c) return c;
  const b = baseKernel(tx, domid);
  return (tx.h.guestPci = kern.pci = ownedFrom(tx, kern.pci, b && b.pci, copyRecord));
}

/** A kernel's irq descriptor table, copy-on-write. */
export function wIrqs(tx: Tx, k: KRef): Record<string, LinuxIrq> {
  const kern = wKernel(tx, k);
  const c = tx.h.irqs;
  if (c !== undefined && kern.irqs === c) return c;
  const b = baseKernel(tx, k);
  return (tx.h.irqs = kern.irqs = ownedFrom(tx, kern.irqs, b && b.irqs, copyRecord));
}

/** Remove an irq descriptor (the table is rebuilt without it: free_irq() releases the oldest irq first). */
export function removeIrq(tx: Tx, k: KRef, key: string): void {
  const kern = wKernel(tx, k);
  tx.h.irqs = kern.irqs = own(tx, copyWithout(kern.irqs, key));
}

export function kernelKind(s: HostState, k: KRef): 'dom0' | 'pv' | 'hvm' {
  if (k === 'dom0') return 'dom0';
  return (byDomid(s.guests, k) as GuestState).kind;
}

export function logSourceOf(k: KRef): LogSource {
  return k === 'dom0' ? 'dom0' : guestSource(k);
}

/** printk() in a kernel: dom0's dmesg or the guest's console. */
export function kprintk(tx: Tx, k: KRef, text: string): void {
  if (k === 'dom0') printk(tx, 'dom0', text);
  else printk(tx, guestSource(k), text, byDomid(tx.s.guests, k)?.domain);
}

/** dev_info()/dev_err(): "<driver> <pci_name>: <text>". */
export function devPrintk(tx: Tx, k: KRef, dev: LinuxPciDev, text: string): void {
  kprintk(tx, k, `${dev.driver ?? 'pci'} ${dev.name}: ${text}`);
}

export function emptyKernel(): LinuxKernel {
  return {
    pci: {},
    msiDevHead: [],
    irqs: {},
    igbvf: {},
    netdevs: {},
    modules: {},
    msixTest: {},
    nextNetdev: 0,
    nextIrq: 0,
  };
}
