// Events fan-out benchmark (`npm run bench:events -- [--subscribers N] [--rate LINES_PER_S]
// [--seconds S] [--warmup S] [--clients PROCESSES] [--library N] [--stalled N] [--window MS]
// [--no-baseline] [--verbose] [--json]`).
//
// One server (embedded Postgres, the real app) and N graphql-ws subscribers to
// `logs(host: "bench") { dropped lines { seq time source text } }`, spread over client processes.
// A producer records lines through EventsService.record() (the engine's path: event log + outbox
// in Postgres, then PubSub) in 10 ms batches; each line's text carries its publish time, so every
// subscriber measures publish→receive latency per line, order and loss.
//
// After an untimed warm-up (JIT, TCP buffer autotuning; its lines are still counted and checked),
// two phases of S seconds each, on the same server and subscribers: phase 1 as is, phase 2 with
// `--stalled` more subscribers that never read their socket; the two latency distributions show
// whether a stalled subscriber raises the others' latency.
//
// The subscribers share the machine with the server, so most of them are lean protocol clients:
// they speak graphql-transport-ws over `ws` and scan each `next` message for `"seq":` and
// `"text":"` instead of JSON.parse-ing it (a full parse of 5 M lines/s would cost the clients more
// CPU than the server has). `--library N` of them are graphql-ws's own `createClient` with full
// parsing, as a check that the stream is what a real client sees.
//
// First, a baseline in the same run: the same clients and rate against a bare `ws` server (no
// database, no GraphQL), to tell what the machine itself manages.
//
// Issue 6's target: 1,000 subscribers, 5,000 lines/s, every line to every subscriber in order,
// p99 ≤ 250 ms, and a subscriber that never reads not raising the others' latency.
import { fork } from 'child_process';
import { chmodSync, mkdtempSync, rmSync } from 'fs';
import { loadavg, tmpdir } from 'os';
import { join } from 'path';
import { monitorEventLoopDelay, performance } from 'perf_hooks';
import { createClient } from 'graphql-ws';
import WebSocket, { WebSocketServer } from 'ws';

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
  /** CPU used since all its subscribers were attached, as a percentage of one core. */
  cpuPct: number;
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

const NEXT = Buffer.from('"type":"next"');
const DROPPED = Buffer.from('"dropped":');
const LINES = Buffer.from('"lines":[');
const LINE_SEQ = Buffer.from('{"seq":');
const LINE_TIME = Buffer.from(',"time":"');
const LINE_SOURCE = Buffer.from('","source":"');
const ISO_LENGTH = '2026-01-01T00:00:00.000Z'.length;

/** The decimal integer at `pos` (0 when there is none). */
/** Index just past the decimal digits at `pos` (`pos` itself when there are none). */
function digitsEnd(buf: Buffer, pos: number): number {
  while (pos < buf.length && buf[pos] >= 48 && buf[pos] <= 57) pos++;
  return pos;
}

function intAt(buf: Buffer, pos: number): number {
  let v = 0;
  for (let i = pos; i < buf.length && buf[i] >= 48 && buf[i] <= 57; i++) v = v * 10 + (buf[i] - 48);
  return v;
}

/** What one `next` message of QUERY holds, read once. */
interface Scan {
  /** seq of its first and last line (0 when it has none). */
  first: number;
  last: number;
  lines: number;
  /** Lines whose seq is not above the line before them in the message. */
  outOfOrder: number;
  /** Runs of consecutive lines published together: count, phase, publish time (ms), repeated. */
  runs: number[];
  /** `dropped` of the message. */
  dropped: number;
}

/**
 * Reads every line of a `next` message of QUERY — `{"seq":N,"time":"<ISO>","source":"S","text":"P:T"}`
 * in order — checking a byte of each key where the selection puts it (a full JSON.parse of 5 M
 * lines/s would cost the clients more CPU than the machine has). Every line's seq is checked
 * against the line before; consecutive lines with the same text (published together) form one
 * run. Null when the message has another shape.
 */
function scanLines(buf: Buffer, from: number): Scan | null {
  const d = buf.indexOf(DROPPED, from);
  const scan: Scan = {
    first: 0,
    last: 0,
    lines: 0,
    outOfOrder: 0,
    runs: [],
    dropped: d >= 0 ? intAt(buf, d + DROPPED.length) : 0,
  };
  let pos = buf.indexOf(LINES, from);
  if (pos < 0) return null;
  pos += LINES.length;
  if (buf[pos] === 93) return scan; // ]
  const end = buf.length;
  let last = -1;
  let runCount = 0;
  let runPhase = 0;
  let runSent = 0;
  for (;;) {
    // {"seq":N
    if (buf[pos] !== 123 || buf[pos + 2] !== 115 || buf[pos + 6] !== 58) return null;
    let i = pos + LINE_SEQ.length;
    let j = digitsEnd(buf, i);
    if (j === i) return null;
    const seq = intAt(buf, i);
    i = j;
    if (last < 0) scan.first = seq;
    else if (seq <= last) scan.outOfOrder++;
    last = seq;
    scan.lines++;
    // ,"time":"<24>","source":"
    if (buf[i + 2] !== 116 || buf[i + 7] !== 58) return null;
    i += LINE_TIME.length + ISO_LENGTH;
    if (buf[i - 1] !== 90 || buf[i + 3] !== 115 || buf[i + 10] !== 58) return null;
    i += LINE_SOURCE.length;
    while (i < end && buf[i] !== 34) i++; // the source's closing quote
    // ","text":"P:T"}
    if (buf[i + 3] !== 116 || buf[i + 8] !== 58 || buf[i + 11] !== 58) return null;
    const phase = buf[i + 10] - 48;
    i += 12;
    j = digitsEnd(buf, i);
    if (j === i) return null;
    const sent = intAt(buf, i);
    i = j;
    if (buf[i] !== 34 || buf[i + 1] !== 125) return null;
    if (runCount > 0 && sent === runSent && phase === runPhase) runCount++;
    else {
      if (runCount > 0) scan.runs.push(runCount, runPhase, runSent);
      runCount = 1;
      runPhase = phase;
      runSent = sent;
    }
    pos = i + 2;
    if (buf[pos] === 93) {
      scan.runs.push(runCount, runPhase, runSent);
      scan.last = last;
      return scan;
    }
    if (buf[pos] !== 44) return null; // ,
    pos++;
  }
}

/**
 * The scans of the last few distinct messages: the subscribers of one process receive the same
 * bytes (same batch, same subscription id), so each message is read once and the others compare
 * bytes (memcmp) — exact, and far cheaper than reading 500 lines again.
 */
class ScanCache {
  private readonly entries: { buf: Buffer; scan: Scan | null }[] = [];

  scan(buf: Buffer, from: number): Scan | null {
    for (const e of this.entries)
      if (e.buf.length === buf.length && e.buf.equals(buf)) return e.scan;
    const scan = scanLines(buf, from);
    this.entries.unshift({ buf, scan });
    if (this.entries.length > 8) this.entries.pop();
    return scan;
  }
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
    cpuPct: 0,
  };
  let readyAt = 0;
  let cpuAtReady = process.cpuUsage();
  /** `count` lines of subscriber i, published at `sent` in `phase`, received at `t`. */
  const record = (i: number, count: number, phase: number, sent: number, t: number) => {
    stats.received[i] += count;
    if (phase === 0) return; // warm-up: counted and checked, not timed
    const h = stats.histograms[Math.min(PHASES - 1, Math.max(0, phase - 1))];
    h[Math.min(BUCKETS - 1, Math.max(0, Math.floor(t - sent)))] += count;
  };
  let ready = 0;
  const acked = (): void => {
    if (++ready < count) return;
    readyAt = now();
    cpuAtReady = process.cpuUsage();
    process.send?.({ ready: true });
  };

  const scans = new ScanCache();
  for (let i = 0; i < lean; i++) {
    let last = 0;
    // scanLines checks every byte it relies on; UTF-8 validation of 5 M lines/s would only cost CPU
    // the server needs (the library subscribers validate everything).
    const ws = new WebSocket(url, 'graphql-transport-ws', { skipUTF8Validation: true });
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
      const scan = scans.scan(data, head);
      if (!scan) {
        // Not the expected layout: say so.
        stats.errors.push(`unexpected message: ${data.toString().slice(0, 200)}`);
        return;
      }
      stats.dropped += scan.dropped;
      if (scan.lines === 0) return;
      stats.outOfOrder += scan.outOfOrder + (scan.first <= last ? 1 : 0);
      last = scan.last;
      const runs = scan.runs;
      for (let r = 0; r < runs.length; r += 3) record(i, runs[r], runs[r + 1], runs[r + 2], t);
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
            if (l.seq <= last) stats.outOfOrder++;
            record(i, 1, Number(phase), Number(sent), t);
            last = l.seq;
          }
        },
        error: (e) => stats.errors.push(String(e)),
        complete: () => undefined,
      },
    );
  }
  process.on('message', (m: { stop?: boolean }) => {
    if (!m.stop) return;
    const cpu = process.cpuUsage(cpuAtReady);
    stats.cpuPct = Math.round(((cpu.user + cpu.system) / 1000 / (now() - readyAt)) * 100);
    process.send?.({ stats }, () => process.exit(0));
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
  /** The server's event-loop delay, p99. */
  loopDelayP99Ms: number;
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
  /** CPU of each client process over the run (% of one core). */
  clientCpuPct: number[];
  cpus: number;
  /** The bare-ws baseline of the same run (absent with --no-baseline). */
  baseline?: BaselineResult;
}

type Proc = ReturnType<typeof fork>;

/** Starts a bench process (`--client` or `--stalled`); resolves when it says its subscribers are up. */
function startProcess(procs: Proc[], args: string[]): Promise<Proc> {
  const p = fork(__filename, args, { stdio: 'inherit' });
  procs.push(p);
  return new Promise((r) => p.once('message', () => r(p)));
}

/** Client processes for `subscribers` (`library` of them graphql-ws createClient). */
async function startClients(
  procs: Proc[],
  url: string,
  opts: { subscribers: number; library: number; clients: number },
): Promise<Proc[]> {
  const clients: Proc[] = [];
  const per = Math.ceil(opts.subscribers / opts.clients);
  const libPer = Math.ceil(opts.library / opts.clients);
  let remaining = opts.subscribers;
  let libRemaining = opts.library;
  for (let i = 0; i < opts.clients && remaining > 0; i++) {
    const n = Math.min(per, remaining);
    const lib = Math.min(libPer, libRemaining, n);
    remaining -= n;
    libRemaining -= lib;
    clients.push(await startProcess(procs, ['--client', url, String(n - lib), String(lib)]));
  }
  return clients;
}

function collect(clients: Proc[]): Promise<ClientStats[]> {
  return Promise.all(
    clients.map(
      (p) =>
        new Promise<ClientStats>((resolve) => {
          p.on('message', (m: { stats?: ClientStats }) => m.stats && resolve(m.stats));
          p.send({ stop: true });
        }),
    ),
  );
}

function phaseHistogram(stats: ClientStats[], phase: number): number[] {
  const h = new Array<number>(BUCKETS).fill(0);
  stats.forEach((s) => s.histograms[phase - 1].forEach((n, ms) => (h[ms] += n)));
  return h;
}

export interface BaselineResult {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  deliveredFraction: number;
  serverCpuPct: number;
  clientCpuPct: number[];
}

/**
 * The same subscribers and rate against a bare `ws` server in this process: no database, no
 * GraphQL, no backpressure; each 10 ms tick's lines serialised once and sent to every subscriber
 * with its own id. What this machine's transport and clients manage in the same run.
 */
export async function runBaseline(opts: {
  subscribers: number;
  library: number;
  rate: number;
  seconds: number;
  clients: number;
  warmup: number;
}): Promise<BaselineResult> {
  const procs: Proc[] = [];
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: () => 'graphql-transport-ws',
  });
  const subs: { ws: WebSocket; prefix: Buffer }[] = [];
  wss.on('connection', (ws) =>
    ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString()) as { type: string; id?: string };
      if (m.type === 'connection_init') ws.send('{"type":"connection_ack"}');
      else if (m.type === 'ping') ws.send('{"type":"pong"}');
      else if (m.type === 'subscribe') {
        subs.push({
          ws,
          prefix: Buffer.from(`{"id":${JSON.stringify(m.id)},"type":"next","payload":`),
        });
      }
    }),
  );
  await new Promise((r) => wss.once('listening', r));
  const addr = wss.address();
  const url = `ws://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/graphql`;
  try {
    const clients = await startClients(procs, url, opts);
    for (let i = 0; subs.length < opts.subscribers && i < 12000; i++)
      await new Promise((r) => setTimeout(r, 10));
    const perTick = Math.max(1, Math.round(opts.rate / 100));
    const warmTicks = Math.round((opts.warmup * opts.rate) / perTick);
    const ticks = warmTicks + Math.round((opts.seconds * opts.rate) / perTick);
    const suffix = Buffer.from('}');
    let seq = 0;
    let cpu0 = process.cpuUsage();
    let t0 = now();
    const start = t0;
    for (let i = 0; i < ticks; i++) {
      const wait = start + i * 10 - now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (i === warmTicks) {
        cpu0 = process.cpuUsage();
        t0 = now();
      }
      const t = now();
      const time = new Date(t).toISOString();
      const lines = Array.from({ length: perTick }, () => ({
        seq: ++seq,
        time,
        source: 'dom0',
        text: `${i < warmTicks ? 0 : 1}:${Math.round(t)}`,
      }));
      const payload = Buffer.from(JSON.stringify({ data: { logs: { dropped: 0, lines } } }));
      for (const sub of subs) {
        sub.ws.send(Buffer.concat([sub.prefix, payload, suffix]), { binary: false });
      }
    }
    const wall = (now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await new Promise((r) => setTimeout(r, 2000));
    const stats = await collect(clients);
    const h = phaseHistogram(stats, 1);
    let max = 0;
    h.forEach((n, ms) => n > 0 && (max = ms));
    const received = stats.flatMap((s) => s.received).reduce((a, b) => a + b, 0);
    return {
      p50Ms: percentile(h, 0.5),
      p99Ms: percentile(h, 0.99),
      maxMs: max,
      deliveredFraction: received / (seq * opts.subscribers),
      serverCpuPct: Math.round(((cpu.user + cpu.system) / 1e6 / wall) * 100),
      clientCpuPct: stats.map((s) => s.cpuPct),
    };
  } finally {
    procs.forEach((p) => p.connected && p.kill());
    wss.clients.forEach((c) => c.terminate());
    await new Promise((r) => wss.close(r));
  }
}

export async function runEventsBench(opts: {
  subscribers: number;
  library: number;
  rate: number;
  seconds: number;
  clients: number;
  stalled: number;
  windowMs: number;
  /** Seconds of untimed traffic before phase 1. */
  warmup: number;
  /** Progress on stderr every second. */
  verbose?: boolean;
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
  const procs: Proc[] = [];
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

    const waitSubscribers = async (n: number): Promise<void> => {
      for (let i = 0; live.subscriberCount < n && i < 12000; i++)
        await new Promise((r) => setTimeout(r, 10));
      if (live.subscriberCount < n)
        throw new Error(`only ${live.subscriberCount}/${n} subscribers attached`);
    };

    const clients = await startClients(procs, url, opts);
    await waitSubscribers(opts.subscribers);

    const perTick = Math.max(1, Math.round(opts.rate / 100));
    const ticks = Math.round((opts.seconds * opts.rate) / perTick);
    let published = 0;
    let timed = 0;
    let wallSeconds = 0;
    const phases: PhaseResult[] = [];
    // Phase 0 warms up (JIT, TCP buffer autotuning) and is not timed.
    for (let phase = opts.warmup > 0 ? 0 : 1; phase <= PHASES; phase++) {
      const phaseTicks = phase === 0 ? Math.round((opts.warmup * opts.rate) / perTick) : ticks;
      if (phase === 2 && opts.stalled > 0) {
        await startProcess(procs, ['--stalled', url, String(opts.stalled)]);
        await waitSubscribers(opts.subscribers + opts.stalled);
      }
      const recordMs: number[] = [];
      const pending: Promise<void>[] = [];
      const loopDelay = monitorEventLoopDelay({ resolution: 5 });
      loopDelay.enable();
      const cpu0 = process.cpuUsage();
      let resolved = 0;
      let cpuTick = process.cpuUsage();
      const progress = opts.verbose
        ? setInterval(() => {
            const c = process.cpuUsage(cpuTick);
            cpuTick = process.cpuUsage();
            process.stderr.write(
              `  [phase ${phase}] record() in flight ${pending.length - resolved}, server CPU ${Math.round((c.user + c.system) / 10000)}%, loop delay max ${Math.round(loopDelay.max / 1e6)} ms, load ${loadavg()[0].toFixed(2)}\n`,
            );
          }, 1000)
        : undefined;
      const t0 = now();
      // The producer keeps its rate whatever record() takes (calls overlap; EventsService keeps
      // their order): a server that cannot keep up shows as latency, not as a slower producer.
      for (let i = 0; i < phaseTicks; i++) {
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
                data: { source: 'dom0', text: `${phase}:${Math.round(t)}` },
              })),
            )
            .then(() => {
              resolved++;
              recordMs.push(now() - t);
            }),
        );
      }
      const offered = (now() - t0) / 1000;
      await Promise.all(pending);
      const wall = (now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      loopDelay.disable();
      clearInterval(progress);
      published += phaseTicks * perTick;
      if (phase === 0) {
        // The next phase starts from a drained pipeline, as the second one does.
        await new Promise((r) => setTimeout(r, 2000));
        continue;
      }
      timed += phaseTicks * perTick;
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
        loopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e6),
      });
      await new Promise((r) => setTimeout(r, 2000)); // let the last lines arrive
    }

    const stats = await collect(clients);
    await app.close();
    const received = stats.flatMap((s) => s.received);
    const total = received.reduce((a, b) => a + b, 0);
    phases.forEach((ph, i) => {
      const h = phaseHistogram(stats, i + 1);
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
      publishedPerSec: Math.round(timed / wallSeconds),
      messagesPerSec: Math.round(stats.reduce((a, s) => a + s.messages, 0) / wallSeconds),
      deliveredFraction: total / (published * opts.subscribers),
      everyLineToEverySubscriber: received.every((n) => n === published),
      outOfOrder: stats.reduce((a, s) => a + s.outOfOrder, 0),
      dropped: stats.reduce((a, s) => a + s.dropped, 0),
      malformed: stats.reduce((a, s) => a + s.malformed, 0),
      errors: stats.flatMap((s) => s.errors).slice(0, 5),
      phases,
      loadAvg: { before: loadBefore, after: loadavg() },
      clientCpuPct: stats.map((s) => s.cpuPct),
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
    `events bench: ${r.subscribers} logs subscribers (${r.librarySubscribers} graphql-ws createClient, the rest lean graphql-transport-ws clients), ${r.ratePerSec} lines/s, 2 × ${r.secondsPerPhase} s after a warm-up, batch window ${r.windowMs} ms`,
    `  machine              ${r.cpus} CPUs; load average before ${load(r.loadAvg.before)}, after ${load(r.loadAvg.after)}; client processes' CPU ${r.clientCpuPct.map((c) => `${c}%`).join(', ')}`,
    `  published            ${r.published} lines (offered ${r.publishedPerSec}/s; committed ${p1.committedPerSec}/s, ${p2.committedPerSec}/s); ${r.messagesPerSec} websocket messages/s to subscribers`,
    `  delivered            ${(r.deliveredFraction * 100).toFixed(2)}% of lines × subscribers (every line to every subscriber: ${ok(r.everyLineToEverySubscriber)})`,
    `  in order             ${ok(r.outOfOrder === 0)}${r.outOfOrder ? ` (${r.outOfOrder} out of order)` : ''}; dropped (reported) ${r.dropped}; malformed ${r.malformed}; errors ${r.errors.length}`,
    `  publish→receive      phase 1 (no stalled subscriber): p50 ${p1.p50Ms} ms, p99 ${p1.p99Ms} ms, max ${p1.maxMs} ms; server CPU ${p1.serverCpuPct}%; record() p99 ${p1.recordP99Ms} ms; event-loop delay p99 ${p1.loopDelayP99Ms} ms`,
    `                       phase 2 (+${p2.stalled} never reading): p50 ${p2.p50Ms} ms, p99 ${p2.p99Ms} ms, max ${p2.maxMs} ms; server CPU ${p2.serverCpuPct}%; record() p99 ${p2.recordP99Ms} ms; event-loop delay p99 ${p2.loopDelayP99Ms} ms`,
    ...(r.baseline
      ? [
          `  baseline             bare ws, same clients and rate, no database/GraphQL/backpressure: p50 ${r.baseline.p50Ms} ms, p99 ${r.baseline.p99Ms} ms, max ${r.baseline.maxMs} ms; delivered ${(r.baseline.deliveredFraction * 100).toFixed(2)}%; server CPU ${r.baseline.serverCpuPct}%; clients ${r.baseline.clientCpuPct.map((c) => `${c}%`).join(', ')}`,
        ]
      : []),
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
    const opts = {
      subscribers: arg('subscribers', 1000),
      library: arg('library', 10),
      rate: arg('rate', 5000),
      seconds: arg('seconds', 10),
      clients: arg('clients', 2),
      stalled: arg('stalled', 1),
      windowMs: arg('window', 10),
      warmup: arg('warmup', 3),
      verbose: process.argv.includes('--verbose'),
    };
    (async () => {
      const baseline = process.argv.includes('--no-baseline') ? undefined : await runBaseline(opts);
      return { ...(await runEventsBench(opts)), baseline };
    })().then(
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
