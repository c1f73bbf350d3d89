// API benchmark (`npm run bench:api -- [--seconds S] [--connections C] [--json]`): GET
// /api/v1/hosts/lab/domains/{name} on the real server (Nest on Fastify, the whole pipeline, embedded
// Postgres) against a baseline in the same run: a bare Fastify route returning the same JSON from the
// same engine (DomainsService.get of the same application, without Nest's routing, pipes and filters).
// Issue 5's targets: ≥ 0.5× the baseline's requests/s, and p99 ≤ 20 ms at half the measured maximum.
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { chmodSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DomainsService } from '../src/domains/domains.service';
import { HostRuntimeService } from '../src/hosts/host-runtime.service';
import { loadConfig } from '../src/infra/config/config';
import { EmbeddedDatabase } from '../src/infra/database/embedded-postgres';
import { applyMigrations } from '../src/infra/database/migrations';
import { createApp } from '../src/main';
import { freePort } from './free-port';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(
  url: string,
  seconds: number,
  connections: number,
  overallRate?: number,
): Promise<Run> {
  // The load generator runs in a worker thread, so it does not share the server's event loop.
  const r = await autocannon({
    url,
    workers: 1,
    duration: seconds,
    connections,
    ...(overallRate ? { overallRate } : {}),
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
  };
}

async function main(): Promise<void> {
  const seconds = arg('seconds', 10);
  const connections = arg('connections', 32);
  const json = process.argv.includes('--json');
  const say = (line: string): void => {
    if (!json) process.stderr.write(`${line}\n`);
  };

  const dataDir = mkdtempSync(join(tmpdir(), 'ptlab-bench-api-'));
  chmodSync(dataDir, 0o755);
  const db = new EmbeddedDatabase({ dataDir, port: await freePort() });
  const databaseUrl = await db.start();
  await applyMigrations(databaseUrl);
  const config = loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'production', PTLAB_TICK_MS: '0' });
  const app = await createApp({ config, databaseUrl });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.getHttpServer().address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const post = async (path: string, body: unknown): Promise<void> => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status >= 400) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  };

  // The RHBZ#688673 host with its PV guest running the VF.
  await post('/api/v1/hosts', { name: 'lab', template: 'rhbz688673' });
  await app
    .get(HostRuntimeService)
    .mutate('lab', () => ({ commands: [{ type: 'device.detach', bdf: '0000:01:10.0' }] }));
  await post('/api/v1/hosts/lab/domains', {
    name: 'rhel56-64bit-pv',
    type: 'pv',
    memoryMiB: 1024,
    vcpus: 1,
    hostdevs: [{ bdf: '0000:01:10.0' }],
  });
  await post('/api/v1/hosts/lab/domains/rhel56-64bit-pv/start', {});

  const domains = app.get(DomainsService);
  const bare = Fastify();
  bare.get<{ Params: { name: string } }>('/domains/:name', (req) =>
    domains.get('lab', req.params.name),
  );
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareAddr = bare.server.address();
  const bareUrl = `http://127.0.0.1:${typeof bareAddr === 'object' && bareAddr ? bareAddr.port : 0}/domains/rhel56-64bit-pv`;
  const apiUrl = `${base}/api/v1/hosts/lab/domains/rhel56-64bit-pv`;
  const same =
    JSON.stringify(await (await fetch(bareUrl)).json()) ===
    JSON.stringify(await (await fetch(apiUrl)).json());
  if (!same) throw new Error('the baseline and the API answer different JSON');

  say(`warming up…`);
  await load(apiUrl, 2, connections);
  await load(bareUrl, 2, connections);
  say(`max throughput, ${seconds}s each, ${connections} connections`);
  const baseMax = await load(bareUrl, seconds, connections);
  const apiMax = await load(apiUrl, seconds, connections);
  const half = Math.max(1, Math.floor(apiMax.rps / 2));
  say(`latency at half the API's maximum (${half} req/s)`);
  const apiHalf = await load(apiUrl, seconds, connections, half);

  const result = {
    endpoint: 'GET /api/v1/hosts/{host}/domains/{name}',
    baselineRps: Math.round(baseMax.rps),
    apiRps: Math.round(apiMax.rps),
    ratio: Number((apiMax.rps / baseMax.rps).toFixed(3)),
    halfRateRps: half,
    p50AtHalfMs: apiHalf.p50,
    p99AtHalfMs: apiHalf.p99,
    errors:
      baseMax.errors +
      apiMax.errors +
      apiHalf.errors +
      baseMax.non2xx +
      apiMax.non2xx +
      apiHalf.non2xx,
    targets: { ratio: 0.5, p99AtHalfMs: 20 },
    pass: apiMax.rps / baseMax.rps >= 0.5 && apiHalf.p99 <= 20,
  };
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(
      [
        `endpoint                 ${result.endpoint}`,
        `baseline (bare Fastify)  ${result.baselineRps} req/s`,
        `ptlab API                ${result.apiRps} req/s  (${result.ratio}× baseline; target ≥ 0.5×)`,
        `at ${half} req/s         p50 ${result.p50AtHalfMs} ms, p99 ${result.p99AtHalfMs} ms (target p99 ≤ 20 ms)`,
        `errors                   ${result.errors}`,
        `result                   ${result.pass ? 'PASS' : 'FAIL'}`,
        '',
      ].join('\n'),
    );
  }
  await bare.close();
  await app.close();
  await db.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:api: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
