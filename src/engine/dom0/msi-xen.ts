// drivers/pci/msi-xen.c (linux-2.6.18-xen / RHEL-5, spec §5, R1): msi_dev_head, msix_capability_init and
// its filtering, pci_enable/disable_msix, msi_remove_pci_irq_vectors, and the fix msi_prune_pci_irq_vectors.
import type { HostState } from '../core/state';
import { emit, own, owned, ownedFrom, sliceArray, type Tx } from '../core/tx';
import { hex, hexInt, splitBdf } from '../core/format';
import * as R from '../pci/constants';
import { physdevMapPirq, physdevUnmapPirq, DOMID_SELF } from '../xen/physdev';
import { EBUSY, EINVAL, ENODEV } from '../xen/errno';
import { hasChangeset } from '../profiles/stack';
import {
  pciFrontendDisableMsi,
  pciFrontendDisableMsix,
  pciFrontendEnableMsi,
  pciFrontendEnableMsix,
} from '../guest/pcifront';
import { pciReadConfig, pciWriteConfig } from './config-access';
import { baseKernel, kernelKind, kernelOf, kprintk, wKernel, wPciDev, type KRef } from './kernel';
import { copyMsiDev } from '../core/copy';
import { pciFindCapability, pciIntx } from './pci';
import { pcibackGetOwner } from './pciback/pci_stub';
import type { MsiDevList, MsiPirqEntry, MsixEntry } from './types';
import { pk } from '../core/keys';
import { byDomid } from '../core/domtab';

/** get_msi_dev_pirq_list(): find the device's entry or append one; entries are never removed. */
export function getMsiDevPirqList(tx: Tx, k: KRef, dev: string): number {
  const head = kernelOf(tx.s, k).msiDevHead;
  for (let i = 0; i < head.length; i++) if (head[i].dev === dev) return i;
  const kern = wKernel(tx, k);
  const list = (kern.msiDevHead = owned(tx, kern.msiDevHead, sliceArray));
  list.push(own(tx, { dev, pirqList: own(tx, []), maskBase: null, defaultIrq: 0 }));
  return list.length - 1;
}

function findMsiDevEntry(s: HostState, k: KRef, dev: string): number {
  const head = kernelOf(s, k).msiDevHead;
  for (let i = 0; i < head.length; i++) if (head[i].dev === dev) return i;
  return -1;
}

function wMsiDevEntry(tx: Tx, k: KRef, idx: number): MsiDevList {
  const kern = wKernel(tx, k);
  const h = tx.h;
  let head = h.msiHead;
  const b = baseKernel(tx, k);
  const baseHead = b && b.msiDevHead;
  if (head === undefined || kern.msiDevHead !== head)
    head = h.msiHead = kern.msiDevHead = ownedFrom(tx, kern.msiDevHead, baseHead, sliceArray);
  const c = h.msiDev;
  if (c !== undefined && head[idx] === c) return c;
  const be = baseHead !== undefined && idx < baseHead.length ? baseHead[idx] : undefined;
  return (h.msiDev = head[idx] = ownedFrom(tx, head[idx], be, copyMsiDev));
}

/** attach_pirq_entry() */
function attachPirqEntry(tx: Tx, idx: number, dev: string, pirq: number, entryNr: number): void {
  const e = wMsiDevEntry(tx, 'dom0', idx);
  (e.pirqList = owned(tx, e.pirqList, sliceArray)).push({ pirq, entryNr });
  emit(tx, {
    type: 'msi.vector',
    bdf: dev,
    action: 'dom0.list-add',
    domid: 0,
    pirq,
    entry: entryNr,
    vector: null,
    rc: 0,
  });
}

/** detach_pirq_entry() */
function detachPirqEntry(tx: Tx, idx: number, entryNr: number): void {
  const e = wMsiDevEntry(tx, 'dom0', idx);
  const list = (e.pirqList = owned(tx, e.pirqList, sliceArray));
  for (let at = 0; at < list.length; at++) {
    if (list[at].entryNr === entryNr) {
      list.splice(at, 1);
      break;
    }
  }
}

/**
 * msi_get_dev_owner(): pciback's registered callback names the frontend domain that owns the device
 * ("get owner for dev %x get %x \n" — devfn and domid in hex, trailing space); otherwise DOMID_SELF.
 */
export function msiGetDevOwner(tx: Tx, dev: string): number {
  if (tx.s.dom0.pciback.loaded) {
    const owner = pcibackGetOwner(tx.s, dev);
    if (owner >= 0) {
      kprintk(tx, 'dom0', `get owner for dev ${hex(splitBdf(dev).devfn)} get ${hex(owner)} `);
      return owner;
    }
  }
  return DOMID_SELF;
}

/** msi_unmap_pirq(): PHYSDEVOP_unmap_pirq on behalf of the owner; "unmap irq %x failed" when it fails. */
export function msiUnmapPirq(tx: Tx, dev: string, pirq: number): number {
  const domid = msiGetDevOwner(tx, dev);
  const rc = physdevUnmapPirq(tx, 0, domid, pirq);
  if (rc) {
    kprintk(tx, 'dom0', `unmap irq ${hexInt(pirq)} failed`);
    emit(tx, {
      type: 'msi.vector',
      bdf: dev,
      action: 'xen.unmap-failed',
      domid: domid === DOMID_SELF ? 0 : domid,
      pirq,
      entry: null,
      vector: null,
      rc,
    });
  }
  return rc < 0 ? rc : 0;
}

/** find_table_base(): the start of the BAR named by the MSI-X Table BIR (the table offset is not added). */
function findTableBase(tx: Tx, dev: string, pos: number): number {
  const reg = pciReadConfig(tx, 'dom0', dev, pos + R.PCI_MSIX_TABLE, 4);
  const bar = reg & R.PCI_MSIX_FLAGS_BIRMASK;
  const res = tx.s.dom0.pci[dev].resources[bar];
  return res ? res.start : 0;
}

/** msi_map_pirq_to_vector(): PHYSDEVOP_map_pirq(owner, MSI, index -1, pirq, bus, devfn, entry_nr, table_base). */
function msiMapPirqToVector(
  tx: Tx,
  dev: string,
  pirq: number,
  entryNr: number,
  tableBase: number,
): number {
  const domid = msiGetDevOwner(tx, dev);
  const a = splitBdf(dev);
  const r = physdevMapPirq(tx, 0, {
    domid,
    type: 'msi',
    index: -1,
    pirq: pirq < 0 ? -1 : pirq,
    bus: a.bus,
    devfn: a.devfn,
    entryNr,
    tableBase,
  });
  if (r.rc) {
    kprintk(tx, 'dom0', 'map irq failed');
    emit(tx, {
      type: 'msi.vector',
      bdf: dev,
      action: 'xen.map-failed',
      domid: domid === DOMID_SELF ? 0 : domid,
      pirq: r.pirq,
      entry: entryNr,
      vector: null,
      rc: r.rc,
    });
  }
  if (r.rc < 0) return r.rc;
  return r.pirq;
}

/** disable_msi_mode(): clear the enable bit in the control word at pos+2; re-enable INTx on PCIe. */
export function disableMsiMode(tx: Tx, k: KRef, dev: string, pos: number, type: number): void {
  const control = pciReadConfig(tx, k, dev, pos + R.PCI_MSI_FLAGS, 2);
  if (type === R.PCI_CAP_ID_MSI) {
    pciWriteConfig(tx, k, dev, pos + R.PCI_MSI_FLAGS, 2, control & ~R.PCI_MSI_FLAGS_ENABLE);
    wPciDev(tx, k, dev).msiEnabled = false;
  } else {
    pciWriteConfig(tx, k, dev, pos + R.PCI_MSI_FLAGS, 2, control & ~R.PCI_MSIX_FLAGS_ENABLE);
    wPciDev(tx, k, dev).msixEnabled = false;
  }
  if (pciFindCapability(tx, k, dev, R.PCI_CAP_ID_EXP)) pciIntx(tx, k, dev, true);
}

/** enable_msi_mode(): set the enable bit; disable INTx on PCIe. */
export function enableMsiMode(tx: Tx, k: KRef, dev: string, pos: number, type: number): void {
  const control = pciReadConfig(tx, k, dev, pos + R.PCI_MSI_FLAGS, 2);
  if (type === R.PCI_CAP_ID_MSI) {
    pciWriteConfig(tx, k, dev, pos + R.PCI_MSI_FLAGS, 2, control | R.PCI_MSI_FLAGS_ENABLE);
    wPciDev(tx, k, dev).msiEnabled = true;
  } else {
    pciWriteConfig(tx, k, dev, pos + R.PCI_MSI_FLAGS, 2, control | R.PCI_MSIX_FLAGS_ENABLE);
    wPciDev(tx, k, dev).msixEnabled = true;
  }
  if (pciFindCapability(tx, k, dev, R.PCI_CAP_ID_EXP)) pciIntx(tx, k, dev, false);
}

/**
 * msix_capability_init() (dom0): for each requested entry, if the device's pirq list already holds that
 * entry number it logs "msix entry %d for dev %02x:%02x:%01x are not freed before acquire again." and
 * reuses the stale pirq — no hypercall; otherwise PHYSDEVOP_map_pirq and attach_pirq_entry(). All or nothing.
 *
 * The C string continues a line with a backslash, so the raw text holds "are \t\t\t\t       not freed";
 * every seed log shows it collapsed to one space, and so does the model.
 */
export function msixCapabilityInit(tx: Tx, dev: string, entries: MsixEntry[]): number {
  const idx = getMsiDevPirqList(tx, 'dom0', dev);
  const pos = pciFindCapability(tx, 'dom0', dev, R.PCI_CAP_ID_MSIX);
  const tableBase = findTableBase(tx, dev, pos);
  if (!tableBase) return -ENODEV;
  if (tx.s.dom0.msiDevHead[idx].maskBase === null) {
    wMsiDevEntry(tx, 'dom0', idx).maskBase = tableBase; // ioremap_nocache(table_base, nr_entries * 16)
  }
  const a = splitBdf(dev);
  let slot: string | undefined; // "%02x:%02x:%01x", made once for the entries that need it
  let i = 0;
  for (; i < entries.length; i++) {
    const list = tx.s.dom0.msiDevHead[idx].pirqList;
    let stale: MsiPirqEntry | undefined;
    for (let j = 0; j < list.length; j++) {
      if (list[j].entryNr === entries[i].entry) {
        stale = list[j];
        break;
      }
    }
    if (stale) {
      slot ??= `${hex(a.bus, 2)}:${hex(a.devfn >> 3, 2)}:${hex(a.devfn & 7, 1)}`;
      kprintk(
        tx,
        'dom0',
        `msix entry ${entries[i].entry} for dev ${slot} are not freed before acquire again.`,
      );
      entries[i].vector = stale.pirq;
      emit(tx, {
        type: 'msi.vector',
        bdf: dev,
        action: 'dom0.stale-reuse',
        domid: 0,
        pirq: stale.pirq,
        entry: entries[i].entry,
        vector: null,
        rc: 0,
      });
      continue;
    }
    const pirq = msiMapPirqToVector(tx, dev, -1, entries[i].entry, tableBase);
    if (pirq < 0) break;
    attachPirqEntry(tx, idx, dev, pirq, entries[i].entry);
    entries[i].vector = pirq;
  }
  if (i !== entries.length) {
    for (let j = i - 1; j >= 0; j--) {
      msiUnmapPirq(tx, dev, entries[j].vector);
      detachPirqEntry(tx, idx, entries[j].entry);
      entries[j].vector = 0;
    }
    return -EBUSY;
  }
  enableMsiMode(tx, 'dom0', dev, pos, R.PCI_CAP_ID_MSIX);
  wPciDev(tx, 'dom0', dev).msixEnabled = true;
  return 0;
}

/** The argument checks of pci_enable_msix(): nvec within the table, entries in range, no duplicates. */
export function msixEntriesProblem(
  nrEntries: number,
  entries: readonly { entry: number }[],
): 'too-many' | 'out-of-range' | 'duplicate' | null {
  if (entries.length > nrEntries) return 'too-many';
  for (let i = 0; i < entries.length; i++) {
    if (entries[i].entry >= nrEntries || entries[i].entry < 0) return 'out-of-range';
    for (let j = i + 1; j < entries.length; j++) {
      if (entries[i].entry === entries[j].entry) return 'duplicate';
    }
  }
  return null;
}

/**
 * pci_enable_msix(): in a PV domU it forwards to pcifront (RHEL-5 ≤-274 does not set dev->msix_enabled on
 * this path; c/s 956 does); in dom0 it validates and runs msix_capability_init(). Vectors come back in
 * entries[].vector (pirqs).
 */
export function pciEnableMsix(tx: Tx, k: KRef, dev: string, entries: MsixEntry[]): number {
  const idx = getMsiDevPirqList(tx, k, dev);
  if (kernelKind(tx.s, k) !== 'dom0') {
    const temp = kernelOf(tx.s, k).pci[dev].irq;
    const ret = pciFrontendEnableMsix(tx, k as number, dev, entries);
    if (ret) {
      kprintk(tx, k, `get ${hexInt(ret)} from pci_frontend_enable_msix`);
      return ret;
    }
    wMsiDevEntry(tx, k, idx).defaultIrq = temp;
    if (hasChangeset(tx.s, 'cs956')) wPciDev(tx, k, dev).msixEnabled = true;
    return 0;
  }
  const pos = pciFindCapability(tx, k, dev, R.PCI_CAP_ID_MSIX);
  if (!pos) return -EINVAL;
  const control = pciReadConfig(tx, k, dev, pos + R.PCI_MSIX_FLAGS, 2);
  const nrEntries = (control & R.PCI_MSIX_FLAGS_QSIZE) + 1;
  if (msixEntriesProblem(nrEntries, entries)) return -EINVAL;
  const d = tx.s.dom0.pci[dev];
  const temp = d.irq;
  if (d.msiEnabled) {
    kprintk(tx, k, `PCI: ${dev}: Can't enable MSI-X.  Device already has an MSI vector assigned`);
    return -EINVAL;
  }
  const status = msixCapabilityInit(tx, dev, entries);
  if (!status) wMsiDevEntry(tx, k, idx).defaultIrq = temp;
  return status;
}

/**
 * pci_disable_msix(): domU → pcifront. dom0 → returns early if the hardware MSI-X Enable bit is clear, else
 * msi_remove_pci_irq_vectors() and disable_msi_mode(). With c/s 956 it first returns unless
 * dev->msix_enabled (placement of that check in dom0 is UNVERIFIED; seed 001 c.25 says 945/956 "stop
 * pci_disable_msi()/pci_disable_msix() from working if disable_msi_mode() was called previously").
 */
export function pciDisableMsix(tx: Tx, k: KRef, dev: string): void {
  const idx = getMsiDevPirqList(tx, k, dev);
  if (hasChangeset(tx.s, 'cs956') && !kernelOf(tx.s, k).pci[dev].msixEnabled) return;
  if (kernelKind(tx.s, k) !== 'dom0') {
    pciFrontendDisableMsix(tx, k as number, dev);
    const pd = wPciDev(tx, k, dev);
    pd.irq = kernelOf(tx.s, k).msiDevHead[idx].defaultIrq;
    if (hasChangeset(tx.s, 'cs956')) pd.msixEnabled = false;
    return;
  }
  const pos = pciFindCapability(tx, k, dev, R.PCI_CAP_ID_MSIX);
  if (!pos) return;
  const control = pciReadConfig(tx, k, dev, pos + R.PCI_MSIX_FLAGS, 2);
  if (!(control & R.PCI_MSIX_FLAGS_ENABLE)) return;
  msiRemovePciIrqVectors(tx, dev);
  disableMsiMode(tx, k, dev, pos, R.PCI_CAP_ID_MSIX);
}

/** msi_remove_pci_irq_vectors(): unmap every listed pirq (failures only logged) and delete it; iounmap mask_base. */
export function msiRemovePciIrqVectors(tx: Tx, dev: string): void {
  const idx = getMsiDevPirqList(tx, 'dom0', dev);
  // A snapshot: the loop deletes from the list it walks.
  const items = tx.s.dom0.msiDevHead[idx].pirqList.slice();
  for (let i = 0; i < items.length; i++) {
    const p = items[i];
    msiUnmapPirq(tx, dev, p.pirq);
    const e = wMsiDevEntry(tx, 'dom0', idx);
    const list = (e.pirqList = owned(tx, e.pirqList, sliceArray));
    for (let at = 0; at < list.length; at++) {
      if (list[at].entryNr === p.entryNr && list[at].pirq === p.pirq) {
        list.splice(at, 1);
        break;
      }
    }
    emit(tx, {
      type: 'msi.vector',
      bdf: dev,
      action: 'dom0.list-del',
      domid: 0,
      pirq: p.pirq,
      entry: p.entryNr,
      vector: null,
      rc: 0,
    });
  }
  const e = wMsiDevEntry(tx, 'dom0', idx);
  e.maskBase = null;
  wPciDev(tx, 'dom0', dev).irq = e.defaultIrq;
}

/**
 * ptlab's operator repair on a device a domain still holds (not in any kernel): like
 * msi_prune_pci_irq_vectors(), but only the list items whose pirq the hypervisor no longer maps to this
 * device for `owner` — the stale items RHBZ#688673 leaves — so live vectors keep their teardown path.
 */
export function msiPruneStalePirqs(tx: Tx, dev: string, owner: number): void {
  const idx = findMsiDevEntry(tx.s, 'dom0', dev);
  if (idx < 0) return;
  const dom = byDomid(tx.s.xen.domains, owner);
  const live = (pirq: number): boolean => {
    const p = dom?.pirqs[pk(pirq)];
    return p !== undefined && p.bdf === dev;
  };
  const items = tx.s.dom0.msiDevHead[idx].pirqList;
  const stale = items.filter((p) => !live(p.pirq));
  if (stale.length === 0) return;
  for (const p of stale) {
    kprintk(tx, 'dom0', `PCI: ${dev}: cleaning up MSI-X entry ${p.entryNr}`);
    emit(tx, {
      type: 'msi.vector',
      bdf: dev,
      action: 'dom0.prune',
      domid: 0,
      pirq: p.pirq,
      entry: p.entryNr,
      vector: null,
      rc: 0,
    });
  }
  wMsiDevEntry(tx, 'dom0', idx).pirqList = own(
    tx,
    items.filter((p) => live(p.pirq)),
  );
}

/**
 * msi_prune_pci_irq_vectors() (changeset msi-prune, seed 000): find the device's entry without extending
 * the list; log and drop every (pirq, entry) pair with no hypercall; iounmap mask_base. Idempotent.
 */
export function msiPrunePciIrqVectors(tx: Tx, dev: string): void {
  const idx = findMsiDevEntry(tx.s, 'dom0', dev);
  if (idx < 0) return;
  for (const p of tx.s.dom0.msiDevHead[idx].pirqList) {
    kprintk(tx, 'dom0', `PCI: ${dev}: cleaning up MSI-X entry ${p.entryNr}`);
    emit(tx, {
      type: 'msi.vector',
      bdf: dev,
      action: 'dom0.prune',
      domid: 0,
      pirq: p.pirq,
      entry: p.entryNr,
      vector: null,
      rc: 0,
    });
  }
  if (tx.s.dom0.msiDevHead[idx].pirqList.length > 0) {
    wMsiDevEntry(tx, 'dom0', idx).pirqList = own(tx, []);
  }
  if (tx.s.dom0.msiDevHead[idx].maskBase !== null) {
    kprintk(tx, 'dom0', `PCI: ${dev}: cleaning up mask_base`);
    wMsiDevEntry(tx, 'dom0', idx).maskBase = null;
  }
}

/** pci_enable_msi() with msi_capability_init(): one vector (entry 0, table_base 0). */
export function pciEnableMsi(tx: Tx, k: KRef, dev: string): number {
  const idx = getMsiDevPirqList(tx, k, dev);
  if (kernelKind(tx.s, k) !== 'dom0') {
    const temp = kernelOf(tx.s, k).pci[dev].irq;
    const r = pciFrontendEnableMsi(tx, k as number, dev);
    if (r.ret) return r.ret;
    const pd = wPciDev(tx, k, dev);
    pd.irq = r.pirq;
    if (hasChangeset(tx.s, 'cs945')) pd.msiEnabled = true;
    wMsiDevEntry(tx, k, idx).defaultIrq = temp;
    return 0;
  }
  const pos = pciFindCapability(tx, k, dev, R.PCI_CAP_ID_MSI);
  if (!pos) return -EINVAL;
  const d = tx.s.dom0.pci[dev];
  if (d.msixEnabled) {
    kprintk(tx, k, `PCI: ${dev}: Can't enable MSI.  Device already has MSI-X vectors assigned`);
    return -EINVAL;
  }
  const temp = d.irq;
  const pirq = msiMapPirqToVector(tx, dev, -1, 0, 0);
  if (pirq < 0) return -EBUSY;
  wPciDev(tx, k, dev).irq = pirq;
  enableMsiMode(tx, k, dev, pos, R.PCI_CAP_ID_MSI);
  wMsiDevEntry(tx, k, idx).defaultIrq = temp;
  return 0;
}

/** pci_disable_msi(): unmap dev->irq and clear MSI Enable; with c/s 945 only if dev->msi_enabled. */
export function pciDisableMsi(tx: Tx, k: KRef, dev: string): void {
  const idx = getMsiDevPirqList(tx, k, dev);
  if (hasChangeset(tx.s, 'cs945') && !kernelOf(tx.s, k).pci[dev].msiEnabled) return;
  const defaultIrq = kernelOf(tx.s, k).msiDevHead[idx].defaultIrq;
  if (kernelKind(tx.s, k) !== 'dom0') {
    pciFrontendDisableMsi(tx, k as number, dev);
    const pd = wPciDev(tx, k, dev);
    pd.irq = defaultIrq;
    if (hasChangeset(tx.s, 'cs945')) pd.msiEnabled = false;
    return;
  }
  const pos = pciFindCapability(tx, k, dev, R.PCI_CAP_ID_MSI);
  if (!pos) return;
  const pirq = tx.s.dom0.pci[dev].irq;
  wPciDev(tx, k, dev).irq = defaultIrq;
  msiUnmapPirq(tx, dev, pirq);
  disableMsiMode(tx, k, dev, pos, R.PCI_CAP_ID_MSI);
}
