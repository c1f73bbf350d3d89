// Event data as stored and published: a detached, JSON-safe copy of what a producer passed.
/**
 * A detached, JSON-safe copy: what JSON.parse(JSON.stringify(data)) gives, with bigints as decimal
 * strings. Plain data (what the engine emits) is copied directly; anything else (toJSON, class
 * instances, non-finite numbers) goes through JSON.
 */
export function jsonSafe(data: Record<string, unknown>): Record<string, unknown> {
  return copyObject(data);
}

function copyObject(o: object): Record<string, unknown> {
  const proto = Object.getPrototypeOf(o) as unknown;
  if ((proto !== Object.prototype && proto !== null) || 'toJSON' in o) {
    return viaJson(o) as Record<string, unknown>;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const v = copyValue((o as Record<string, unknown>)[k]);
    if (v === undefined) continue;
    if (k === '__proto__')
      Object.defineProperty(out, k, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[k] = v;
  }
  return out;
}

/** undefined where JSON leaves a key out. */
function copyValue(v: unknown): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? (v === 0 ? 0 : v) : null; // JSON writes -0 as 0
    case 'bigint':
      return v.toString();
    case 'object':
      if (v === null) return null;
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype) return viaJson(v);
        const a: unknown[] = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) a[i] = copyValue(v[i]) ?? null;
        return a;
      }
      return copyObject(v);
    default:
      return undefined; // functions, symbols, undefined
  }
}

function viaJson(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)),
  ) as unknown;
}
