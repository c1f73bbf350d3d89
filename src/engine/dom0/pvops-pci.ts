// A pvops dom0 (Linux >= 3.9) enumerating PCI as the hypervisor sees it (spec §3, §4.2; seed 003):
// drivers/pci/probe.c pci_scan_child_bus() — with `pci=assign-busses` (pcibios_assign_all_busses) two
// passes per bus, every bridge zeroed and renumbered depth-first, room left for SR-IOV VF buses — and
// pci_device_add() → device_add() → BUS_NOTIFY_ADD_DEVICE → xen_pci_notifier → PHYSDEVOP_pci_device_add
// *during* the scan (since "PCI: Put pci_dev in device tree as early as possible", v3.9): a bridge is
// reported while it still holds the firmware's bus numbers. Also sysfs remove/rescan
// (pci_stop_and_remove_bus_device, pci_rescan_bus).
import { fail } from '../core/errors';
import { bdfOf, canonicalBdf } from '../core/format';
import type { HostState } from '../core/state';
import { emit, own, type Tx, mDom0Pci, mFns } from '../core/tx';
import { rawRead } from '../pci/config';
import * as R from '../pci/constants';
import { hwCfgRead, hwCfgWrite, modelOf, virtfnAddress } from '../pci/hw';
import type { PciFunction } from '../pci/types';
import { hasChangeset } from '../profiles/stack';
import { isKvmHost, isPvopsDom0 } from '../profiles/stack2';
import { pciAddDevice, pciRemoveDevice } from '../xen/pci';
import { xenTrapBusWrite } from '../xen/pdev';
import { deviceReleaseDriver, driverProbeDevice } from './driver-core';
import { pcistubFind } from './pciback/pci_stub';
import { pciScanDevices } from './probe';

/** `pci=assign-busses` (arch/x86/pci/common.c pcibios_setup → PCI_ASSIGN_ALL_BUSSES). */
export function assignAllBusses(s: HostState): boolean {
  for (const tok of s.dom0.cmdline.split(/\s+/)) {
    if (tok.startsWith('pci=') && tok.slice(4).split(',').includes('assign-busses')) return true;
  }
  return false;
}

interface ScanCtx {
  assign: boolean;
  /** xen-readd-devices: hold the add notifications back until the scan is over. */
  defer: boolean;
  /** Devices Linux already has (a rescan adds only the others). */
  known: Set<string>;
  /** Devices found, in scan order (final addresses). */
  found: string[];
  /** Functions unreachable while their bridge is zeroed, by identity. */
  pool: Map<string, PciFunction>;
  /** Physical children of each bridge (identity of the bridge → identities), and of the root bus. */
  children: Map<string, string[]>;
  /** Identity → current address (null while unreachable). */
  where: Map<string, string | null>;
}

const ROOT = '<root>';

/** The physical tree, read from the current numbering before anything is rewritten. */
function physicalTree(s: HostState): Map<string, string[]> {
  const kids = new Map<string, string[]>();
  const bridges = Object.values(s.hw.fns).filter((f) => modelOf(f).headerType === 1);
  for (const bdf of Object.keys(s.hw.fns).sort()) {
    const fn = s.hw.fns[bdf];
    let parent = ROOT;
    let span = Infinity;
    if (fn.bus !== 0) {
      for (const b of bridges) {
        if (b.seg !== fn.seg || b.bdf === bdf) continue;
        const sec = rawRead(b.cfg, R.PCI_SECONDARY_BUS, 1);
        const sub = rawRead(b.cfg, R.PCI_SUBORDINATE_BUS, 1);
        if (sec !== 0 && fn.bus >= sec && fn.bus <= sub && sub - sec < span) {
          parent = b.bdf;
          span = sub - sec;
        }
      }
    }
    if (parent === ROOT && fn.bus !== 0) continue; // unreachable now: not part of the tree
    const list = kids.get(parent) ?? [];
    list.push(bdf);
    kids.set(parent, list);
  }
  return kids;
}

function xenNotifyAdd(tx: Tx, ctx: ScanCtx, bdf: string): void {
  ctx.found.push(bdf);
  if (ctx.known.has(bdf) || ctx.defer) return;
  const fn = tx.s.hw.fns[bdf];
  pciAddDevice(tx, bdf, fn.bus, fn.devfn);
}

/** Write a bridge's bus-number dword (primary | secondary << 8 | subordinate << 16), trapped or not. */
function writeBusNumbers(tx: Tx, bdf: string, pri: number, sec: number, sub: number): void {
  const old = hwCfgRead(tx.s, bdf, R.PCI_PRIMARY_BUS, 4);
  const v = ((old & 0xff000000) | (pri & 0xff) | ((sec & 0xff) << 8) | ((sub & 0xff) << 16)) >>> 0;
  hwCfgWrite(tx, bdf, R.PCI_PRIMARY_BUS, 4, v);
  xenTrapBusWrite(tx);
}

function writeSubordinate(tx: Tx, bdf: string, sub: number): void {
  hwCfgWrite(tx, bdf, R.PCI_SUBORDINATE_BUS, 1, sub);
  xenTrapBusWrite(tx);
}

/** Take every physical descendant of `id` out of config space (its bridge no longer forwards). */
function detachBelow(tx: Tx, ctx: ScanCtx, id: string): void {
  for (const c of ctx.children.get(id) ?? []) {
    const at = ctx.where.get(c);
    if (at !== null && at !== undefined) {
      const fns = mFns(tx);
      ctx.pool.set(c, fns[at]);
      delete fns[at];
      ctx.where.set(c, null);
    }
    detachBelow(tx, ctx, c);
  }
}

/** The bridge forwards `newSec` now: its direct children answer there (VF buses keep their offset). */
function placeChildren(tx: Tx, ctx: ScanCtx, id: string, oldSec: number, newSec: number): void {
  for (const c of ctx.children.get(id) ?? []) {
    const f = ctx.pool.get(c);
    if (!f) continue;
    const bus = newSec + (f.bus - oldSec);
    const bdf = bdfOf(f.seg, bus, f.devfn);
    const moved: PciFunction = own(tx, { ...f, bdf, bus });
    mFns(tx)[bdf] = moved;
    ctx.pool.delete(c);
    ctx.where.set(c, bdf);
  }
}

/** sriov_init(): on an ARI hierarchy set ARI Capable Hierarchy (the PF then reports the ARI VF offset). */
function sriovInit(tx: Tx, bdf: string): void {
  const m = modelOf(tx.s.hw.fns[bdf]);
  if (!m.sriov || !m.ari) return;
  const at = m.sriov.offset + R.PCI_SRIOV_CTRL;
  const ctrl = hwCfgRead(tx.s, bdf, at, 2);
  if (!(ctrl & R.PCI_SRIOV_CTRL_ARI)) hwCfgWrite(tx, bdf, at, 2, ctrl | R.PCI_SRIOV_CTRL_ARI);
}

/** pci_iov_bus_range(): the buses the VFs of the PFs on `bus` will need beyond it. */
function iovBusRange(s: HostState, bdfs: string[], bus: number): number {
  let max = 0;
  for (const bdf of bdfs) {
    const fn = s.hw.fns[bdf];
    const sr = modelOf(fn).sriov;
    if (!sr || fn.physfn !== null) continue;
    const total = rawRead(fn.cfg, sr.offset + R.PCI_SRIOV_TOTAL_VF, 2);
    if (total === 0) continue;
    const last = virtfnAddress(fn, total - 1).bus;
    if (last - bus > max) max = last - bus;
  }
  return max;
}

/** pci_scan_child_bus(): devices on `bus` (added as found), then the bridges in two passes. */
function scanChildBus(tx: Tx, ctx: ScanCtx, parentId: string, bus: number): number {
  const ids = (ctx.children.get(parentId) ?? []).filter((id) => ctx.where.get(id) !== null);
  const onBus = ids
    .map((id) => ({ id, bdf: ctx.where.get(id) ?? '' }))
    .filter((x) => x.bdf !== '' && tx.s.hw.fns[x.bdf]?.bus === bus && !tx.s.hw.fns[x.bdf].physfn)
    .sort((a, b) => (a.bdf < b.bdf ? -1 : 1));
  let max = bus;
  for (const { bdf } of onBus) {
    sriovInit(tx, bdf);
    xenNotifyAdd(tx, ctx, bdf); // pci_device_add() → device_add() → xen_pci_notifier
  }
  max += iovBusRange(
    tx.s,
    onBus.map((x) => x.bdf),
    bus,
  );
  const bridges = onBus.filter((x) => modelOf(tx.s.hw.fns[x.bdf]).headerType === 1);
  if (!ctx.assign) {
    for (const { id, bdf } of bridges) {
      const sec = hwCfgRead(tx.s, bdf, R.PCI_SECONDARY_BUS, 1);
      const sub = hwCfgRead(tx.s, bdf, R.PCI_SUBORDINATE_BUS, 1);
      if (sec === 0) continue;
      scanChildBus(tx, ctx, id, sec);
      if (sub > max) max = sub;
    }
    return max;
  }
  // Pass 0: "Temporarily disable forwarding of the configuration cycles on all bridges in this bus
  // segment" — primary/secondary/subordinate written as 0.
  const oldSec = new Map<string, number>();
  for (const { id, bdf } of bridges) {
    oldSec.set(id, hwCfgRead(tx.s, bdf, R.PCI_SECONDARY_BUS, 1));
    writeBusNumbers(tx, bdf, 0, 0, 0);
    detachBelow(tx, ctx, id);
  }
  // Pass 1: each bridge gets max+1 (subordinate 0xff while its bus is scanned), then the real end.
  for (const { id } of bridges) {
    const bdf = ctx.where.get(id) ?? '';
    const child = max + 1;
    writeBusNumbers(tx, bdf, bus, child, 0xff);
    placeChildren(tx, ctx, id, oldSec.get(id) ?? 0, child);
    max = scanChildBus(tx, ctx, id, child);
    writeSubordinate(tx, bdf, max);
  }
  return max;
}

function newCtx(tx: Tx, assign: boolean, defer: boolean, known: Set<string>): ScanCtx {
  const where = new Map<string, string | null>();
  for (const bdf of Object.keys(tx.s.hw.fns)) where.set(bdf, bdf);
  return { assign, defer, known, found: [], pool: new Map(), children: physicalTree(tx.s), where };
}

/**
 * dom0's boot scan on a pvops kernel (replaces pciScanDevices for these stacks): enumerate (renumbering
 * with pci=assign-busses), report each device to Xen as it is found, then build the pci_devs. With
 * `xen-readd-devices` every device Xen knows is first removed at its firmware address, and all are
 * added back after the scan.
 */
export function pvopsPciScan(tx: Tx): void {
  const assign = assignAllBusses(tx.s);
  const readd = assign && hasChangeset(tx.s, 'xen-readd-devices');
  if (readd) {
    // Children first (higher buses first), while the hardware still answers at the firmware numbers.
    for (const bdf of Object.keys(tx.s.xen.pdevs).sort().reverse()) {
      const p = tx.s.xen.pdevs[bdf];
      if (!p) continue;
      const fn = tx.s.hw.fns[bdf];
      if (fn) pciRemoveDevice(tx, bdf, fn.bus, fn.devfn);
    }
  }
  const ctx = newCtx(tx, assign, readd, new Set());
  scanChildBus(tx, ctx, ROOT, 0);
  pciScanDevices(tx);
  if (readd) {
    for (const bdf of [...ctx.found].sort()) {
      const fn = tx.s.hw.fns[bdf];
      if (fn) pciAddDevice(tx, bdf, fn.bus, fn.devfn);
    }
  }
}

/** Functions physically behind a bridge (by the live numbering), children before their bridge. */
function subtreePostOrder(s: HostState, bdf: string): string[] {
  const out: string[] = [];
  const fn = s.hw.fns[bdf];
  if (fn && modelOf(fn).headerType === 1) {
    const sec = rawRead(fn.cfg, R.PCI_SECONDARY_BUS, 1);
    if (sec !== 0) {
      const onSec = Object.keys(s.hw.fns)
        .filter((k) => s.hw.fns[k].bus === sec && s.hw.fns[k].seg === fn.seg)
        .sort();
      for (const k of onSec) out.push(...subtreePostOrder(s, k));
    }
  }
  out.push(bdf);
  return out;
}

/**
 * echo 1 > /sys/bus/pci/devices/<bdf>/remove: pci_stop_and_remove_bus_device() — drivers unbound and
 * pci_devs destroyed children first, each reported with PHYSDEVOP_pci_device_remove (xen_remove_device).
 */
export function dom0PciRemove(tx: Tx, bdfIn: string): void {
  const bdf = canonicalBdf(bdfIn);
  if (!tx.s.dom0.pci[bdf] || !tx.s.hw.fns[bdf]) fail('unknown-device', `no PCI device ${bdf}`);
  if (!isPvopsStack(tx.s))
    fail('invalid-state', 'sysfs remove/rescan is modelled for pvops dom0 kernels only');
  const victims = subtreePostOrder(tx.s, bdf).filter((k) => tx.s.dom0.pci[k]);
  for (const k of victims) {
    const fn = tx.s.hw.fns[k];
    if (fn.physfn !== null || tx.s.dom0.pci[k].isVirtfn)
      fail('invalid-state', `${k} is a virtual function: disable SR-IOV on its PF instead`);
    const sr = modelOf(fn).sriov;
    if (sr && rawRead(fn.cfg, sr.offset + R.PCI_SRIOV_CTRL, 2) & R.PCI_SRIOV_CTRL_VFE)
      fail('device-busy', `${k} has its virtual functions enabled`);
    const psdev = pcistubFind(tx.s, k);
    if (psdev && psdev.owner !== null)
      fail('device-busy', `${k} is assigned to domain ${psdev.owner}`);
  }
  for (const k of victims) {
    deviceReleaseDriver(tx, 'dom0', k);
    const fn = tx.s.hw.fns[k];
    pciRemoveDevice(tx, k, fn.bus, fn.devfn);
    delete mDom0Pci(tx)[k];
    emit(tx, {
      type: 'device.assignment',
      bdf: k,
      action: 'removed',
      driver: null,
      domid: 0,
      domain: null,
    });
  }
}

function isPvopsStack(s: HostState): boolean {
  return isPvopsDom0(s) && !isKvmHost(s);
}

/**
 * echo 1 > /sys/bus/pci/rescan: pci_rescan_bus() from the root — with pci=assign-busses every bridge goes
 * through both passes again; devices Linux does not have yet are added (and reported to Xen) as found.
 */
export function dom0PciRescan(tx: Tx): void {
  if (!isPvopsStack(tx.s))
    fail('invalid-state', 'sysfs remove/rescan is modelled for pvops dom0 kernels only');
  const before = tx.s.dom0.pci;
  const known = new Set(Object.keys(before));
  const assign = assignAllBusses(tx.s);
  const defer = assign && hasChangeset(tx.s, 'xen-readd-devices');
  const ctx = newCtx(tx, assign, defer, known);
  scanChildBus(tx, ctx, ROOT, 0);
  pciScanDevices(tx);
  const pci = mDom0Pci(tx);
  for (const k of Object.keys(pci)) {
    if (known.has(k)) pci[k] = before[k];
    else if (!ctx.found.includes(k)) delete pci[k];
  }
  const fresh = ctx.found.filter((k) => !known.has(k)).sort();
  if (defer) {
    for (const k of fresh) {
      const fn = tx.s.hw.fns[k];
      pciAddDevice(tx, k, fn.bus, fn.devfn);
    }
  }
  for (const k of fresh) {
    emit(tx, {
      type: 'device.assignment',
      bdf: k,
      action: 'added',
      driver: null,
      domid: 0,
      domain: null,
    });
    const drv = modelOf(tx.s.hw.fns[k]).hostDriver;
    if (drv && !tx.s.dom0.blacklist.includes(drv) && tx.s.dom0.pci[k]?.driver === null)
      driverProbeDevice(tx, 'dom0', k, drv);
  }
}
