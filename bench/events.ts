// Events fan-out benchmark (`npm run bench:events -- [--subscribers N] [--rate LINES_PER_S]
// [--seconds S] [--clients PROCESSES] [--library N] [--stalled N] [--window MS] [--json]`).
//
// One server (embedded Postgres, the real app) and N graphql-ws subscribers to
// `logs(host: "bench") { dropped lines { seq time source text } }`, spread over client processes.
// A producer records lines through EventsService.record() (the engine's path: event log + outbox
// in Postgres, then PubSub) in 10 ms batches; each line's text carries its publish time, so every
// subscriber measures publish→receive latency per line, order and loss.
//
// Two phases of S seconds each, on the same server and subscribers: phase 1 as is, phase 2 with
// `--stalled` more subscribers that never read their socket; the two latency distributions show
// whether a stalled subscriber raises the others' latency.
//
// The subscribers share the machine with the server, so most of them are lean protocol clients:
// they speak graphql-transport-ws over `ws` and scan each `next` message for `"seq":` and
// `"text":"` instead of JSON.parse-ing it (a full parse of 5 M lines/s would cost the clients more
// CPU than the server has). `--library N` of them are graphql-ws's own `createClient` with full
// parsing, as a check that the stream is what a real client sees.
//
// Issue 6's target: 1,000 subscribers, 5,000 lines/s, every line to every subscriber in order,
// p99 ≤ 250 ms, and a subscriber that never reads not raising the others' latency.
import { fork } from 'child_process';
import { chmodSync, mkdtempSync, rmSync } from 'fs';
import { loadavg, tmpdir } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const QUERY = 'subscription { logs(host: "bench") { dropped lines { seq time source text } } }';
const BUCKETS = 10001;
const PHASES = 2;
const now = (): number => performance.timeOrigin + performance.now();

interface ClientStats {
  /** Lines received, per subscriber. */
  received: number[];
  /** Subscribers (library clients) whose lines lacked a field. */
  malformed: number;
  dropped: number;
  outOfOrder: number;
  messages: number;
  /** Per phase: latency histogram, 1 ms buckets (last bucket: ≥ 10 s). */
  histograms: number[][];
  errors: string[];
}

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

const SEQ = Buffer.from('"seq":');
const TEXT = Buffer.from('"text":"');
const DROPPED = Buffer.from('"dropped":');
const NEXT = Buffer.from('"type":"next"');

/** The decimal number at `pos` (digits with an optional fraction); [value, end]. */
function numberAt(buf: Buffer, pos: number): [number, number] {
  let v = 0;
  let i = pos;
  for (; i < buf.length; i++) {
    const c = buf[i];
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  if (buf[i] === 46) {
    let scale = 0.1;
    for (i++; i < buf.length; i++) {
      const c = buf[i];
      if (c < 48 || c > 57) break;
      v += (c - 48) * scale;
      scale /= 10;
    }
  }
  return [v, i];
}

/** Client process: `lean` + `library` subscribers, one websocket each; reports when told to stop. */
async function client(url: string, lean: number, library: number): Promise<void> {
  const count = lean + library;
  const stats: ClientStats = {
    received: new Array<number>(count).fill(0),
    malformed: 0,
    dropped: 0,
    outOfOrder: 0,
    messages: 0,
    histograms: Array.from({ length: PHASES }, () => new Array<number>(BUCKETS).fill(0)),
    errors: [],
  };
  const record = (i: number, seq: number, last: number, phase: number, sent: number, t: number) => {
    stats.received[i]++;
    if (seq <= last) stats.outOfOrder++;
    const h = stats.histograms[Math.min(PHASES - 1, Math.max(0, phase - 1))];
    h[Math.min(BUCKETS - 1, Math.max(0, Math.floor(t - sent)))]++;
  };
  let ready = 0;
  const acked = (): void => {
    if (++ready === count) process.send?.({ ready: true });
  };

  for (let i = 0; i < lean; i++) {
    let last = 0;
    const ws = new WebSocket(url, 'graphql-transport-ws');
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init' })));
    ws.on('message', (data: Buffer) => {
      const head = data.indexOf(NEXT);
      if (head < 0 || head > 64) {
        const msg = JSON.parse(data.toString()) as { type: string; payload?: unknown };
        if (msg.type === 'connection_ack') {
          ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY } }));
          acked();
        } else if (msg.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
        else if (msg.type !== 'pong') stats.errors.push(data.toString().slice(0, 300));
        return;
      }
      const t = now();
      stats.messages++;
      const d = data.indexOf(DROPPED, head);
      if (d >= 0) stats.dropped += numberAt(data, d + DROPPED.length)[0];
      let pos = head;
      for (;;) {
        const s = data.indexOf(SEQ, pos);
        if (s < 0) break;
        const [seq, afterSeq] = numberAt(data, s + SEQ.length);
        const x = data.indexOf(TEXT, afterSeq);
        if (x < 0) break;
        const phase = data[x + TEXT.length] - 48;
        const [sent, end] = numberAt(data, x + TEXT.length + 2);
        record(i, seq, last, phase, sent, t);
        last = seq;
        pos = end;
      }
    });
    ws.on('error', (e) => stats.errors.push(String(e)));
  }

  for (let j = 0; j < library; j++) {
    const i = lean + j;
    let last = 0;
    const c = createClient({
      url,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      on: { connected: () => acked() },
    });
    type Batch = {
      dropped: number;
      lines: { seq: number; time: string; source: string; text: string }[];
    };
    c.subscribe<{ logs: Batch }>(
      { query: QUERY },
      {
        next: ({ data, errors }) => {
          if (errors || !data) {
            stats.errors.push(JSON.stringify(errors));
            return;
          }
          const t = now();
          stats.messages++;
          stats.dropped += data.logs.dropped;
          for (const l of data.logs.lines) {
            if (
              typeof l.time !== 'string' ||
              l.source !== 'dom0' ||
              Number.isNaN(Date.parse(l.time))
            )
              stats.malformed++;
            const [phase, sent] = l.text.split(':');
            record(i, l.seq, last, Number(phase), Number(sent), t);
            last = l.seq;
          }
        },
        error: (e) => stats.errors.push(String(e)),
        complete: () => undefined,
      },
    );
  }
  process.on('message', (m: { stop?: boolean }) => {
    if (m.stop) process.send?.({ stats }, () => process.exit(0));
  });
}

/** Stalled process: subscribers that never read their socket. */
function stalled(url: string, count: number): void {
  let ready = 0;
  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(url, 'graphql-transport-ws');
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init' })));
    ws.once('message', () => {
      ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY } }));
      ws.pause(); // never reads again
      if (++ready === count) process.send?.({ ready: true });
    });
  }
  process.on('message', (m: { stop?: boolean }) => m.stop && process.exit(0));
}

export interface PhaseResult {
  stalled: number;
  /** Lines committed per second (until the last record() resolved). */
  committedPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  serverCpuPct: number;
  recordP99Ms: number;
}

export interface EventsBenchResult {
  subscribers: number;
  librarySubscribers: number;
  ratePerSec: number;
  secondsPerPhase: number;
  windowMs: number;
  published: number;
  publishedPerSec: number;
  messagesPerSec: number;
  deliveredFraction: number;
  everyLineToEverySubscriber: boolean;
  outOfOrder: number;
  dropped: number;
  malformed: number;
  errors: string[];
  phases: PhaseResult[];
  loadAvg: { before: number[]; after: number[] };
  cpus: number;
}

export async function runEventsBench(opts: {
  subscribers: number;
  library: number;
  rate: number;
  seconds: number;
  clients: number;
  stalled: number;
  windowMs: number;
}): Promise<EventsBenchResult> {
  const { EmbeddedDatabase } = await import('../src/infra/database/embedded-postgres');
  const { applyMigrations } = await import('../src/infra/database/migrations');
  const { loadConfig } = await import('../src/infra/config/config');
  const { createApp } = await import('../src/main');
  const { EventsService } = await import('../src/events/events.service');
  const { LiveEventsService } = await import('../src/events/live-events.service');
  const { freePort } = await import('./free-port');
  const { cpus } = await import('os');

  const loadBefore = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'ptlab-bench-events-'));
  chmodSync(dir, 0o755);
  const db = new EmbeddedDatabase({ dataDir: dir, port: await freePort(), database: 'ptlab' });
  const databaseUrl = await db.start();
  const procs: ReturnType<typeof fork>[] = [];
  try {
    await applyMigrations(databaseUrl);
    const app = await createApp({
      config: loadConfig({
        LOG_LEVEL: 'silent',
        NODE_ENV: 'production',
        PTLAB_LOGS_BATCH_MS: String(opts.windowMs),
        PTLAB_TICK_MS: '0',
      }),
      databaseUrl,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.getHttpServer().address();
    const url = `ws://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/graphql`;
    const live = app.get(LiveEventsService);
    const events = app.get(EventsService);

    const start = (args: string[]): Promise<ReturnType<typeof fork>> => {
      const p = fork(__filename, args, { stdio: 'inherit' });
      procs.push(p);
      return new Promise((r) => p.once('message', () => r(p)));
    };
    const waitSubscribers = async (n: number): Promise<void> => {
      for (let i = 0; live.subscriberCount < n && i < 12000; i++)
        await new Promise((r) => setTimeout(r, 10));
      if (live.subscriberCount < n)
        throw new Error(`only ${live.subscriberCount}/${n} subscribers attached`);
    };

    const clients: ReturnType<typeof fork>[] = [];
    const per = Math.ceil(opts.subscribers / opts.clients);
    const libPer = Math.ceil(opts.library / opts.clients);
    let remaining = opts.subscribers;
    let libRemaining = opts.library;
    for (let i = 0; i < opts.clients && remaining > 0; i++) {
      const n = Math.min(per, remaining);
      const lib = Math.min(libPer, libRemaining, n);
      remaining -= n;
      libRemaining -= lib;
      clients.push(await start(['--client', url, String(n - lib), String(lib)]));
    }
    await waitSubscribers(opts.subscribers);

    const perTick = Math.max(1, Math.round(opts.rate / 100));
    const ticks = Math.round((opts.seconds * opts.rate) / perTick);
    let published = 0;
    let wallSeconds = 0;
    const phases: PhaseResult[] = [];
    for (let phase = 1; phase <= PHASES; phase++) {
      if (phase === 2 && opts.stalled > 0) {
        await start(['--stalled', url, String(opts.stalled)]);
        await waitSubscribers(opts.subscribers + opts.stalled);
      }
      const recordMs: number[] = [];
      const pending: Promise<void>[] = [];
      const cpu0 = process.cpuUsage();
      const t0 = now();
      // The producer keeps its rate whatever record() takes (calls overlap; EventsService keeps
      // their order): a server that cannot keep up shows as latency, not as a slower producer.
      for (let i = 0; i < ticks; i++) {
        const due = t0 + i * 10;
        const wait = due - now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const t = now();
        pending.push(
          events
            .record(
              Array.from({ length: perTick }, () => ({
                host: 'bench',
                type: 'log',
                data: { source: 'dom0', text: `${phase}:${t.toFixed(3)}` },
              })),
            )
            .then(() => void recordMs.push(now() - t)),
        );
      }
      const offered = (now() - t0) / 1000;
      await Promise.all(pending);
      const wall = (now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      published += ticks * perTick;
      wallSeconds += offered;
      recordMs.sort((a, b) => a - b);
      phases.push({
        stalled: phase === 2 ? opts.stalled : 0,
        p50Ms: 0,
        p99Ms: 0,
        maxMs: 0,
        committedPerSec: Math.round((ticks * perTick) / wall),
        serverCpuPct: Math.round(((cpu.user + cpu.system) / 1e6 / wall) * 100),
        recordP99Ms: Math.round(recordMs[Math.floor(recordMs.length * 0.99)] ?? 0),
      });
      await new Promise((r) => setTimeout(r, 2000)); // let the last lines arrive
    }

    const stats = await Promise.all(
      clients.map(
        (p) =>
          new Promise<ClientStats>((resolve) => {
            p.on('message', (m: { stats?: ClientStats }) => m.stats && resolve(m.stats));
            p.send({ stop: true });
          }),
      ),
    );
    await app.close();
    const received = stats.flatMap((s) => s.received);
    const total = received.reduce((a, b) => a + b, 0);
    phases.forEach((ph, i) => {
      const h = new Array<number>(BUCKETS).fill(0);
      stats.forEach((s) => s.histograms[i].forEach((n, ms) => (h[ms] += n)));
      ph.p50Ms = percentile(h, 0.5);
      ph.p99Ms = percentile(h, 0.99);
      h.forEach((n, ms) => n > 0 && (ph.maxMs = ms));
    });
    return {
      subscribers: opts.subscribers,
      librarySubscribers: opts.library,
      ratePerSec: opts.rate,
      secondsPerPhase: opts.seconds,
      windowMs: opts.windowMs,
      published,
      publishedPerSec: Math.round(published / wallSeconds),
      messagesPerSec: Math.round(stats.reduce((a, s) => a + s.messages, 0) / wallSeconds),
      deliveredFraction: total / (published * opts.subscribers),
      everyLineToEverySubscriber: received.every((n) => n === published),
      outOfOrder: stats.reduce((a, s) => a + s.outOfOrder, 0),
      dropped: stats.reduce((a, s) => a + s.dropped, 0),
      malformed: stats.reduce((a, s) => a + s.malformed, 0),
      errors: stats.flatMap((s) => s.errors).slice(0, 5),
      phases,
      loadAvg: { before: loadBefore, after: loadavg() },
      cpus: cpus().length,
    };
  } finally {
    procs.forEach((p) => p.connected && p.kill());
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(r: EventsBenchResult): string {
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
  const ok = (b: boolean): string => (b ? 'yes' : 'NO');
  const [p1, p2] = r.phases;
  return [
    `events bench: ${r.subscribers} logs subscribers (${r.librarySubscribers} graphql-ws createClient, the rest lean graphql-transport-ws clients), ${r.ratePerSec} lines/s, 2 × ${r.secondsPerPhase} s, batch window ${r.windowMs} ms`,
    `  machine              ${r.cpus} CPUs; load average before ${load(r.loadAvg.before)}, after ${load(r.loadAvg.after)}`,
    `  published            ${r.published} lines (offered ${r.publishedPerSec}/s; committed ${p1.committedPerSec}/s, ${p2.committedPerSec}/s); ${r.messagesPerSec} websocket messages/s to subscribers`,
    `  delivered            ${(r.deliveredFraction * 100).toFixed(2)}% of lines × subscribers (every line to every subscriber: ${ok(r.everyLineToEverySubscriber)})`,
    `  in order             ${ok(r.outOfOrder === 0)}${r.outOfOrder ? ` (${r.outOfOrder} out of order)` : ''}; dropped (reported) ${r.dropped}; malformed ${r.malformed}; errors ${r.errors.length}`,
    `  publish→receive      phase 1 (no stalled subscriber): p50 ${p1.p50Ms} ms, p99 ${p1.p99Ms} ms, max ${p1.maxMs} ms; server CPU ${p1.serverCpuPct}%; record() p99 ${p1.recordP99Ms} ms`,
    `                       phase 2 (+${p2.stalled} never reading): p50 ${p2.p50Ms} ms, p99 ${p2.p99Ms} ms, max ${p2.maxMs} ms; server CPU ${p2.serverCpuPct}%; record() p99 ${p2.recordP99Ms} ms`,
    `  target               p99 ≤ 250 ms: ${ok(Math.max(p1.p99Ms, p2.p99Ms) <= 250)}; stalled subscriber raises p99 by ${p2.p99Ms - p1.p99Ms} ms`,
    ...r.errors.map((e) => `  error: ${e}`),
    '',
  ].join('\n');
}

if (require.main === module) {
  if (process.argv[2] === '--client') {
    void client(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
  } else if (process.argv[2] === '--stalled') {
    stalled(process.argv[3], Number(process.argv[4]));
  } else {
    runEventsBench({
      subscribers: arg('subscribers', 1000),
      library: arg('library', 10),
      rate: arg('rate', 5000),
      seconds: arg('seconds', 10),
      clients: arg('clients', 2),
      stalled: arg('stalled', 1),
      windowMs: arg('window', 10),
    }).then(
      (r) => {
        process.stdout.write(
          process.argv.includes('--json') ? `${JSON.stringify(r)}\n` : report(r),
        );
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
