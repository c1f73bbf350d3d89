// Events fan-out benchmark (`npm run bench:events -- [--subscribers N] [--rate LINES_PER_S]
// [--seconds S] [--clients PROCESSES] [--json]`): one server (embedded Postgres, the real app) and N
// graphql-ws subscribers to `logs(host: "bench")` spread over client processes, plus one subscriber
// that never reads. Lines go through EventsService.record() (the engine's path) in 10 ms batches;
// each carries its publish time, so clients measure publish→receive latency, order and loss.
// Issue 6's target: 1,000 subscribers, 5,000 lines/s, every line to every subscriber in order,
// p99 ≤ 250 ms, and the stalled subscriber not raising the others' latency.
import { fork } from 'child_process';
import { chmodSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

interface ClientStats {
  subscribers: number;
  received: number[];
  dropped: number;
  outOfOrder: number;
  /** Latency histogram, 1 ms buckets (last bucket: ≥ 10 s). */
  histogram: number[];
}

const BUCKETS = 10001;
const now = (): number => performance.timeOrigin + performance.now();

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function percentile(histogram: number[], p: number): number {
  const total = histogram.reduce((a, b) => a + b, 0);
  let seen = 0;
  for (let ms = 0; ms < histogram.length; ms++) {
    seen += histogram[ms];
    if (seen >= total * p) return ms;
  }
  return histogram.length - 1;
}

/** Client process: `count` subscribers (one websocket each); reports when told to stop. */
async function client(url: string, count: number, stalled: boolean): Promise<void> {
  const stats: ClientStats = {
    subscribers: count,
    received: new Array<number>(count).fill(0),
    dropped: 0,
    outOfOrder: 0,
    histogram: new Array<number>(BUCKETS).fill(0),
  };
  const query = 'subscription { logs(host: "bench") { seq text dropped } }';
  for (let i = 0; i < count; i++) {
    let last = 0;
    const c = createClient({ url, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 });
    c.subscribe<{ logs: { seq: number; text: string; dropped: number } }>(
      { query },
      {
        next: ({ data }) => {
          if (!data) return;
          const t = now();
          stats.received[i]++;
          stats.dropped += data.logs.dropped;
          if (data.logs.seq <= last) stats.outOfOrder++;
          last = data.logs.seq;
          stats.histogram[
            Math.min(BUCKETS - 1, Math.max(0, Math.floor(t - Number(data.logs.text))))
          ]++;
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
  }
  if (stalled) {
    const ws = new WebSocket(url, 'graphql-transport-ws');
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init' })));
    ws.on('message', (raw: Buffer) => {
      if ((JSON.parse(raw.toString()) as { type: string }).type !== 'connection_ack') return;
      ws.send(JSON.stringify({ id: 's', type: 'subscribe', payload: { query } }));
      ws.pause(); // never reads again
    });
  }
  process.send?.({ ready: true });
  process.on('message', (m: { stop?: boolean }) => {
    if (m.stop) process.send?.({ stats }, () => process.exit(0));
  });
}

export interface EventsBenchResult {
  subscribers: number;
  ratePerSec: number;
  seconds: number;
  published: number;
  publishedPerSec: number;
  deliveredFraction: number;
  everyLineToEverySubscriber: boolean;
  outOfOrder: number;
  dropped: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  recordP99Ms: number;
}

export async function runEventsBench(opts: {
  subscribers: number;
  rate: number;
  seconds: number;
  clients: number;
}): Promise<EventsBenchResult> {
  const { EmbeddedDatabase } = await import('../src/infra/database/embedded-postgres');
  const { applyMigrations } = await import('../src/infra/database/migrations');
  const { loadConfig } = await import('../src/infra/config/config');
  const { createApp } = await import('../src/main');
  const { EventsService } = await import('../src/events/events.service');
  const { LiveEventsService } = await import('../src/events/live-events.service');
  const { freePort } = await import('./free-port');

  const dir = mkdtempSync(join(tmpdir(), 'ptlab-bench-events-'));
  chmodSync(dir, 0o755);
  const db = new EmbeddedDatabase({ dataDir: dir, port: await freePort(), database: 'ptlab' });
  const databaseUrl = await db.start();
  const procs: ReturnType<typeof fork>[] = [];
  try {
    await applyMigrations(databaseUrl);
    const app = await createApp({
      config: loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'production' }),
      databaseUrl,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.getHttpServer().address();
    const url = `ws://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/graphql`;
    const live = app.get(LiveEventsService);
    const events = app.get(EventsService);

    const per = Math.ceil(opts.subscribers / opts.clients);
    let remaining = opts.subscribers;
    for (let i = 0; i < opts.clients && remaining > 0; i++) {
      const n = Math.min(per, remaining);
      remaining -= n;
      const p = fork(__filename, ['--client', url, String(n), i === 0 ? 'stalled' : ''], {
        stdio: 'inherit',
      });
      procs.push(p);
      await new Promise<void>((r) => p.once('message', () => r()));
    }
    const expected = opts.subscribers + 1;
    for (let i = 0; live.subscriberCount < expected && i < 6000; i++)
      await new Promise((r) => setTimeout(r, 10));

    const perTick = Math.max(1, Math.round(opts.rate / 100));
    const ticks = Math.round((opts.seconds * opts.rate) / perTick);
    const recordMs: number[] = [];
    const start = now();
    for (let i = 0; i < ticks; i++) {
      const due = start + i * 10;
      const wait = due - now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t = now();
      await events.record(
        Array.from({ length: perTick }, () => ({
          host: 'bench',
          type: 'log',
          data: { source: 'dom0', text: String(t) },
        })),
      );
      recordMs.push(now() - t);
    }
    const wall = (now() - start) / 1000;
    const published = ticks * perTick;
    await new Promise((r) => setTimeout(r, 3000));
    const stats = await Promise.all(
      procs.map(
        (p) =>
          new Promise<ClientStats>((resolve) => {
            p.on('message', (m: { stats?: ClientStats }) => m.stats && resolve(m.stats));
            p.send({ stop: true });
          }),
      ),
    );
    await app.close();
    const histogram = new Array<number>(BUCKETS).fill(0);
    stats.forEach((s) => s.histogram.forEach((n, i) => (histogram[i] += n)));
    const received = stats.flatMap((s) => s.received);
    const total = received.reduce((a, b) => a + b, 0);
    recordMs.sort((a, b) => a - b);
    let max = 0;
    histogram.forEach((n, i) => n > 0 && (max = i));
    return {
      subscribers: opts.subscribers,
      ratePerSec: opts.rate,
      seconds: opts.seconds,
      published,
      publishedPerSec: Math.round(published / wall),
      deliveredFraction: total / (published * opts.subscribers),
      everyLineToEverySubscriber: received.every((n) => n === published),
      outOfOrder: stats.reduce((a, s) => a + s.outOfOrder, 0),
      dropped: stats.reduce((a, s) => a + s.dropped, 0),
      p50Ms: percentile(histogram, 0.5),
      p99Ms: percentile(histogram, 0.99),
      maxMs: max,
      recordP99Ms: Math.round(recordMs[Math.floor(recordMs.length * 0.99)] ?? 0),
    };
  } finally {
    procs.forEach((p) => p.connected && p.kill());
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  if (process.argv[2] === '--client') {
    void client(process.argv[3], Number(process.argv[4]), process.argv[5] === 'stalled');
  } else {
    runEventsBench({
      subscribers: arg('subscribers', 1000),
      rate: arg('rate', 5000),
      seconds: arg('seconds', 10),
      clients: arg('clients', 2),
    }).then(
      (r) => {
        if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(r)}\n`);
        else {
          process.stdout.write(
            [
              `events bench: ${r.subscribers} logs subscribers (+1 that never reads), ${r.ratePerSec} lines/s for ${r.seconds} s`,
              `  published            ${r.published} lines (${r.publishedPerSec}/s; record() p99 ${r.recordP99Ms} ms)`,
              `  delivered            ${(r.deliveredFraction * 100).toFixed(2)}% of lines × subscribers (every line to every subscriber: ${r.everyLineToEverySubscriber ? 'yes' : 'no'})`,
              `  in order             ${r.outOfOrder === 0 ? 'yes' : `no (${r.outOfOrder} out of order)`}; dropped (reported) ${r.dropped}`,
              `  publish→receive      p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms (target p99 ≤ 250 ms)`,
              '',
            ].join('\n'),
          );
        }
      },
      (err: unknown) => {
        process.stderr.write(
          `bench:events failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
        );
        process.exit(1);
      },
    );
  }
}
