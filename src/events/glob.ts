// Globs over event types and log sources: `*` matches any run of characters (dots included), the
// rest is literal. `domain.*` matches `domain.lifecycle`; `guest:*` matches `guest:3`.

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (!re) {
    const body = glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`);
    if (cache.size < 1000) cache.set(glob, re);
  }
  return re;
}

export function matchesGlob(value: string, glob: string): boolean {
  return glob.includes('*') ? globToRegExp(glob).test(value) : value === glob;
}

/** True when `value` matches one of `globs`; an empty or absent list matches everything. */
export function matchesAny(value: string, globs: readonly string[] | null | undefined): boolean {
  if (!globs || globs.length === 0) return true;
  return globs.some((g) => matchesGlob(value, g));
}

/** The SQL LIKE pattern equivalent to a glob (`\` escapes). */
export function globToLike(glob: string): string {
  return glob.replace(/[\\%_]/g, '\\$&').replace(/\*/g, '%');
}
