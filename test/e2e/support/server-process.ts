// Runs the built server (`node bin/ptlab.js serve`, what `npm start` runs) as a real child process.
import { spawn, type ChildProcess } from 'child_process';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

export const ROOT = join(__dirname, '..', '..', '..');

export interface ServerProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startServer(env: Record<string, string | undefined>): ServerProcess {
  const base: Record<string, string | undefined> = { ...process.env };
  delete base.DATABASE_URL;
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'ptlab.js'), 'serve'], {
    cwd: ROOT,
    env: { ...base, LOG_LEVEL: 'warn', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function waitForStatus(url: string, status: number, timeoutMs = 60000): Promise<void> {
  await waitFor(
    async () => ((await fetch(url)).status === status ? true : undefined),
    timeoutMs,
    `${url} → ${status}`,
  );
}

/** Postgres processes whose data directory is `dir`. */
export function postgresProcessesFor(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmd[0]?.endsWith('/postgres') && cmd.includes(dir)) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** GET (no body) or POST JSON to the server at `base`; a 4xx/5xx answer throws with its body. */
export function jsonApi(
  base: string,
): (path: string, body?: unknown) => Promise<Record<string, unknown>> {
  return async (path, body) => {
    const res = await fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 400) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}
