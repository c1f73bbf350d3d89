// xen/arch/x86/irq.c (+ msi.c): per-domain pirq tables, vector allocation and MSI-X programming (spec §4.1, R17).
import type { HostState } from '../core/state';
import {
  emit,
  own,
  ownDomidRecord,
  ownedFrom,
  sliceArray,
  type Tx,
  mXenDomains,
  mXen,
} from '../core/tx';
import { copyPirq, copyRecord, copyWithout, copyXenDomain } from '../core/copy';
import { capabilityOffset } from '../pci/config';
import * as R from '../pci/constants';
import { hwCfgRead, hwCfgWrite, mmioWrite32, mmioWriteMsixEntry } from '../pci/hw';
import { xenDprintk, xenVersion } from './console';
import { EINVAL, ENODEV, ENOSPC, ESRCH } from './errno';
import type { XenDomain, XenPirq, XenVectorUse } from './types';
import { pk } from '../core/keys';
import { pirqFreed } from './pirq4';
import { hasPdevModel } from '../profiles/stack2';
import { clearMsiSourceId, setMsiSourceId } from './vtd';
import { byDomid } from '../core/domtab';
import { vectorUse } from './vectors';

export const FIRST_DYNAMIC_VECTOR = 0x30;
export const LAST_DYNAMIC_VECTOR = 0xef;

export function xenDomain(s: HostState, domid: number): XenDomain | undefined {
  return byDomid(s.xen.domains, domid);
}

export function wXenDomain(tx: Tx, domid: number): XenDomain {
  const domains = mXenDomains(tx);
  const h = tx.h;
  const c = h.xenDomain;
  if (c !== undefined && c.domid === domid && domains[h.xenDomainAt] === c) return c;
  const i = (h.xenDomainAt = ownDomidRecord(
    tx,
    domains,
    domid,
    tx.base.xen.domains,
    copyXenDomain,
  ));
  return (h.xenDomain = domains[i]);
}

function wPirqs(tx: Tx, domid: number): Record<string, XenPirq> {
  const d = wXenDomain(tx, domid);
  const c = tx.h.pirqs;
  if (c !== undefined && d.pirqs === c) return c;
  const b = byDomid(tx.base.xen.domains, domid);
  return (tx.h.pirqs = d.pirqs = ownedFrom(tx, d.pirqs, b && b.pirqs, copyRecord));
}

/** Drop a pirq from the domain's table (rebuilt without it: free_domain_pirqs() unmaps the oldest first). */
function removePirq(tx: Tx, domid: number, key: string): void {
  const d = wXenDomain(tx, domid);
  tx.h.pirqs = d.pirqs = own(tx, copyWithout(d.pirqs, key));
}

/** A domain's mapped pirq, copy-on-write. */
function wPirq(tx: Tx, domid: number, pirq: number): XenPirq {
  const pirqs = wPirqs(tx, domid);
  const key = pk(pirq);
  const b = byDomid(tx.base.xen.domains, domid);
  return (pirqs[key] = ownedFrom(tx, pirqs[key], b && b.pirqs[key], copyPirq));
}

/** A CPU's vector table, copy-on-write (created, with those of the CPUs before it, on first use). */
function wCpuVectors(tx: Tx, cpu: number): (XenVectorUse | null)[] {
  const xen = mXen(tx);
  const all = (xen.vectors = ownedFrom(tx, xen.vectors, tx.base.xen.vectors, sliceCpus));
  while (all.length <= cpu) all.push(own(tx, []));
  const base = tx.base.xen.vectors;
  return (all[cpu] = ownedFrom(tx, all[cpu], cpu < base.length ? base[cpu] : undefined, sliceUses));
}

const sliceCpus: (a: (XenVectorUse | null)[][]) => (XenVectorUse | null)[][] = sliceArray;
const sliceUses: (a: (XenVectorUse | null)[]) => (XenVectorUse | null)[] = sliceArray;

function setVectorUse(tx: Tx, cpu: number, vector: number, use: XenVectorUse): void {
  const t = wCpuVectors(tx, cpu);
  while (t.length < vector) t.push(null);
  t[vector] = use;
}

function freeVector(tx: Tx, cpu: number, vector: number): void {
  if (!vectorUse(tx.s, cpu, vector)) return;
  const t = wCpuVectors(tx, cpu);
  t[vector] = null;
  while (t.length > 0 && t[t.length - 1] === null) t.pop();
}

/**
 * get_free_pirq(d, MAP_PIRQ_TYPE_MSI): the highest free pirq, scanning down from nr_pirqs-1 and stopping above
 * the GSI range — so a domain's first MSI pirqs are 255, 254, 253 on Xen 3.x. -ENOSPC when exhausted.
 */
export function getFreePirq(s: HostState, domid: number): number {
  const d = byDomid(s.xen.domains, domid) as XenDomain;
  const floor = xenVersion(s).msiPirqFloor;
  const pirqs = d.pirqs;
  const info = d.pirqInfo;
  for (let p = d.nrPirqs - 1; p > floor; p--) {
    const key = pk(p);
    if (!pirqs[key] && !info?.[key]?.allocated) return p;
  }
  return -ENOSPC;
}

/** assign_irq_vector(AUTO_ASSIGN): lowest free vector (global on 3.x, per CPU on 4.x). */
export function assignIrqVector(s: HostState): { cpu: number; vector: number } | null {
  const cpus = xenVersion(s).vectorScope === 'global' ? 1 : Math.max(1, s.hw.cpus);
  const vectors = s.xen.vectors;
  for (let cpu = 0; cpu < cpus; cpu++) {
    const perCpu = cpu < vectors.length ? vectors[cpu] : [];
    for (let v = FIRST_DYNAMIC_VECTOR; v <= LAST_DYNAMIC_VECTOR; v++) {
      if (v >= perCpu.length || !perCpu[v]) return { cpu, vector: v };
    }
  }
  return null;
}

/** msi_compose_msg(): physical destination mode, fixed delivery, edge, assert. */
export function composeMsiMsg(
  cpu: number,
  vector: number,
): { addrLo: number; addrHi: number; data: number } {
  return {
    addrLo: (R.MSI_ADDR_BASE_LO | (cpu << R.MSI_ADDR_DEST_ID_SHIFT)) >>> 0,
    addrHi: 0,
    data: R.MSI_DATA_LEVEL_ASSERT | R.MSI_DATA_TRIGGER_EDGE | vector,
  };
}

/** Address of an MSI-X entry as Xen computes it: table_base from dom0 plus the Table Offset it reads itself. */
function entryAddress(s: HostState, bdf: string, tableBase: number, entry: number): number | null {
  const fn = s.hw.fns[bdf];
  if (!fn) return null;
  const pos = capabilityOffset(fn.model, fn.cfg, R.PCI_CAP_ID_MSIX);
  if (!pos) return null;
  const reg = fn.cfg[(pos + R.PCI_MSIX_TABLE) >> 2] >>> 0;
  return tableBase + (reg & ~R.PCI_MSIX_FLAGS_BIRMASK) + entry * R.PCI_MSIX_ENTRY_SIZE;
}

/** Mask or unmask the vector at the device: MSI-X entry Mask bit through MMIO, or the MSI Mask Bits register. */
export function msixSetMask(tx: Tx, p: XenPirq, masked: boolean): void {
  if (p.kind === 'msi') {
    const fn = tx.s.hw.fns[p.bdf];
    const pos = fn ? capabilityOffset(fn.model, fn.cfg, R.PCI_CAP_ID_MSI) : 0;
    if (!pos) return;
    const flags = hwCfgRead(tx.s, p.bdf, pos + R.PCI_MSI_FLAGS, 2);
    if (!(flags & R.PCI_MSI_FLAGS_MASKBIT)) return;
    const maskOff = pos + (flags & R.PCI_MSI_FLAGS_64BIT ? R.PCI_MSI_MASK_64 : 12);
    hwCfgWrite(tx, p.bdf, maskOff, 4, masked ? 1 : 0);
    return;
  }
  const at = entryAddress(tx.s, p.bdf, p.tableBase, p.entry);
  if (at === null) return;
  mmioWrite32(
    tx,
    at + R.PCI_MSIX_ENTRY_VECTOR_CTRL,
    masked ? R.PCI_MSIX_ENTRY_CTRL_MASKBIT : 0,
    p.bdf,
  );
}

/**
 * map_domain_pirq() for MSI-X: refuse a pirq or vector already mapped elsewhere, program the device's table
 * entry (message for `vector`, left masked until a guest binds it), record the mapping.
 */
export function mapDomainPirq(
  tx: Tx,
  domid: number,
  pirq: number,
  vec: { cpu: number; vector: number },
  msi: { bdf: string; entry: number; tableBase: number },
): number {
  const d = byDomid(tx.s.xen.domains, domid);
  if (!d) return -ESRCH;
  if (pirq < 0 || pirq >= d.nrPirqs) {
    xenDprintk(tx, 'mapInvalid', `dom${domid}: invalid pirq ${pirq} or vector ${vec.vector}`);
    return -EINVAL;
  }
  const old = d.pirqs[pk(pirq)];
  const oldUse = vectorUse(tx.s, vec.cpu, vec.vector);
  if (
    (old && old.vector !== vec.vector) ||
    (oldUse && (oldUse.domid !== domid || oldUse.pirq !== pirq))
  ) {
    xenDprintk(
      tx,
      'mapAlreadyMapped',
      `dom${domid}: pirq ${pirq} or vector ${vec.vector} already mapped`,
    );
    return -EINVAL;
  }
  const msg = composeMsiMsg(vec.cpu, vec.vector);
  const kind = msi.tableBase ? 'msix' : 'msi';
  if (kind === 'msix') {
    // __pci_enable_msix() → msix_capability_init(): program the entry, leave it masked.
    const at = entryAddress(tx.s, msi.bdf, msi.tableBase, msi.entry);
    if (at === null) return -ENODEV;
    mmioWriteMsixEntry(
      tx,
      at,
      msi.bdf,
      R.PCI_MSIX_ENTRY_CTRL_MASKBIT,
      msg.addrLo,
      msg.addrHi,
      msg.data,
    );
  } else {
    // __pci_enable_msi() → msi_capability_init(): address/data into the capability registers.
    const fn = tx.s.hw.fns[msi.bdf];
    const pos = fn ? capabilityOffset(fn.model, fn.cfg, R.PCI_CAP_ID_MSI) : 0;
    if (!pos) return -ENODEV;
    const flags = hwCfgRead(tx.s, msi.bdf, pos + R.PCI_MSI_FLAGS, 2);
    hwCfgWrite(tx, msi.bdf, pos + R.PCI_MSI_ADDRESS_LO, 4, msg.addrLo);
    if (flags & R.PCI_MSI_FLAGS_64BIT) {
      hwCfgWrite(tx, msi.bdf, pos + R.PCI_MSI_ADDRESS_HI, 4, msg.addrHi);
      hwCfgWrite(tx, msi.bdf, pos + R.PCI_MSI_DATA_64, 2, msg.data);
    } else {
      hwCfgWrite(tx, msi.bdf, pos + R.PCI_MSI_DATA_32, 2, msg.data);
    }
  }
  const rec: XenPirq = {
    kind,
    pirq,
    vector: vec.vector,
    cpu: vec.cpu,
    bdf: msi.bdf,
    entry: msi.entry,
    tableBase: msi.tableBase,
    evtchn: 0,
    dpci: null,
  };
  wPirqs(tx, domid)[pk(pirq)] = own(tx, rec);
  setVectorUse(tx, vec.cpu, vec.vector, { domid, pirq, bdf: msi.bdf, entry: msi.entry });
  // Xen 4.x with interrupt remapping: msi_msg_to_remap_entry() → set_msi_source_id() (Engine II).
  if (hasPdevModel(tx.s) && tx.s.xen.iommu.enabled && tx.s.xen.iommu.intremap) {
    setMsiSourceId(tx, domid, pirq, msi.bdf);
  }
  emit(tx, {
    type: 'msi.vector',
    bdf: msi.bdf,
    action: 'xen.map',
    domid,
    pirq,
    entry: msi.entry,
    vector: vec.vector,
    rc: 0,
  });
  return 0;
}

/**
 * unmap_domain_pirq(): "dom%d: pirq %d not mapped" → -EINVAL; a still-bound pirq is force-unbound; the MSI-X
 * entry is masked (__pci_disable_msix) and the vector freed. The pirq is immediately reusable.
 */
export function unmapDomainPirq(tx: Tx, domid: number, pirq: number): number {
  const d = byDomid(tx.s.xen.domains, domid);
  if (!d) return -ESRCH;
  if (pirq < 0 || pirq >= d.nrPirqs) return -EINVAL;
  const p = d.pirqs[pk(pirq)];
  if (!p) {
    xenDprintk(tx, 'unmapNotMapped', `dom${domid}: pirq ${pirq} not mapped`);
    return -EINVAL;
  }
  if (p.evtchn !== 0 || p.dpci !== null) {
    xenDprintk(tx, 'unmapForcingUnbind', `dom${domid}: forcing unbind of pirq ${pirq}`);
  }
  msixSetMask(tx, p, true);
  removePirq(tx, domid, pk(pirq));
  freeVector(tx, p.cpu, p.vector);
  pirqFreed(tx, domid, pirq);
  clearMsiSourceId(tx, domid, pirq);
  emit(tx, {
    type: 'msi.vector',
    bdf: p.bdf,
    action: 'xen.unmap',
    domid,
    pirq,
    entry: p.entry,
    vector: p.vector,
    rc: 0,
  });
  return 0;
}

/** free_domain_pirqs(): on domain destruction, unmap every pirq still mapped. */
export function freeDomainPirqs(tx: Tx, domid: number): void {
  const d = byDomid(tx.s.xen.domains, domid);
  if (!d) return;
  // Highest first. A domain has a handful of pirqs: an insertion sort, where Array.prototype.sort would
  // allocate its work arrays.
  const pirqs: number[] = [];
  for (const key in d.pirqs) {
    const p = d.pirqs[key].pirq;
    let i = pirqs.length;
    pirqs.push(p);
    while (i > 0 && pirqs[i - 1] < p) {
      pirqs[i] = pirqs[i - 1];
      i--;
    }
    pirqs[i] = p;
  }
  for (let i = 0; i < pirqs.length; i++) unmapDomainPirq(tx, domid, pirqs[i]);
}

/** pirq_guest_bind(): attach the guest's handler; the MSI-X entry is unmasked (startup). -EINVAL if unmapped. */
export function pirqGuestBind(tx: Tx, domid: number, pirq: number, evtchn: number): number {
  const d = byDomid(tx.s.xen.domains, domid);
  const p = d?.pirqs[pk(pirq)];
  if (!p) return -EINVAL;
  const rec = wPirq(tx, domid, pirq);
  rec.evtchn = evtchn;
  msixSetMask(tx, rec, false);
  return 0;
}

/** pirq_guest_unbind(): detach; the entry is masked (shutdown) when the last handler goes. */
export function pirqGuestUnbind(tx: Tx, domid: number, pirq: number): void {
  const p = byDomid(tx.s.xen.domains, domid)?.pirqs[pk(pirq)];
  if (!p) return;
  const rec = wPirq(tx, domid, pirq);
  rec.evtchn = 0;
  if (rec.dpci === null) msixSetMask(tx, rec, true);
}

/** XEN_DOMCTL_bind_pt_irq (HVM passthrough MSI): deliver pirq as guest vector `gvec`, unmasked. */
export function ptIrqBindMsi(tx: Tx, domid: number, pirq: number, gvec: number): number {
  const p = byDomid(tx.s.xen.domains, domid)?.pirqs[pk(pirq)];
  if (!p) return -EINVAL;
  const rec = wPirq(tx, domid, pirq);
  rec.dpci = gvec;
  msixSetMask(tx, rec, false);
  return 0;
}

export function newXenDomain(
  tx: Tx,
  domid: number,
  name: string,
  kind: XenDomain['kind'],
): XenDomain {
  const v = xenVersion(tx.s);
  return own(tx, {
    domid,
    name,
    kind,
    state: 'running',
    shutdownReason: null,
    nrPirqs: v.nrPirqs(kind === 'dom0' ? 'dom0' : 'domU', tx.s.xen.extraGuestIrqs),
    pirqs: own(tx, {}),
    nextPort: 1,
  });
}
