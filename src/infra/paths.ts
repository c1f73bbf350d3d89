import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';

let cached: string | undefined;

/** The directory holding ptlab's package.json, from src/ (ts-jest) or dist/src/ (compiled). */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'ptlab') return (cached = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the ptlab package root');
    dir = parent;
  }
}

export function packageVersion(): string {
  return (
    JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }
  ).version;
}
