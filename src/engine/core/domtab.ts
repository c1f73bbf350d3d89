// Per-domain tables (the hypervisor's domains, guest kernels, device models, pciback backends): arrays of
// records ordered by their `domid`, looked up by scanning.
//
// A host has a handful of domains, and every boot brings a domid never seen before. Keyed by `d<domid>`,
// each table took a new property name per boot: a string V8 had to hash and enter into its string table,
// added to objects it keeps as slow dictionaries (a fast object would have needed a new hidden class per
// boot). Copying such a dictionary and looking names up in it was about a tenth of a PV boot+shutdown cycle.
// An array is copied with one slice, and a scan of a few records compares small integers.

/** A per-domain table: records in ascending `domid` order, at most one per domid. */
export type ByDomid<T extends { domid: number }> = T[];

/** Position of `domid`'s record in the table, or -1. */
export function domidIndex<T extends { domid: number }>(t: readonly T[], domid: number): number {
  for (let i = 0; i < t.length; i++) if (t[i].domid === domid) return i;
  return -1;
}

/** The record of `domid`, if the table has one. */
export function byDomid<T extends { domid: number }>(
  t: readonly T[],
  domid: number,
): T | undefined {
  for (let i = 0; i < t.length; i++) {
    const r = t[i];
    if (r.domid === domid) return r;
  }
  return undefined;
}

/** Insert or replace `rec` in a table the caller owns, keeping domid order. */
export function putByDomid<T extends { domid: number }>(t: T[], rec: T): void {
  let i = t.length;
  while (i > 0 && t[i - 1].domid > rec.domid) i--;
  if (i > 0 && t[i - 1].domid === rec.domid) t[i - 1] = rec;
  else if (i === t.length) t.push(rec);
  else t.splice(i, 0, rec);
}

/** Remove `domid`'s record from a table the caller owns (no-op when absent). */
export function dropByDomid<T extends { domid: number }>(t: T[], domid: number): void {
  const i = domidIndex(t, domid);
  if (i >= 0) t.splice(i, 1);
}

/**
 * A snapshot of state schema 1 keyed these tables by `d<domid>`: its records, in domid order. Anything but
 * an object of records with a numeric `domid` is refused (null).
 */
export function legacyTable(v: unknown): { domid: number }[] | null {
  if (Array.isArray(v)) return null;
  if (v === null || typeof v !== 'object') return null;
  const out: { domid: number }[] = [];
  for (const [key, rec] of Object.entries(v as Record<string, unknown>)) {
    if (rec === null || typeof rec !== 'object') return null;
    const domid = (rec as { domid?: unknown }).domid;
    if (typeof domid !== 'number' || !Number.isInteger(domid) || key !== `d${domid}`) return null;
    out.push(rec as { domid: number });
  }
  return out.sort((a, b) => a.domid - b.domid);
}

/** The record of `domid`, which the caller knows the table has. */
export function ofDomid<T extends { domid: number }>(t: readonly T[], domid: number): T {
  const r = byDomid(t, domid);
  if (r === undefined) throw new Error(`internal: no record for domid ${domid}`);
  return r;
}
