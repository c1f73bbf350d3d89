// A copy-on-write transaction over HostState. apply() works on a Tx and discards it on throw, so a bad
// command leaves the input state untouched; untouched sub-trees are shared with the previous state.
import type { EngineEvent, EventBody, LogSource } from './events';
import { LOG_RING_LINES, type HostState, type LogLine } from './state';
import { mulberry32 } from './prng';

export interface Tx {
  /** The working root (owned by this transaction). */
  s: HostState;
  readonly owned: Set<object>;
  readonly events: EngineEvent[];
}

export function beginTx(base: HostState): Tx {
  const s = { ...base };
  const owned = new Set<object>();
  owned.add(s);
  return { s, owned, events: [] };
}

/**
 * Copy-on-write child access: returns `parent[key]`, copied (shallowly) the first time this transaction
 * touches it. `parent` must itself be owned by the transaction.
 */
export function w<P extends object, K extends keyof P>(tx: Tx, parent: P, key: K): P[K] & object {
  if (!tx.owned.has(parent))
    throw new Error(`internal: copy-on-write parent not owned (${String(key)})`);
  const cur = parent[key] as unknown;
  if (cur === null || typeof cur !== 'object') {
    throw new Error(`internal: copy-on-write of non-object ${String(key)}`);
  }
  if (tx.owned.has(cur)) return cur as P[K] & object;
  const copy: object = Array.isArray(cur) ? cur.slice() : { ...cur };
  tx.owned.add(copy);
  (parent as Record<PropertyKey, unknown>)[key] = copy;
  return copy as P[K] & object;
}

/** Mark a freshly built object as owned (so later w() calls do not copy it again). */
export function own<T extends object>(tx: Tx, obj: T): T {
  tx.owned.add(obj);
  return obj;
}

/** Stamp and record an event. */
export function emit(tx: Tx, body: EventBody): void {
  const s = tx.s;
  const ev = { ...body, host: s.name, t: s.now, seq: s.seq };
  s.seq++;
  tx.events.push(ev);
}

function ringAppend(tx: Tx, ring: LogLine[], line: LogLine): void {
  ring.push(line);
  if (ring.length > LOG_RING_LINES) ring.splice(0, ring.length - LOG_RING_LINES);
  void tx;
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
  const logs = w(tx, s, 'logs');
  if (source === 'xen') ringAppend(tx, w(tx, logs, 'xen'), line);
  else if (source === 'dom0') ringAppend(tx, w(tx, logs, 'dom0'), line);
  else if (source === 'qemu') ringAppend(tx, w(tx, logs, 'qemu'), line);
  else if (domainName !== undefined) {
    const guests = w(tx, logs, 'guests');
    if (!guests[domainName]) guests[domainName] = own(tx, []);
    ringAppend(tx, w(tx, guests, domainName), line);
  }
}

/** Next 32-bit value of the host's seeded PRNG. */
export function random32(tx: Tx): number {
  const [out, next] = mulberry32(tx.s.prng);
  tx.s.prng = next;
  return out;
}
