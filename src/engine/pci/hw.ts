// Hardware behaviour: config cycles with their side effects (SR-IOV VF enable, FLR, BIST, secondary bus
// reset) and MMIO decode of BAR memory, where the MSI-X table and PBA live.
import type { HostState } from '../core/state';
import { emit, own, ownedFrom, sliceArray, w, type Tx, mFns } from '../core/tx';
import { copyFn } from '../core/copy';
import { bdfOf } from '../core/format';
import { deviceModel, type BarSpec, type DeviceModel, type MsixSpec } from './catalog';
import { configWmask, initialConfig, maskedWrite, rawRead, rawWrite } from './config';
import * as R from './constants';
import { msixTableDwords, newFunction } from './topology';
import type { PciFunction } from './types';

export function hwFn(s: HostState, bdf: string): PciFunction | undefined {
  return s.hw.fns[bdf];
}

export function modelOf(fn: PciFunction): DeviceModel {
  return deviceModel(fn.model);
}

/** Mutable view of a function (copy-on-write). */
export function wFn(tx: Tx, bdf: string): PciFunction {
  const fns = mFns(tx);
  const h = tx.h;
  const c = h.fn;
  if (c !== undefined && h.fnBdf === bdf && fns[bdf] === c) return c;
  h.fnBdf = bdf;
  return (h.fn = fns[bdf] = ownedFrom(tx, fns[bdf], tx.base.hw.fns[bdf], copyFn));
}

/** The function at `bdf` in the transaction's input state. */
function baseFn(tx: Tx, bdf: string): PciFunction | undefined {
  return tx.base.hw.fns[bdf];
}

/** Mutable config space of a function this transaction owns (`fn`, at `bdf`). */
function wCfg(tx: Tx, bdf: string, fn: PciFunction): number[] {
  const c = tx.h.cfg;
  if (c !== undefined && fn.cfg === c) return c;
  const b = baseFn(tx, bdf);
  return (tx.h.cfg = fn.cfg = ownedFrom(tx, fn.cfg, b && b.cfg, sliceArray));
}

/** Mutable MSI-X table backing store of a function this transaction owns (`fn`, at `bdf`). */
function wTable(tx: Tx, bdf: string, fn: PciFunction): number[] {
  const c = tx.h.table;
  if (c !== undefined && fn.table === c) return c;
  const b = baseFn(tx, bdf);
  return (tx.h.table = fn.table = ownedFrom(tx, fn.table, b && b.table, sliceArray));
}

/** A configuration read cycle. Absent functions answer all ones (master abort). */
export function hwCfgRead(s: HostState, bdf: string, off: number, size: 1 | 2 | 4): number {
  const fn = s.hw.fns[bdf];
  if (!fn) return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
  if (off + size > fn.cfg.length * 4) return 0;
  return rawRead(fn.cfg, off, size);
}

/** A configuration write cycle, through the write masks, followed by the device's reaction. */
export function hwCfgWrite(tx: Tx, bdf: string, off: number, size: 1 | 2 | 4, value: number): void {
  const cur = tx.s.hw.fns[bdf];
  if (!cur || off + size > cur.cfg.length * 4) return;
  const m = modelOf(cur);
  const fn = wFn(tx, bdf);
  const cfg = wCfg(tx, bdf, fn);
  const before = rawRead(cfg, off & ~3, 4);
  maskedWrite(cfg, configWmask(fn.model), off, size, value);

  if (m.sriov && touches(off, size, m.sriov.offset + R.PCI_SRIOV_CTRL, 2)) {
    sriovControlChanged(tx, bdf, before);
  }
  if (m.pcie?.flr && touches(off, size, m.pcie.offset + R.PCI_EXP_DEVCTL, 2)) {
    const devctl = rawRead(cfg, m.pcie.offset + R.PCI_EXP_DEVCTL, 2);
    if (devctl & R.PCI_EXP_DEVCTL_BCR_FLR) functionLevelReset(tx, bdf);
  }
  if (m.bist && touches(off, size, R.PCI_BIST, 1)) {
    if (rawRead(cfg, R.PCI_BIST, 1) & R.PCI_BIST_START) backdoorReset(tx, bdf);
  }
  if (m.headerType === 1 && touches(off, size, R.PCI_BRIDGE_CONTROL, 1)) {
    const was = (before >>> 16) & R.PCI_BRIDGE_CTL_BUS_RESET;
    const now = rawRead(cfg, R.PCI_BRIDGE_CONTROL, 2) & R.PCI_BRIDGE_CTL_BUS_RESET;
    if (!was && now) secondaryBusReset(tx, bdf);
  }
}

/** Does a write of `size` bytes at `off` touch the register of `len` bytes at `at`? */
function touches(off: number, size: number, at: number, len: number): boolean {
  return off < at + len && at < off + size;
}

// ---- SR-IOV (spec §2, R33) ----

/** First VF Offset as the device currently reports it (depends on the ARI Capable Hierarchy bit). */
export function sriovVfOffset(fn: PciFunction): number {
  const sr = modelOf(fn).sriov;
  if (!sr) return 0;
  return rawRead(fn.cfg, sr.offset + R.PCI_SRIOV_VF_OFFSET, 2);
}

/** pci_iov_virtfn_bus()/pci_iov_virtfn_devfn(): where VF `i` of a PF appears. */
export function virtfnAddress(fn: PciFunction, i: number): { bus: number; devfn: number } {
  const sr = modelOf(fn).sriov;
  if (!sr) throw new Error('internal: not an SR-IOV PF');
  const offset = rawRead(fn.cfg, sr.offset + R.PCI_SRIOV_VF_OFFSET, 2);
  const stride = rawRead(fn.cfg, sr.offset + R.PCI_SRIOV_VF_STRIDE, 2);
  const rid = fn.devfn + offset + stride * i;
  return { bus: fn.bus + (rid >> 8), devfn: rid & 0xff };
}

export function virtfnBdf(fn: PciFunction, i: number): string {
  const a = virtfnAddress(fn, i);
  return bdfOf(fn.seg, a.bus, a.devfn);
}

function sriovControlChanged(tx: Tx, pfBdf: string, beforeDword: number): void {
  const pf = tx.s.hw.fns[pfBdf];
  const sr = modelOf(pf).sriov;
  if (!sr) return;
  const ctrlOff = sr.offset + R.PCI_SRIOV_CTRL;
  const before = ctrlOff & 3 ? beforeDword >>> 16 : beforeDword & 0xffff;
  const ctrl = rawRead(pf.cfg, ctrlOff, 2);
  // The device reports First VF Offset for the current ARI Capable Hierarchy setting.
  const offset = ctrl & R.PCI_SRIOV_CTRL_ARI ? sr.vfOffsetAri : sr.vfOffsetNonAri;
  if (rawRead(pf.cfg, sr.offset + R.PCI_SRIOV_VF_OFFSET, 2) !== offset) {
    rawWrite(w(tx, wFn(tx, pfBdf), 'cfg'), sr.offset + R.PCI_SRIOV_VF_OFFSET, 2, offset);
  }
  const wasOn = (before & R.PCI_SRIOV_CTRL_VFE) !== 0;
  const isOn = (ctrl & R.PCI_SRIOV_CTRL_VFE) !== 0;
  if (!wasOn && isOn) instantiateVfs(tx, pfBdf);
  if (wasOn && !isOn) removeVfs(tx, pfBdf);
}

function instantiateVfs(tx: Tx, pfBdf: string): void {
  const pf = tx.s.hw.fns[pfBdf];
  const sr = modelOf(pf).sriov;
  if (!sr) return;
  const numVfs = Math.min(rawRead(pf.cfg, sr.offset + R.PCI_SRIOV_NUM_VF, 2), sr.totalVfs);
  const fns = mFns(tx);
  for (let i = 0; i < numVfs; i++) {
    const bdf = virtfnBdf(pf, i);
    const vf = newFunction(bdf, sr.vfModel);
    vf.physfn = pfBdf;
    vf.vfIndex = i;
    fns[bdf] = own(tx, vf);
  }
}

function removeVfs(tx: Tx, pfBdf: string): void {
  const fns = mFns(tx);
  for (const bdf of Object.keys(fns)) {
    if (fns[bdf].physfn === pfBdf) delete fns[bdf];
  }
}

/** The VFs of a PF currently present, in VF index order. */
export function presentVfs(s: HostState, pfBdf: string): PciFunction[] {
  return Object.values(s.hw.fns)
    .filter((f) => f.physfn === pfBdf)
    .sort((a, b) => (a.vfIndex ?? 0) - (b.vfIndex ?? 0));
}

// ---- resets (spec §1) ----

/** Function Level Reset: config space to reset values, MSI-X off, table entries masked (PCIe spec; UNVERIFIED per device). */
export function functionLevelReset(tx: Tx, bdf: string): void {
  const fn = wFn(tx, bdf);
  const m = modelOf(fn);
  const keep = m.headerType === 0 ? barDwords(fn) : null;
  const cfg = initialConfig(fn.model);
  // BAR assignments are firmware state the OS re-programs after reset; keep them so the model stays addressable.
  if (keep) keep.forEach(([off, v]) => rawWrite(cfg, off, 4, v));
  fn.cfg = own(tx, cfg);
  fn.table = own(tx, msixTableDwords(m.msix ? m.msix.entries : 0));
  fn.pba = own(tx, new Array<number>(fn.pba.length).fill(0));
  if (m.sriov) removeVfs(tx, bdf);
  emit(tx, {
    type: 'device.assignment',
    bdf,
    action: 'reset',
    driver: null,
    domid: null,
    domain: null,
  });
}

function barDwords(fn: PciFunction): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < 6; i++) {
    const off = R.PCI_BASE_ADDRESS_0 + 4 * i;
    out.push([off, rawRead(fn.cfg, off, 4)]);
  }
  return out;
}

/**
 * Backdoor reset (IPR BIST, spec §1 / seed 004): every MSI-X table entry becomes addr=0, data=0,
 * vector control=0 ("lose everything in MSIx table"; the mask-bit value is UNVERIFIED for IPR).
 * The rest of config space is untouched and no cache above the device is told.
 */
export function backdoorReset(tx: Tx, bdf: string): void {
  const fn = wFn(tx, bdf);
  fn.table = own(tx, new Array<number>(fn.table.length).fill(0));
  const cfg = w(tx, fn, 'cfg');
  // BIST completes: START clears, completion code 0.
  rawWrite(cfg, R.PCI_BIST, 1, R.PCI_BIST_CAPABLE);
  emit(tx, {
    type: 'device.assignment',
    bdf,
    action: 'reset',
    driver: null,
    domid: null,
    domain: null,
  });
}

/** Functions whose bus lies behind a bridge (secondary..subordinate). */
export function functionsBehind(s: HostState, bridgeBdf: string): PciFunction[] {
  const br = s.hw.fns[bridgeBdf];
  if (!br) return [];
  const sec = rawRead(br.cfg, R.PCI_SECONDARY_BUS, 1);
  const sub = rawRead(br.cfg, R.PCI_SUBORDINATE_BUS, 1);
  return Object.values(s.hw.fns).filter((f) => f.seg === br.seg && f.bus >= sec && f.bus <= sub);
}

/** The bridge whose secondary..subordinate range contains `bus`, nearest first. */
export function upstreamBridge(s: HostState, fn: PciFunction): PciFunction | undefined {
  let best: PciFunction | undefined;
  let bestSpan = Infinity;
  for (const br of Object.values(s.hw.fns)) {
    if (modelOf(br).headerType !== 1 || br.seg !== fn.seg) continue;
    const sec = rawRead(br.cfg, R.PCI_SECONDARY_BUS, 1);
    const sub = rawRead(br.cfg, R.PCI_SUBORDINATE_BUS, 1);
    if (fn.bus >= sec && fn.bus <= sub && sub - sec < bestSpan) {
      best = br;
      bestSpan = sub - sec;
    }
  }
  return best;
}

/** Secondary bus reset: every function behind the bridge returns to power-on state (VFs vanish). */
export function secondaryBusReset(tx: Tx, bridgeBdf: string): void {
  for (const f of functionsBehind(tx.s, bridgeBdf)) {
    if (f.physfn !== null) continue;
    if (!tx.s.hw.fns[f.bdf]) continue;
    functionLevelReset(tx, f.bdf);
  }
}

// ---- MMIO (BAR memory) ----

interface BarHit {
  bdf: string;
  bar: number;
  offset: number;
}

// Pure per-model index of BAR specs by BAR number (derived from the catalog).
const barIndex = new Map<string, (BarSpec | null)[]>();
const vfBarIndex = new Map<string, (BarSpec | null)[]>();
// The last model asked for, per kind: MMIO to a VF asks for its PF's VF BARs over and over.
let lastBarsId: string | undefined;
let lastBars: (BarSpec | null)[] = [];
let lastVfBarsId: string | undefined;
let lastVfBars: (BarSpec | null)[] = [];
function barsOf(modelId: string, vf: boolean): (BarSpec | null)[] {
  if (vf) {
    if (modelId === lastVfBarsId) return lastVfBars;
    lastVfBars = barsIndexed(modelId, true);
    lastVfBarsId = modelId;
    return lastVfBars;
  }
  if (modelId === lastBarsId) return lastBars;
  lastBars = barsIndexed(modelId, false);
  lastBarsId = modelId;
  return lastBars;
}

function barsIndexed(modelId: string, vf: boolean): (BarSpec | null)[] {
  const index = vf ? vfBarIndex : barIndex;
  let arr = index.get(modelId);
  if (!arr) {
    const m = deviceModel(modelId);
    const specs = vf ? (m.sriov?.vfBars ?? []) : m.bars;
    arr = [null, null, null, null, null, null];
    for (const b of specs) arr[b.index] = b;
    index.set(modelId, arr);
  }
  return arr;
}

/** Base address and size of BAR `i` as the hardware decodes it now (null: not decoding). */
export function barWindow(
  s: HostState,
  fn: PciFunction,
  i: number,
): { base: number; size: number } | null {
  const spec = barSpec(s, fn, i);
  if (!spec) return null;
  const base = barBase(s, fn, i, spec);
  return base < 0 ? null : { base, size: spec.size };
}

/** The BAR `i` a function implements (a VF's come from its PF's SR-IOV capability), or null. */
function barSpec(s: HostState, fn: PciFunction, i: number): BarSpec | null {
  if (fn.physfn === null) return barsOf(fn.model, false)[i];
  const pf = s.hw.fns[fn.physfn];
  return pf ? barsOf(pf.model, true)[i] : null;
}

/** Base address of BAR `i` (`spec`) as the hardware decodes it now; -1 when it does not decode. */
function barBase(s: HostState, fn: PciFunction, i: number, spec: BarSpec): number {
  if (fn.physfn !== null) {
    const pf = s.hw.fns[fn.physfn];
    const sr = modelOf(pf).sriov;
    if (!sr) return -1;
    const ctrl = rawRead(pf.cfg, sr.offset + R.PCI_SRIOV_CTRL, 2);
    if (!(ctrl & R.PCI_SRIOV_CTRL_MSE)) return -1;
    const reg = rawRead(pf.cfg, sr.offset + R.PCI_SRIOV_BAR + 4 * i, 4) & ~0xf;
    return (reg >>> 0) + spec.size * (fn.vfIndex ?? 0);
  }
  const cmd = rawRead(fn.cfg, R.PCI_COMMAND, 2);
  if (spec.kind === 'io' ? !(cmd & R.PCI_COMMAND_IO) : !(cmd & R.PCI_COMMAND_MEMORY)) return -1;
  const reg = rawRead(fn.cfg, R.PCI_BASE_ADDRESS_0 + 4 * i, 4) & (spec.kind === 'io' ? ~0x3 : ~0xf);
  return reg >>> 0;
}

/**
 * Offset of `addr` inside BAR `i` as decoded now, or -1 (barWindow() without the allocation); `len` bytes
 * from `addr` must all be inside the BAR.
 */
function barOffset(s: HostState, fn: PciFunction, i: number, addr: number, len = 1): number {
  let base: number;
  let size: number;
  if (fn.physfn !== null) {
    // A VF's BARs: the PF's VF BAR registers, VF Memory Space Enable, and the VF's index.
    const pf = s.hw.fns[fn.physfn];
    const spec = pf ? barsOf(pf.model, true)[i] : null;
    const sr = spec ? modelOf(pf).sriov : null;
    if (!spec || !sr) return -1;
    if (!(rawRead(pf.cfg, sr.offset + R.PCI_SRIOV_CTRL, 2) & R.PCI_SRIOV_CTRL_MSE)) return -1;
    const reg = rawRead(pf.cfg, sr.offset + R.PCI_SRIOV_BAR + 4 * i, 4) & ~0xf;
    base = (reg >>> 0) + spec.size * (fn.vfIndex ?? 0);
    size = spec.size;
  } else {
    const spec = barsOf(fn.model, false)[i];
    if (!spec) return -1;
    base = barBase(s, fn, i, spec);
    size = spec.size;
  }
  return base >= 0 && addr >= base && addr + len <= base + size ? addr - base : -1;
}

/** Base address of BAR `i` regardless of decode enables (what a resource holds). */
export function barAddress(s: HostState, fn: PciFunction, i: number): number {
  if (fn.physfn !== null) {
    const pf = s.hw.fns[fn.physfn];
    const sr = pf ? modelOf(pf).sriov : null;
    const spec = sr?.vfBars.find((b) => b.index === i);
    if (!pf || !sr || !spec) return 0;
    const reg = rawRead(pf.cfg, sr.offset + R.PCI_SRIOV_BAR + 4 * i, 4) & ~0xf;
    return (reg >>> 0) + spec.size * (fn.vfIndex ?? 0);
  }
  const spec = modelOf(fn).bars.find((b) => b.index === i);
  if (!spec) return 0;
  return (
    (rawRead(fn.cfg, R.PCI_BASE_ADDRESS_0 + 4 * i, 4) & (spec.kind === 'io' ? ~0x3 : ~0xf)) >>> 0
  );
}

function hitIn(s: HostState, bdf: string, addr: number): BarHit | null {
  const fn = s.hw.fns[bdf];
  if (!fn) return null;
  // The MSI-X BAR first: that is where hinted writes go.
  const bir = modelOf(fn).msix?.bir;
  if (bir !== undefined) {
    const offset = barOffset(s, fn, bir, addr);
    if (offset >= 0) return { bdf, bar: bir, offset };
  }
  for (let i = 0; i < 6; i++) {
    const offset = barOffset(s, fn, i, addr);
    if (offset >= 0) return { bdf, bar: i, offset };
  }
  return null;
}

/** Address decode: which function's BAR claims `addr` (BARs never overlap; `hint` is tried first). */
function decode(s: HostState, addr: number, hint?: string): BarHit | null {
  if (hint !== undefined) {
    const h = hitIn(s, hint, addr);
    if (h) return h;
  }
  for (const bdf in s.hw.fns) {
    const fn = s.hw.fns[bdf];
    for (let i = 0; i < 6; i++) {
      const offset = barOffset(s, fn, i, addr);
      if (offset >= 0) return { bdf, bar: i, offset };
    }
  }
  return null;
}

/** A 32-bit memory write: MSI-X table entries are writable, the PBA is read-only, other registers are not modelled. */
export function mmioWrite32(tx: Tx, addr: number, value: number, hint?: string): boolean {
  if (hint !== undefined) {
    // The hinted function's MSI-X BAR is where decode() looks first: a hit there needs no more decoding.
    const fn = tx.s.hw.fns[hint];
    const x = fn ? modelOf(fn).msix : undefined;
    if (x) {
      const offset = barOffset(tx.s, fn, x.bir, addr);
      if (offset >= 0) return msixBarWrite(tx, hint, x, offset, value);
    }
  }
  const hit = decode(tx.s, addr, hint);
  if (!hit) return false;
  const fn = tx.s.hw.fns[hit.bdf];
  const x = modelOf(fn).msix;
  if (!x || hit.bar !== x.bir) return true;
  return msixBarWrite(tx, hit.bdf, x, hit.offset, value);
}

/**
 * The four 32-bit writes that program the MSI-X table entry at `at` (Vector Control first, then the message
 * address and data), as Xen's msix_capability_init() makes them. When the hinted function's MSI-X BAR
 * holds the whole entry, the address is decoded once for the four: table writes change no BAR or decode
 * enable. Otherwise each word is decoded on its own, as mmioWrite32() does.
 */
export function mmioWriteMsixEntry(
  tx: Tx,
  at: number,
  hint: string,
  ctrl: number,
  addrLo: number,
  addrHi: number,
  data: number,
): void {
  const fn = tx.s.hw.fns[hint];
  const x = fn ? modelOf(fn).msix : undefined;
  const offset = x ? barOffset(tx.s, fn, x.bir, at, R.PCI_MSIX_ENTRY_SIZE) : -1;
  if (x && offset >= 0) {
    msixBarWrite(tx, hint, x, offset + R.PCI_MSIX_ENTRY_VECTOR_CTRL, ctrl);
    msixBarWrite(tx, hint, x, offset + R.PCI_MSIX_ENTRY_LOWER_ADDR, addrLo);
    msixBarWrite(tx, hint, x, offset + R.PCI_MSIX_ENTRY_UPPER_ADDR, addrHi);
    msixBarWrite(tx, hint, x, offset + R.PCI_MSIX_ENTRY_DATA, data);
    return;
  }
  mmioWrite32(tx, at + R.PCI_MSIX_ENTRY_VECTOR_CTRL, ctrl, hint);
  mmioWrite32(tx, at + R.PCI_MSIX_ENTRY_LOWER_ADDR, addrLo, hint);
  mmioWrite32(tx, at + R.PCI_MSIX_ENTRY_UPPER_ADDR, addrHi, hint);
  mmioWrite32(tx, at + R.PCI_MSIX_ENTRY_DATA, data, hint);
}

/** A write into the MSI-X BAR at `offset`: table entries are writable, the rest is not modelled. */
function msixBarWrite(tx: Tx, bdf: string, x: MsixSpec, offset: number, value: number): boolean {
  const rel = offset - x.tableOffset;
  if (rel < 0 || rel >= x.entries * R.PCI_MSIX_ENTRY_SIZE) return true;
  const f = wFn(tx, bdf);
  const table = wTable(tx, bdf, f);
  table[rel >> 2] = value >>> 0;
  if ((rel & 0xf) === R.PCI_MSIX_ENTRY_VECTOR_CTRL && !(value & R.PCI_MSIX_ENTRY_CTRL_MASKBIT)) {
    // Unmasking sends a pending message and clears its Pending bit.
    const entry = rel >> 4;
    const word = entry >> 5;
    if (f.pba[word] & (1 << (entry & 31))) {
      const pba = w(tx, f, 'pba');
      pba[word] = (pba[word] & ~(1 << (entry & 31))) >>> 0;
    }
  }
  return true;
}

/** A 32-bit memory read (unclaimed addresses read all ones). */
export function mmioRead32(s: HostState, addr: number): number {
  const hit = decode(s, addr);
  if (!hit) return 0xffffffff;
  const fn = s.hw.fns[hit.bdf];
  const x = modelOf(fn).msix;
  if (!x) return 0;
  if (hit.bar === x.bir) {
    const rel = hit.offset - x.tableOffset;
    if (rel >= 0 && rel < x.entries * R.PCI_MSIX_ENTRY_SIZE) return fn.table[rel >> 2];
  }
  if (hit.bar === x.pbaBir) {
    const rel = hit.offset - x.pbaOffset;
    if (rel >= 0 && rel < fn.pba.length * 4) return fn.pba[rel >> 2];
  }
  return 0;
}

/** Physical address of MSI-X table entry `entry`'s first dword, or null if the BAR does not decode. */
export function msixEntryAddress(s: HostState, bdf: string, entry: number): number | null {
  const fn = s.hw.fns[bdf];
  const x = fn ? modelOf(fn).msix : null;
  if (!fn || !x) return null;
  const win = barWindow(s, fn, x.bir);
  if (!win) return null;
  return win.base + x.tableOffset + entry * R.PCI_MSIX_ENTRY_SIZE;
}
