// A copy-on-write transaction over HostState. apply() works on a Tx and discards it on throw, so a bad
// command leaves the input state untouched; untouched sub-trees are shared with the previous state.
import type { EngineEvent, EventBody, LogSource } from './events';
import {
  LOG_RING_CHUNK,
  LOG_RING_LINES,
  type HostState,
  type LogLine,
  type LogRing,
  type LogRings,
} from './state';
import { mulberry32 } from './prng';
import {
  copyDom0,
  copyGuest,
  copyHostState,
  copyHw,
  copyLogRing,
  copyLogRings,
  copyPciback,
  copyRecord,
  copyXen,
} from './copy';
import type { Dom0State, LinuxIrq, LinuxPciDev, MsiDevList, PcibackState } from '../dom0/types';
import type { GuestState } from '../guest/types';
import type { QemuDmState } from '../qemu/types';
import { byDomid, domidIndex } from './domtab';
import type { HwState, PciFunction } from '../pci/types';
import type { XenDomain, XenPirq, XenState } from '../xen/types';

/**
 * Mutable handles of hot sub-trees and records, filled on first use and re-validated against the parent
 * (a handle is valid while its parent still holds it: it is an object this transaction owns). They spare
 * the hot paths the ownership lookup of w(). A class with every field set up front, so every transaction's
 * handles share one hidden class (added one by one in each command's own order, loads of them would
 * see dozens).
 */
export class Handles {
  dom0: Dom0State | undefined = undefined;
  dom0Pci: Record<string, LinuxPciDev> | undefined = undefined;
  pciback: PcibackState | undefined = undefined;
  xen: XenState | undefined = undefined;
  xenDomains: XenDomain[] | undefined = undefined;
  hw: HwState | undefined = undefined;
  fns: Record<string, PciFunction> | undefined = undefined;
  guests: GuestState[] | undefined = undefined;
  logs: LogRings | undefined = undefined;
  /** The function last written (pci/hw.ts wFn) and config space / MSI-X table arrays last written. */
  fnBdf: string | undefined = undefined;
  fn: PciFunction | undefined = undefined;
  cfg: number[] | undefined = undefined;
  table: number[] | undefined = undefined;
  /** The hypervisor domain last written (xen/irq.ts), its place in the domain table, and its pirq table. */
  xenDomainAt = -1;
  xenDomain: XenDomain | undefined = undefined;
  pirqs: Record<string, XenPirq> | undefined = undefined;
  /** The guest kernel last written (wGuest), its place in the guest table, its pci_dev table, and a kernel's
   * irq table. */
  guestAt = -1;
  guest: GuestState | undefined = undefined;
  guestPci: Record<string, LinuxPciDev> | undefined = undefined;
  irqs: Record<string, LinuxIrq> | undefined = undefined;
  /** The pci_dev last written (dom0/kernel.ts wPciDev). */
  pciDevName: string | undefined = undefined;
  pciDev: LinuxPciDev | undefined = undefined;
  /** A kernel's msi_dev_head list and the entry last written (dom0/msi-xen.ts). */
  msiHead: MsiDevList[] | undefined = undefined;
  msiDev: MsiDevList | undefined = undefined;
  /** Console rings written (a guest's by domain name), and the last chunks this transaction owns. */
  ringXen: LogRing | undefined = undefined;
  ringDom0: LogRing | undefined = undefined;
  ringQemu: LogRing | undefined = undefined;
  guestRingName: string | undefined = undefined;
  guestRing: LogRing | undefined = undefined;
  tails: LogLine[][] | undefined = undefined;
}

/**
 * The objects a transaction created or copied: its own, which it may write. A command owns a few dozen, and
 * a scan of an array (newest first) finds them for less than a Set costs just to take them in — a Set has to
 * give every new object an identity hash first. A transaction that builds a lot (host.create) moves on to a
 * Set.
 */
class Owned {
  /** The first OWNED_SCAN objects, in `list[0..n)`: allocated at full size once, never grown. */
  private readonly list: object[] = new Array<object>(OWNED_SCAN);
  private n = 0;
  private set: Set<object> | null = null;

  has(o: unknown): boolean {
    if (this.set !== null) return this.set.has(o as object);
    const list = this.list;
    for (let i = this.n - 1; i >= 0; i--) if (list[i] === o) return true;
    return false;
  }

  /** has() for a parent, which was mostly taken in early (the root, the layers): scanned oldest first. */
  hasParent(o: object): boolean {
    if (this.set !== null) return this.set.has(o);
    const list = this.list;
    const n = this.n;
    for (let i = 0; i < n; i++) if (list[i] === o) return true;
    return false;
  }

  add(o: object): void {
    if (this.set !== null) this.set.add(o);
    else if (this.n < OWNED_SCAN) this.list[this.n++] = o;
    else {
      this.set = new Set(this.list);
      this.set.add(o);
    }
  }
}

const OWNED_SCAN = 64;

export interface Tx {
  /** The working root (owned by this transaction). */
  s: HostState;
  /** The input state (never written: none of its objects is ever this transaction's). */
  readonly base: HostState;
  readonly owned: Owned;
  readonly events: EngineEvent[];
  readonly h: Handles;
}

export function beginTx(base: HostState): Tx {
  const s = copyHostState(base);
  const owned = new Owned();
  owned.add(s);
  return { s, base, owned, events: [], h: new Handles() };
}

/**
 * Copy-on-write child access: returns `parent[key]`, copied (shallowly) the first time this transaction
 * touches it. `parent` must itself be owned by the transaction.
 *
 * `copy` is the copy function of the child's record type (core/copy.ts): the hot paths name it, as a
 * spread of a record with more than a few fields is many times slower. Without it, arrays are sliced and
 * other objects spread.
 */
export function w<P extends object, K extends keyof P>(
  tx: Tx,
  parent: P,
  key: K,
  copy?: (o: P[K]) => P[K],
): P[K] & object {
  const cur = parent[key] as unknown;
  if (tx.owned.has(cur)) return cur as P[K] & object;
  if (!tx.owned.hasParent(parent))
    throw new Error(`internal: copy-on-write parent not owned (${String(key)})`);
  if (cur === null || typeof cur !== 'object') {
    throw new Error(`internal: copy-on-write of non-object ${String(key)}`);
  }
  let c: object;
  if (copy !== undefined) c = copy(cur as P[K]) as object;
  else if (Array.isArray(cur)) c = cur.slice();
  else c = { ...cur };
  tx.owned.add(c);
  (parent as Record<PropertyKey, unknown>)[key] = c;
  return c as P[K] & object;
}

/**
 * w() for a parent the caller knows this transaction owns (the working root, or a record one of the
 * accessors returned): `cur` is the child the caller read, and the caller stores the result back
 * (`parent.x = owned(tx, parent.x, copyX)`). The child is read and written at the caller's own site (so V8
 * sees the few record shapes of that site, not the megamorphic keyed access of w()), and the parent's
 * ownership needs no scan.
 */
export function owned<T extends object>(tx: Tx, cur: T, copy: (o: T) => T): T {
  if (tx.owned.has(cur)) return cur;
  const c = copy(cur);
  tx.owned.add(c);
  return c;
}

/**
 * owned() for a caller that also read the child at the same place in the input state (`inBase`, undefined
 * where the input has none): the input's objects are never this transaction's, so a child that is still
 * the input's is copied without the ownership scan (a scan that finds nothing has to look at every owned
 * object; most children a command writes are still the input's when it first writes them).
 */
export function ownedFrom<T extends object>(tx: Tx, cur: T, inBase: unknown, copy: (o: T) => T): T {
  if (cur !== inBase) return owned(tx, cur, copy);
  const c = copy(cur);
  tx.owned.add(c);
  return c;
}

/** Mutable dom0 (copy-on-write, cached for the transaction). */
export function mDom0(tx: Tx): Dom0State {
  const s = tx.s;
  const c = tx.h.dom0;
  const cur = s.dom0;
  if (c !== undefined && cur === c) return c;
  return (tx.h.dom0 = s.dom0 = ownedFrom(tx, cur, tx.base.dom0, copyDom0));
}

export function mDom0Pci(tx: Tx): Record<string, LinuxPciDev> {
  const d = mDom0(tx);
  const c = tx.h.dom0Pci;
  const cur = d.pci;
  if (c !== undefined && cur === c) return c;
  return (tx.h.dom0Pci = d.pci = ownedFrom(tx, cur, tx.base.dom0.pci, copyRecord));
}

export function mPciback(tx: Tx): PcibackState {
  const d = mDom0(tx);
  const c = tx.h.pciback;
  const cur = d.pciback;
  if (c !== undefined && cur === c) return c;
  return (tx.h.pciback = d.pciback = ownedFrom(tx, cur, tx.base.dom0.pciback, copyPciback));
}

export function mXen(tx: Tx): XenState {
  const s = tx.s;
  const c = tx.h.xen;
  const cur = s.xen;
  if (c !== undefined && cur === c) return c;
  return (tx.h.xen = s.xen = ownedFrom(tx, cur, tx.base.xen, copyXen));
}

/** The hypervisor's domain table, copy-on-write (the records in it are the input's until written). */
export function mXenDomains(tx: Tx): XenDomain[] {
  const x = mXen(tx);
  const c = tx.h.xenDomains;
  const cur = x.domains;
  if (c !== undefined && cur === c) return c;
  return (tx.h.xenDomains = x.domains = ownedFrom(tx, cur, tx.base.xen.domains, sliceDomains));
}

export function mHw(tx: Tx): HwState {
  const s = tx.s;
  const c = tx.h.hw;
  const cur = s.hw;
  if (c !== undefined && cur === c) return c;
  return (tx.h.hw = s.hw = ownedFrom(tx, cur, tx.base.hw, copyHw));
}

export function mFns(tx: Tx): Record<string, PciFunction> {
  const hw = mHw(tx);
  const c = tx.h.fns;
  const cur = hw.fns;
  if (c !== undefined && cur === c) return c;
  return (tx.h.fns = hw.fns = ownedFrom(tx, cur, tx.base.hw.fns, copyRecord));
}

/** The guest kernel table, copy-on-write (the records in it are the input's until written). */
export function mGuests(tx: Tx): GuestState[] {
  const s = tx.s;
  const c = tx.h.guests;
  const cur = s.guests;
  if (c !== undefined && cur === c) return c;
  return (tx.h.guests = s.guests = ownedFrom(tx, cur, tx.base.guests, sliceGuests));
}

/**
 * Copy-on-write of `domid`'s record in a per-domain table this transaction owns (`base`: the same table in
 * the input state). Returns the record's position; the caller knows the record exists.
 */
export function ownDomidRecord<T extends { domid: number }>(
  tx: Tx,
  table: T[],
  domid: number,
  base: readonly T[],
  copy: (o: T) => T,
): number {
  const i = domidIndex(table, domid);
  if (i < 0) throw new Error(`internal: no record for domid ${domid}`);
  table[i] = ownedFrom(tx, table[i], byDomid(base, domid), copy);
  return i;
}

/** A running guest's kernel, copy-on-write (the caller knows the guest exists). */
export function wGuest(tx: Tx, domid: number): GuestState {
  const guests = mGuests(tx);
  const h = tx.h;
  const c = h.guest;
  if (c !== undefined && c.domid === domid && guests[h.guestAt] === c) return c;
  const i = (h.guestAt = ownDomidRecord(tx, guests, domid, tx.base.guests, copyGuest));
  return (h.guest = guests[i]);
}

/** The device model table, copy-on-write. */
export function mQemu(tx: Tx): QemuDmState[] {
  const s = tx.s;
  return (s.qemu = ownedFrom(tx, s.qemu, tx.base.qemu, sliceQemu));
}

/** A domain's device model, copy-on-write (the caller knows it exists). */
export function wQemu(tx: Tx, domid: number): QemuDmState {
  const qemu = mQemu(tx);
  return qemu[ownDomidRecord(tx, qemu, domid, tx.base.qemu, spreadCopy)];
}

export function mLogs(tx: Tx): LogRings {
  const s = tx.s;
  const c = tx.h.logs;
  const cur = s.logs;
  if (c !== undefined && cur === c) return c;
  return (tx.h.logs = s.logs = ownedFrom(tx, cur, tx.base.logs, copyLogRings));
}

const copyGuestRings = (o: Record<string, LogRing>): Record<string, LogRing> => ({ ...o });

/** Mark a freshly built object as owned (so later w() calls do not copy it again). */
export function own<T extends object>(tx: Tx, obj: T): T {
  tx.owned.add(obj);
  return obj;
}

/** Stamp and record an event (the body is a fresh literal from the caller, stamped in place). */
export function emit(tx: Tx, body: EventBody): void {
  const s = tx.s;
  const ev = body as EngineEvent;
  ev.host = s.name;
  ev.t = s.now;
  ev.seq = s.seq++;
  tx.events.push(ev);
}

/** The copy w() makes of an object that is neither an array nor a record keyed by domid. */
export const spreadCopy = <T extends object>(o: T): T => ({ ...o });

/** The copy w() makes of an array. */
export const sliceArray = <T>(a: T[]): T[] => a.slice();
const sliceChunks: (a: LogLine[][]) => LogLine[][] = sliceArray;
const sliceDomains: (a: XenDomain[]) => XenDomain[] = sliceArray;
const sliceGuests: (a: GuestState[]) => GuestState[] = sliceArray;
const sliceQemu: (a: QemuDmState[]) => QemuDmState[] = sliceArray;
const sliceLines: (a: LogLine[]) => LogLine[] = sliceArray;

/**
 * Append to a chunked ring: only the last chunk and the chunk index are copied per transaction. `inBase`
 * is the same ring in the input state (if it has it).
 */
function ringAppend(tx: Tx, ring: LogRing, line: LogLine, inBase: LogRing | undefined): void {
  const chunks = ring.chunks;
  const n = chunks.length;
  const last = n > 0 ? chunks[n - 1] : null;
  const baseChunks = inBase !== undefined ? inBase.chunks : undefined;
  if (last === null || last.length >= LOG_RING_CHUNK) {
    const wc = (ring.chunks = ownedFrom(tx, chunks, baseChunks, sliceChunks));
    const chunk = own(tx, [line]);
    wc.push(chunk);
    if (wc.length > LOG_RING_LINES / LOG_RING_CHUNK) wc.shift();
    ownTail(tx, chunk);
    return;
  }
  if (isOwnedTail(tx, last)) {
    last.push(line);
    return;
  }
  const wc = (ring.chunks = ownedFrom(tx, chunks, baseChunks, sliceChunks));
  const baseLast =
    baseChunks !== undefined && baseChunks.length === n ? baseChunks[n - 1] : undefined;
  const tail = (wc[n - 1] = ownedFrom(tx, last, baseLast, sliceLines));
  ownTail(tx, tail);
  tail.push(line);
}

const TAILS = 4;

/** The last chunks this transaction owns (a few: one per ring it writes), newest last. */
function isOwnedTail(tx: Tx, chunk: LogLine[]): boolean {
  const tails = tx.h.tails;
  if (tails === undefined) return false;
  for (let i = tails.length - 1; i >= 0; i--) if (tails[i] === chunk) return true;
  return false;
}

function ownTail(tx: Tx, chunk: LogLine[]): void {
  const tails = (tx.h.tails ??= []);
  if (tails.push(chunk) > TAILS) tails.shift();
}

function ringXen(tx: Tx, logs: LogRings): LogRing {
  const c = tx.h.ringXen;
  const cur = logs.xen;
  if (c !== undefined && cur === c) return c;
  return (tx.h.ringXen = logs.xen = ownedFrom(tx, cur, tx.base.logs.xen, copyLogRing));
}

function ringDom0(tx: Tx, logs: LogRings): LogRing {
  const c = tx.h.ringDom0;
  const cur = logs.dom0;
  if (c !== undefined && cur === c) return c;
  return (tx.h.ringDom0 = logs.dom0 = ownedFrom(tx, cur, tx.base.logs.dom0, copyLogRing));
}

function ringQemu(tx: Tx, logs: LogRings): LogRing {
  const c = tx.h.ringQemu;
  const cur = logs.qemu;
  if (c !== undefined && cur === c) return c;
  return (tx.h.ringQemu = logs.qemu = ownedFrom(tx, cur, tx.base.logs.qemu, copyLogRing));
}

/** A guest's console ring (by domain name), created on its first line. */
function ringGuest(tx: Tx, logs: LogRings, name: string): LogRing {
  const c = tx.h.guestRing;
  if (c !== undefined && tx.h.guestRingName === name && logs.guests[name] === c) return c;
  const baseGuests = tx.base.logs.guests;
  const guests = (logs.guests = ownedFrom(tx, logs.guests, baseGuests, copyGuestRings));
  const cur = guests[name];
  tx.h.guestRingName = name;
  if (!cur) return (tx.h.guestRing = guests[name] = own(tx, { chunks: own(tx, []) }));
  return (tx.h.guestRing = guests[name] = ownedFrom(tx, cur, baseGuests[name], copyLogRing));
}

/**
 * printk(): emit a `log` event with the exact text and append it to the component's console ring.
 * Guest lines go to the console log of `domainName`.
 */
export function printk(tx: Tx, source: LogSource, text: string, domainName?: string): void {
  const s = tx.s;
  const line: LogLine = { t: s.now, seq: s.seq, source, text };
  tx.events.push({ type: 'log', source, text, host: s.name, t: s.now, seq: s.seq });
  s.seq++;
  const logs = mLogs(tx);
  const base = tx.base.logs;
  if (source === 'xen') ringAppend(tx, ringXen(tx, logs), line, base.xen);
  else if (source === 'dom0') ringAppend(tx, ringDom0(tx, logs), line, base.dom0);
  else if (source === 'qemu') ringAppend(tx, ringQemu(tx, logs), line, base.qemu);
  else if (domainName !== undefined)
    ringAppend(tx, ringGuest(tx, logs, domainName), line, base.guests[domainName]);
}

/** Next 32-bit value of the host's seeded PRNG. */
export function random32(tx: Tx): number {
  const [out, next] = mulberry32(tx.s.prng);
  tx.s.prng = next;
  return out;
}
