// xen/drivers/passthrough/pci.c as in Xen 4.4 (spec §4.2, R19): the pdev list with cached types,
// pseg->bus2bridge, alloc_pdev()/free_pdev(), pci_add_device()/pci_remove_device() and
// find_upstream_bridge() with its iteration bound. Seed 003.
import { fail } from '../core/errors';
import { bdfOf, hex } from '../core/format';
import type { HostState } from '../core/state';
import { own, w, type Tx, mXen } from '../core/tx';
import { findCapRaw } from '../pci/config';
import * as R from '../pci/constants';
import { hwCfgRead } from '../pci/hw';
import { hasChangeset } from '../profiles/stack';
import { xenPrintk, xenVersion } from './console';
import { ENODEV } from './errno';
import type { Bus2Bridge, PdevType, XenPdev } from './types';
import { domainContextMapping, domainContextUnmap, iommuEnabled } from './vtd';

/** MAX_BUSES: the bus2bridge array size, and find_upstream_bridge()'s iteration bound. */
export const MAX_BUSES = 256;

export function b2bKey(bus: number): string {
  return `b${bus}`;
}

/** Debug builds print XENLOG_DEBUG/INFO lines (console.c: XENLOG_UPPER_THRESHOLD 4 unless NDEBUG). */
export function xenDebugBuild(s: HostState): boolean {
  return xenVersion(s).dprintk;
}

/** pdev_type(): the class and PCIe port type as the live config space says now. */
export function pdevType(s: HostState, seg: number, bus: number, devfn: number): PdevType {
  const bdf = bdfOf(seg, bus, devfn);
  const fn = s.hw.fns[bdf];
  const pos = fn ? findCapRaw(fn.cfg, R.PCI_CAP_ID_EXP) : 0;
  const classDevice = hwCfgRead(s, bdf, 0x0a, 2); // PCI_CLASS_DEVICE
  switch (classDevice) {
    case 0x0604: {
      if (!pos) return 'DEV_TYPE_LEGACY_PCI_BRIDGE';
      const creg = hwCfgRead(s, bdf, pos + R.PCI_EXP_FLAGS, 2);
      const t = (creg & 0xf0) >> 4;
      if (t === R.PCI_EXP_TYPE_PCI_BRIDGE) return 'DEV_TYPE_PCIe2PCI_BRIDGE';
      if (t === 0x8) return 'DEV_TYPE_PCI2PCIe_BRIDGE'; // PCI_EXP_TYPE_PCIE_BRIDGE
      return 'DEV_TYPE_PCIe_BRIDGE';
    }
    case 0x0600:
      return 'DEV_TYPE_PCI_HOST_BRIDGE';
    case 0xffff:
      return 'DEV_TYPE_PCI_UNKNOWN';
  }
  // NB. treat legacy pre PCI 2.0 devices (class_device == 0) as endpoints.
  return pos ? 'DEV_TYPE_PCIe_ENDPOINT' : 'DEV_TYPE_PCI';
}

function isPciBridgeType(t: PdevType | undefined): boolean {
  return t === 'DEV_TYPE_PCIe2PCI_BRIDGE' || t === 'DEV_TYPE_LEGACY_PCI_BRIDGE';
}

function wBus2bridge(tx: Tx): Record<string, Bus2Bridge> {
  const xen = mXen(tx);
  if (!xen.bus2bridge) xen.bus2bridge = own(tx, {});
  return w(tx, xen, 'bus2bridge');
}

/**
 * `for ( ; sec_bus <= sub_bus; sec_bus++ )` with u8 loop variables (Xen <= 4.15; 9c3b9800e2 made them
 * unsigned int in 4.16): with sub_bus == 0xff the variable wraps to 0 and the loop never ends. The
 * emulator runs the 256 iterations and then refuses the command: the real hypervisor hangs here.
 */
function u8BusLoop(where: string, sec: number, sub: number, body: (bus: number) => void): void {
  if (sec > sub) return;
  for (let b = sec; b <= sub; b++) body(b);
  if (sub === 0xff) {
    fail(
      'hypervisor-hang',
      `${where}: for ( ; sec_bus <= sub_bus; sec_bus++ ) never ends with u8 sub_bus = 0xff ` +
        '(Xen <= 4.15): the hypervisor hangs',
    );
  }
}

/**
 * alloc_pdev(): an existing pdev with the same bus/devfn is returned unchanged (bus2bridge NOT refreshed);
 * a new one caches pdev_type() and, for PCIe-to-PCI and legacy bridges, points the live
 * secondary..subordinate range of bus2bridge at itself. PCIe ports get no entry.
 */
export function allocPdev(tx: Tx, seg: number, bus: number, devfn: number): XenPdev {
  const bdf = bdfOf(seg, bus, devfn);
  const cur = tx.s.xen.pdevs[bdf];
  if (cur) return cur;
  const type = pdevType(tx.s, seg, bus, devfn);
  const pdev: XenPdev = own(tx, { bdf, domid: -1, type });
  w(tx, mXen(tx), 'pdevs')[bdf] = pdev;
  if (isPciBridgeType(type)) {
    const sec = hwCfgRead(tx.s, bdf, R.PCI_SECONDARY_BUS, 1);
    const sub = hwCfgRead(tx.s, bdf, R.PCI_SUBORDINATE_BUS, 1);
    const map = wBus2bridge(tx);
    u8BusLoop('alloc_pdev', sec, sub, (b) => {
      map[b2bKey(b)] = { bus, devfn };
    });
  }
  return pdev;
}

/**
 * free_pdev() (4.4): for a cached PCIe-to-PCI or legacy bridge type, read the *live* secondary and
 * subordinate at the pdev's address — whatever device is there now — and copy bus2bridge[pdev->bus] into
 * that range: copies, never invalidates. With `xen-bus2bridge-invalidate` a self-referencing entry for
 * pdev->bus is cleared afterwards (Konrad's draft).
 */
export function freePdev(tx: Tx, bdf: string): void {
  const pdev = tx.s.xen.pdevs[bdf];
  if (!pdev) return;
  const a = splitAddr(bdf);
  if (isPciBridgeType(pdev.type)) {
    const sec = hwCfgRead(tx.s, bdf, R.PCI_SECONDARY_BUS, 1);
    const sub = hwCfgRead(tx.s, bdf, R.PCI_SUBORDINATE_BUS, 1);
    const map = wBus2bridge(tx);
    u8BusLoop('free_pdev', sec, sub, (b) => {
      const src = map[b2bKey(a.bus)];
      if (src) map[b2bKey(b)] = { bus: src.bus, devfn: src.devfn };
      else delete map[b2bKey(b)];
    });
    if (hasChangeset(tx.s, 'xen-bus2bridge-invalidate') && map[b2bKey(a.bus)]) {
      // __find_upstream_bridge(pseg->nr, &bus, &devfn, &sec_bus, 1) < 0: recursion detected.
      const r = findUpstreamBridge(tx.s, a.seg, a.bus, a.devfn);
      if (r.ret < 0) {
        let text = `${hex(a.seg, 4)}:${hex(a.bus, 2)}:${hex(r.devfn >> 3, 2)}.${r.devfn & 7} recursed clearing it`;
        if (a.bus !== r.bus || r.devfn !== a.devfn)
          text += ` ${hex(a.bus, 2)}:${hex(a.devfn, 2)} supplied`;
        xenPrintk(tx, text);
        delete map[b2bKey(a.bus)];
      }
    }
  }
  delete w(tx, mXen(tx), 'pdevs')[bdf];
}

function splitAddr(bdf: string): { seg: number; bus: number; devfn: number } {
  const m = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/.exec(bdf);
  if (!m) throw new Error(`internal: bad bdf ${bdf}`);
  return {
    seg: parseInt(m[1], 16),
    bus: parseInt(m[2], 16),
    devfn: (parseInt(m[3], 16) << 3) | parseInt(m[4], 16),
  };
}

export interface UpstreamBridge {
  /** 0: integrated device or PCIe (no entry); 1: found the bridge; -1: the walk did not end. */
  ret: -1 | 0 | 1;
  bus: number;
  devfn: number;
  secbus: number;
  /** Buses visited (the first 12), for diagnostics: 8, 7, 6, 6, 6, … */
  walk: number[];
  /** Loop iterations run (257 when the map loops: cnt++ >= MAX_BUSES). */
  iterations: number;
}

/**
 * find_upstream_bridge(seg, &bus, &devfn, &secbus): 0 for bus 0 or an unmapped bus; otherwise follow
 * bus2bridge while mapped — `if ( cnt++ >= MAX_BUSES ) ret = -1` — and return the last bridge. The
 * output bus/devfn are what the loop left, even on -1 (set_msi_source_id() prints them).
 */
export function findUpstreamBridge(
  s: HostState,
  _seg: number,
  busIn: number,
  devfnIn: number,
): UpstreamBridge {
  let bus = busIn;
  let devfn = devfnIn;
  let secbus = 0;
  const walk: number[] = [bus];
  const map = s.xen.bus2bridge ?? {};
  if (bus === 0 || !map[b2bKey(bus)]) return { ret: 0, bus, devfn, secbus, walk, iterations: 0 };
  let cnt = 0;
  let iterations = 0;
  for (;;) {
    const e = map[b2bKey(bus)];
    if (!e) break;
    iterations++;
    secbus = bus;
    devfn = e.devfn;
    bus = e.bus;
    if (walk.length < 12) walk.push(bus);
    if (cnt++ >= MAX_BUSES) return { ret: -1, bus, devfn, secbus, walk, iterations };
  }
  return { ret: 1, bus, devfn, secbus, walk, iterations };
}

export interface PciDevInfo {
  isVirtfn: boolean;
  physfn: { bus: number; devfn: number } | null;
}

/**
 * pci_add_device() (PHYSDEVOP_pci_device_add / manage_pci_add): a VF first makes sure its PF is known;
 * alloc_pdev(); the SR-IOV check; a pdev without owner goes to the hardware domain with
 * iommu_add_device() (VT-d context mapping); `PCI add %s %04x:%02x:%02x.%u` at XENLOG_DEBUG.
 */
export function pciAddDevice4x(
  tx: Tx,
  seg: number,
  bus: number,
  devfn: number,
  info: PciDevInfo | null,
): number {
  let kind = 'device';
  if (info?.isVirtfn && info.physfn) {
    const pf = bdfOf(seg, info.physfn.bus, info.physfn.devfn);
    if (!tx.s.xen.pdevs[pf]) pciAddDevice4x(tx, seg, info.physfn.bus, info.physfn.devfn, null);
    kind = 'virtual function';
  }
  const pdev = allocPdev(tx, seg, bus, devfn);
  const bdf = pdev.bdf;
  const fn = tx.s.hw.fns[bdf];
  const m = fn ? fn.cfg : null;
  if (!info?.isVirtfn && m) {
    // SR-IOV: "has its virtual functions already enabled" when VFE|MSE are set (XENLOG_WARNING).
    const pos = sriovPos(tx.s, bdf);
    if (pos) {
      const ctrl = hwCfgRead(tx.s, bdf, pos + R.PCI_SRIOV_CTRL, 2);
      if (ctrl & (R.PCI_SRIOV_CTRL_VFE | R.PCI_SRIOV_CTRL_MSE)) {
        xenPrintk(
          tx,
          `SR-IOV device ${hex(seg, 4)}:${hex(bus, 2)}:${hex(devfn >> 3, 2)}.${devfn & 7} has its virtual functions already enabled (${hex(ctrl, 4)})`,
        );
      }
    }
  }
  if (pdev.domid < 0) {
    w(tx, w(tx, mXen(tx), 'pdevs'), bdf).domid = 0;
    if (iommuEnabled(tx.s)) domainContextMapping(tx, 0, bdf);
  }
  if (xenDebugBuild(tx.s)) {
    xenPrintk(
      tx,
      `PCI add ${kind} ${hex(seg, 4)}:${hex(bus, 2)}:${hex(devfn >> 3, 2)}.${devfn & 7}`,
    );
  }
  return 0;
}

function sriovPos(s: HostState, bdf: string): number {
  const fn = s.hw.fns[bdf];
  if (!fn || fn.cfg.length <= 64) return 0;
  let pos = 0x100;
  for (let ttl = 64; pos && ttl > 0; ttl--) {
    const hdr = fn.cfg[pos >> 2] >>> 0;
    if ((hdr & 0xffff) === R.PCI_EXT_CAP_ID_SRIOV) return pos;
    pos = hdr >>> 20;
  }
  return 0;
}

/** pci_remove_device() (PHYSDEVOP_pci_device_remove): iommu_remove_device, free_pdev, XENLOG_DEBUG line. */
export function pciRemoveDevice4x(tx: Tx, seg: number, bus: number, devfn: number): number {
  const bdf = bdfOf(seg, bus, devfn);
  const pdev = tx.s.xen.pdevs[bdf];
  if (!pdev) return -ENODEV;
  if (pdev.domid >= 0 && iommuEnabled(tx.s)) domainContextUnmap(tx, pdev.domid, bdf);
  freePdev(tx, bdf);
  if (xenDebugBuild(tx.s)) {
    xenPrintk(
      tx,
      `PCI remove device ${hex(seg, 4)}:${hex(bus, 2)}:${hex(devfn >> 3, 2)}.${devfn & 7}`,
    );
  }
  return 0;
}

/**
 * scan_pci_devices() → _scan_pci_devices(): every function that answers, in bus/dev/fn order, through
 * alloc_pdev() (so bridges fill bus2bridge with the firmware's numbers); then setup_hwdom_pci_devices()
 * gives each to dom0 with its VT-d context.
 */
export function scanPciDevices4x(tx: Tx): void {
  const xen = mXen(tx);
  xen.bus2bridge = own(tx, {});
  xen.vtdContexts = own(tx, {});
  xen.irteSources = own(tx, {});
  xen.dmaFaults = own(tx, {});
  const bdfs = Object.keys(tx.s.hw.fns).sort();
  for (const bdf of bdfs) {
    const fn = tx.s.hw.fns[bdf];
    if ((fn.cfg[0] & 0xffff) === 0xffff) continue; // pci_device_detect()
    allocPdev(tx, fn.seg, fn.bus, fn.devfn);
  }
  for (const bdf of Object.keys(tx.s.xen.pdevs).sort()) {
    w(tx, w(tx, mXen(tx), 'pdevs'), bdf).domid = 0;
    if (iommuEnabled(tx.s)) domainContextMapping(tx, 0, bdf);
  }
}

/**
 * `xen-trap-bus-writes` (option 3, a proposal): after a trapped write to a bridge's bus-number registers,
 * rebuild bus2bridge from the live registers of the bridges in the pdev list (a stale record whose address
 * now holds something else is skipped); the nearest bridge wins for nested ranges.
 */
export function xenTrapBusWrite(tx: Tx): void {
  if (!hasChangeset(tx.s, 'xen-trap-bus-writes')) return;
  const spans: { bus: number; devfn: number; sec: number; sub: number }[] = [];
  for (const bdf of Object.keys(tx.s.xen.pdevs).sort()) {
    const p = tx.s.xen.pdevs[bdf];
    if (!isPciBridgeType(p.type)) continue;
    const a = splitAddr(bdf);
    if (!isPciBridgeType(pdevType(tx.s, a.seg, a.bus, a.devfn))) continue;
    const sec = hwCfgRead(tx.s, bdf, R.PCI_SECONDARY_BUS, 1);
    const sub = hwCfgRead(tx.s, bdf, R.PCI_SUBORDINATE_BUS, 1);
    if (sec === 0 || sec > sub) continue;
    spans.push({ bus: a.bus, devfn: a.devfn, sec, sub });
  }
  // Widest first, so nested (narrower) ranges overwrite their part.
  spans.sort((x, y) => y.sub - y.sec - (x.sub - x.sec) || x.sec - y.sec);
  const next: Record<string, Bus2Bridge> = {};
  for (const sp of spans) {
    for (let b = sp.sec; b <= sp.sub; b++) next[b2bKey(b)] = { bus: sp.bus, devfn: sp.devfn };
  }
  mXen(tx).bus2bridge = own(tx, next);
}

/** The bus2bridge map as `{ bus: 'BB:DD.F' }` (the shape the seed prints: `6 -> 06:00.0`). */
export function bus2bridgeView(s: HostState): Record<number, string> {
  const out: Record<number, string> = {};
  const map = s.xen.bus2bridge ?? {};
  for (const k of Object.keys(map)) {
    const e = map[k];
    out[Number(k.slice(1))] = `${hex(e.bus, 2)}:${hex(e.devfn >> 3, 2)}.${e.devfn & 7}`;
  }
  return out;
}
