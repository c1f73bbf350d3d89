// drivers/xen/pcifront (2.6.18, R8): a PV guest's PCI config and MSI requests travel to pciback over the
// shared page + event channel (do_pci_op → pciback_do_op).
import type { Tx } from '../core/tx';
import { hexInt, splitBdf } from '../core/format';
import {
  pcibackDoOp,
  XEN_PCI_OP_conf_read,
  XEN_PCI_OP_conf_write,
  XEN_PCI_OP_disable_msi,
  XEN_PCI_OP_disable_msix,
  XEN_PCI_OP_enable_msi,
  XEN_PCI_OP_enable_msix,
  type XenPciOp,
} from '../dom0/pciback/pciback_ops';
import { SH_INFO_MAX_VEC } from '../dom0/pciback/msi';
import { kprintk } from '../dom0/kernel';
import type { LinuxPciDev, MsixEntry } from '../dom0/types';
import { EINVAL } from '../xen/errno';
import { byDomid } from '../core/domtab';

const EIO = 5;

// The entries of every op but enable_msix, which brings its own array: nothing writes to this one.
const NO_ENTRIES: MsixEntry[] = [];

function newOp(dev: string, cmd: number, offset: number, size: 1 | 2 | 4, value: number): XenPciOp {
  const a = splitBdf(dev);
  return {
    cmd,
    err: 0,
    domain: a.seg,
    bus: a.bus,
    devfn: a.devfn,
    offset,
    size,
    value,
    msixEntries: NO_ENTRIES,
  };
}

/** do_pci_op(): hand the request to the backend and wait for it (a backend that never answers: -EIO). */
function doPciOp(tx: Tx, domid: number, op: XenPciOp): number {
  if (!byDomid(tx.s.dom0.pciback.backends, domid)) {
    kprintk(tx, domid, 'pciback not responding!!!');
    return -EIO;
  }
  pcibackDoOp(tx, domid, op);
  return op.err;
}

/** pcifront_bus_read(): a device that is not there reads as 0. */
export function pcifrontBusRead(
  tx: Tx,
  domid: number,
  dev: LinuxPciDev,
  off: number,
  size: 1 | 2 | 4,
): number {
  const op = newOp(dev.name, XEN_PCI_OP_conf_read, off, size, 0);
  const err = doPciOp(tx, domid, op);
  return err ? 0 : op.value;
}

/** pcifront_bus_write() */
export function pcifrontBusWrite(
  tx: Tx,
  domid: number,
  dev: LinuxPciDev,
  off: number,
  size: 1 | 2 | 4,
  value: number,
): void {
  const op = newOp(dev.name, XEN_PCI_OP_conf_write, off, size, value >>> 0);
  doPciOp(tx, domid, op);
}

/** pci_frontend_enable_msix(): XEN_PCI_OP_enable_msix; the pirqs come back as the vectors. */
export function pciFrontendEnableMsix(
  tx: Tx,
  domid: number,
  dev: string,
  entries: MsixEntry[],
): number {
  if (entries.length > SH_INFO_MAX_VEC) {
    kprintk(tx, domid, `too much vector for pci frontend${hexInt(entries.length)}`);
    return -EINVAL;
  }
  const op = newOp(dev, XEN_PCI_OP_enable_msix, 0, 4, entries.length);
  const copies: MsixEntry[] = [];
  for (let i = 0; i < entries.length; i++) {
    copies.push({ entry: entries[i].entry, vector: entries[i].vector });
  }
  op.msixEntries = copies;
  const err = doPciOp(tx, domid, op);
  if (err) {
    kprintk(tx, domid, `enable msix get err ${hexInt(err)}`);
    return err;
  }
  if (op.value) {
    kprintk(tx, domid, `enable msix get value ${hexInt(op.value)}`);
    return op.value;
  }
  for (let i = 0; i < entries.length; i++) entries[i].vector = op.msixEntries[i].vector;
  return 0;
}

/** pci_frontend_disable_msix() */
export function pciFrontendDisableMsix(tx: Tx, domid: number, dev: string): void {
  const op = newOp(dev, XEN_PCI_OP_disable_msix, 0, 4, 0);
  const err = doPciOp(tx, domid, op);
  if (err) kprintk(tx, domid, `disable msix get err ${hexInt(err)}`);
}

/** pci_frontend_enable_msi(): the pirq comes back in op.value. */
export function pciFrontendEnableMsi(
  tx: Tx,
  domid: number,
  dev: string,
): { ret: number; pirq: number } {
  const op = newOp(dev, XEN_PCI_OP_enable_msi, 0, 4, 0);
  const err = doPciOp(tx, domid, op);
  if (err) {
    const a = splitBdf(dev);
    kprintk(
      tx,
      domid,
      `pci frontend enable msi failed for dev ${hexInt(a.bus)}:${hexInt(a.devfn)} `,
    );
    return { ret: -EINVAL, pirq: 0 };
  }
  return { ret: 0, pirq: op.value };
}

/** pci_frontend_disable_msi() */
export function pciFrontendDisableMsi(tx: Tx, domid: number, dev: string): void {
  const op = newOp(dev, XEN_PCI_OP_disable_msi, 0, 4, 0);
  const err = doPciOp(tx, domid, op);
  if (err) kprintk(tx, domid, `disable msi get err ${hexInt(err)}`);
}
