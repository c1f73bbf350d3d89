// A copy-on-write transaction over HostState. apply() works on a Tx and discards it on throw, so a bad
// command leaves the input state untouched; untouched sub-trees are shared with the previous state.
import type { EngineEvent, EventBody, LogSource } from './events';
import {
  LOG_RING_CHUNK,
  LOG_RING_LINES,
  type HostState,
  type LogLine,
  type LogRing,
} from './state';
import { mulberry32 } from './prng';
import type { Dom0State, LinuxPciDev } from '../dom0/types';
import type { GuestState } from '../guest/types';
import type { HwState, PciFunction } from '../pci/types';
import type { XenDomain, XenState } from '../xen/types';
import type { LogRings } from './state';

/** Mutable handles of hot sub-trees, filled on first use and re-validated against the parent. */
interface Handles {
  dom0?: Dom0State;
  dom0Pci?: Record<string, LinuxPciDev>;
  xen?: XenState;
  xenDomains?: Record<string, XenDomain>;
  hw?: HwState;
  fns?: Record<string, PciFunction>;
  guests?: Record<string, GuestState>;
  logs?: LogRings;
}

export interface Tx {
  /** The working root (owned by this transaction). */
  s: HostState;
  readonly owned: Set<object>;
  readonly events: EngineEvent[];
  readonly h: Handles;
}

export function beginTx(base: HostState): Tx {
  const s = { ...base };
  const owned = new Set<object>();
  owned.add(s);
  return { s, owned, events: [], h: {} };
}

/**
 * Copy-on-write child access: returns `parent[key]`, copied (shallowly) the first time this transaction
 * touches it. `parent` must itself be owned by the transaction.
 */
export function w<P extends object, K extends keyof P>(tx: Tx, parent: P, key: K): P[K] & object {
  const cur = parent[key] as unknown;
  if (tx.owned.has(cur as object)) return cur as P[K] & object;
  if (!tx.owned.has(parent))
    throw new Error(`internal: copy-on-write parent not owned (${String(key)})`);
  if (cur === null || typeof cur !== 'object') {
    throw new Error(`internal: copy-on-write of non-object ${String(key)}`);
  }
  let copy: object;
  if (Array.isArray(cur)) copy = cur.slice();
  else if (typeof key === 'string' && BY_DOMID.has(key)) copy = dictCopy(cur);
  else copy = { ...cur };
  tx.owned.add(copy);
  (parent as Record<PropertyKey, unknown>)[key] = copy;
  return copy as P[K] & object;
}

/** Mutable dom0 (copy-on-write, cached for the transaction). */
export function mDom0(tx: Tx): Dom0State {
  const c = tx.h.dom0;
  if (c !== undefined && tx.s.dom0 === c) return c;
  return (tx.h.dom0 = w(tx, tx.s, 'dom0'));
}

export function mDom0Pci(tx: Tx): Record<string, LinuxPciDev> {
  const d = mDom0(tx);
  const c = tx.h.dom0Pci;
  if (c !== undefined && d.pci === c) return c;
  return (tx.h.dom0Pci = w(tx, d, 'pci'));
}

export function mXen(tx: Tx): XenState {
  const c = tx.h.xen;
  if (c !== undefined && tx.s.xen === c) return c;
  return (tx.h.xen = w(tx, tx.s, 'xen'));
}

export function mXenDomains(tx: Tx): Record<string, XenDomain> {
  const x = mXen(tx);
  const c = tx.h.xenDomains;
  if (c !== undefined && x.domains === c) return c;
  return (tx.h.xenDomains = w(tx, x, 'domains'));
}

export function mHw(tx: Tx): HwState {
  const c = tx.h.hw;
  if (c !== undefined && tx.s.hw === c) return c;
  return (tx.h.hw = w(tx, tx.s, 'hw'));
}

export function mFns(tx: Tx): Record<string, PciFunction> {
  const hw = mHw(tx);
  const c = tx.h.fns;
  if (c !== undefined && hw.fns === c) return c;
  return (tx.h.fns = w(tx, hw, 'fns'));
}

export function mGuests(tx: Tx): Record<string, GuestState> {
  const c = tx.h.guests;
  if (c !== undefined && tx.s.guests === c) return c;
  return (tx.h.guests = w(tx, tx.s, 'guests'));
}

export function mLogs(tx: Tx): LogRings {
  const c = tx.h.logs;
  if (c !== undefined && tx.s.logs === c) return c;
  return (tx.h.logs = w(tx, tx.s, 'logs'));
}

/**
 * Records keyed by domid (`d<domid>`) gain a never-seen key at every boot. A plain object would get a new
 * hidden class each time (V8 map transitions, microseconds per boot); these are copied into
 * null-prototype objects, which V8 keeps in dictionary mode where new keys are cheap.
 */
const BY_DOMID = new Set(['domains', 'guests', 'qemu', 'backends']);

function dictCopy(cur: object): object {
  const copy = Object.create(null) as Record<string, unknown>;
  const src = cur as Record<string, unknown>;
  for (const k in src) copy[k] = src[k];
  return copy;
}

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

/** Append to a chunked ring: only the last chunk and the chunk index are copied per transaction. */
function ringAppend(tx: Tx, ring: LogRing, line: LogLine): void {
  const chunks = ring.chunks;
  const last = chunks.length > 0 ? chunks[chunks.length - 1] : null;
  if (last === null || last.length >= LOG_RING_CHUNK) {
    const wc = w(tx, ring, 'chunks');
    wc.push(own(tx, [line]));
    if (wc.length > LOG_RING_LINES / LOG_RING_CHUNK) wc.shift();
    return;
  }
  w(tx, w(tx, ring, 'chunks'), chunks.length - 1).push(line);
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
  if (source === 'xen') ringAppend(tx, w(tx, logs, 'xen'), line);
  else if (source === 'dom0') ringAppend(tx, w(tx, logs, 'dom0'), line);
  else if (source === 'qemu') ringAppend(tx, w(tx, logs, 'qemu'), line);
  else if (domainName !== undefined) {
    const guests = w(tx, logs, 'guests');
    if (!guests[domainName]) guests[domainName] = own(tx, { chunks: own(tx, []) });
    ringAppend(tx, w(tx, guests, domainName), line);
  }
}

/** Next 32-bit value of the host's seeded PRNG. */
export function random32(tx: Tx): number {
  const [out, next] = mulberry32(tx.s.prng);
  tx.s.prng = next;
  return out;
}
