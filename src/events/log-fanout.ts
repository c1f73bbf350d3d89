// The `logs` subscription's fan-out (issue 6: 1,000 subscribers × 5,000 lines/s on one host).
// Subscribers with the same host and source filter form a group; the group evaluates its filter
// once per line and coalesces the lines it accepts over a short window (`windowMs`, at most
// `maxLines`) into one immutable batch shared by all its subscribers. While most of them are still
// sending the previous batch, the window stretches (up to ADAPTIVE_FACTOR × windowMs): under load
// batches grow and messages get fewer, instead of queues growing. Each subscriber's bounded
// queue holds references to shared batches (a slow one drops its own oldest batches and is told
// how many lines it lost); the direct graphql-ws path renders a batch once per distinct operation
// and sends the same bytes to every subscriber (direct-subscriptions.ts).
import { BoundedQueue, type Queued } from './bounded-queue';
import {
  DIRECT_STREAM,
  type DirectStream,
  type RenderCache,
  type SharedValue,
} from './direct-subscriptions';
import type { EventMessage } from './event.types';
import type { LogBatch, LogLine } from './events.models';
import { matchesAny } from './glob';

/** How far a window may stretch while most subscribers are busy with the previous batch. */
export const ADAPTIVE_FACTOR = 10;

export interface LogBatchingOptions {
  /** How long a group collects lines after the first one before it sends them (ms; 0 = same tick). */
  windowMs: number;
  /** A batch is sent at once when it holds this many lines. */
  maxLines: number;
  /** Batches queued per subscriber before the oldest are dropped. */
  queue: number;
}

/** One batch of lines, shared by every subscriber of a group; never changed once sent. */
class SharedBatch {
  readonly view: LogBatch;
  readonly renders: RenderCache = new Map();

  constructor(host: string, lines: LogLine[]) {
    this.view = { host, lines, dropped: 0 };
  }
}

function shared({ value, dropped }: Queued<SharedBatch>): SharedValue {
  return dropped === 0
    ? { value: value.view, cache: value.renders }
    : { value: { ...value.view, dropped }, cache: null };
}

/** One subscriber: a bounded queue of shared batches. */
export class LogStream implements AsyncIterableIterator<LogBatch>, DirectStream {
  readonly [DIRECT_STREAM] = true as const;
  private readonly queue: BoundedQueue<SharedBatch>;

  constructor(capacity: number, onClose: () => void) {
    this.queue = new BoundedQueue<SharedBatch>(capacity, onClose, (b) => b.view.lines.length);
  }

  push(batch: SharedBatch): void {
    this.queue.push(batch);
  }

  /** For graphql-js's per-subscriber execution. */
  async next(): Promise<IteratorResult<LogBatch, undefined>> {
    const r = await this.queue.next();
    if (r.done) return { done: true, value: undefined };
    return { done: false, value: shared(r.value).value as LogBatch };
  }

  /** For the direct path: a batch nobody else lost lines before is shared with its renderings. */
  async nextShared(): Promise<IteratorResult<SharedValue, undefined>> {
    const r = await this.queue.next();
    if (r.done) return { done: true, value: undefined };
    return { done: false, value: shared(r.value) };
  }

  /** The batches already queued (a subscriber catching up sends them together). */
  takeShared(max: number): SharedValue[] {
    return this.queue.takeAvailable(max).map(shared);
  }

  return(): Promise<IteratorResult<LogBatch, undefined>> {
    this.queue.close();
    return Promise.resolve({ done: true, value: undefined });
  }

  close(): void {
    this.queue.close();
  }

  /** Its reader is waiting for the next batch (it has sent everything it was given). */
  get idle(): boolean {
    return this.queue.isWaiting;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

class LogGroup {
  readonly streams = new Set<LogStream>();
  private open: LogLine[] = [];
  private openedAt = 0;
  private timer: { cancel: () => void } | undefined;

  constructor(
    readonly host: string,
    private readonly sources: readonly string[] | null,
    private readonly opts: LogBatchingOptions,
  ) {}

  accepts(source: string): boolean {
    return matchesAny(source, this.sources);
  }

  add(line: LogLine): void {
    if (this.open.length === 0) this.openedAt = Date.now();
    this.open.push(line);
    if (this.open.length >= this.opts.maxLines) this.flush();
    else if (this.timer === undefined) this.arm();
  }

  private arm(): void {
    if (this.opts.windowMs > 0) {
      const t = setTimeout(() => this.due(), this.opts.windowMs).unref();
      this.timer = { cancel: () => clearTimeout(t) };
    } else {
      const t = setImmediate(() => this.flush()).unref();
      this.timer = { cancel: () => clearImmediate(t) };
    }
  }

  /** The window is over: send, unless most subscribers are still busy and it may stretch. */
  private due(): void {
    this.timer = undefined;
    const stretched = Date.now() - this.openedAt >= this.opts.windowMs * ADAPTIVE_FACTOR;
    if (!stretched && this.mostBusy()) this.arm();
    else this.flush();
  }

  private mostBusy(): boolean {
    let busy = 0;
    for (const s of this.streams) if (!s.idle) busy++;
    return busy * 2 > this.streams.size;
  }

  flush(): void {
    this.cancel();
    if (this.open.length === 0) return;
    const batch = new SharedBatch(this.host, this.open);
    this.open = [];
    for (const s of this.streams) s.push(batch);
  }

  cancel(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}

/** Group key: the host and the normalised source filter. */
function groupKey(sources: readonly string[] | null): string {
  return sources === null || sources.length === 0 ? '*' : [...new Set(sources)].sort().join('\n');
}

export class LogFanout {
  /** host → filter → group */
  private readonly hosts = new Map<string, Map<string, LogGroup>>();
  private readonly streams = new Set<LogStream>();

  constructor(private readonly opts: LogBatchingOptions) {}

  get subscriberCount(): number {
    return this.streams.size;
  }

  subscribe(host: string, sources: readonly string[] | null): LogStream {
    const key = groupKey(sources);
    let groups = this.hosts.get(host);
    if (!groups) this.hosts.set(host, (groups = new Map<string, LogGroup>()));
    let group = groups.get(key);
    if (!group) {
      group = new LogGroup(host, key === '*' ? null : key.split('\n'), this.opts);
      groups.set(key, group);
    }
    const g = group;
    const stream: LogStream = new LogStream(this.opts.queue, () => {
      this.streams.delete(stream);
      g.streams.delete(stream);
      if (g.streams.size === 0) {
        g.cancel();
        groups.delete(key);
        if (groups.size === 0) this.hosts.delete(host);
      }
    });
    g.streams.add(stream);
    this.streams.add(stream);
    return stream;
  }

  /** One published `log` event. */
  dispatch(m: EventMessage): void {
    if (m.host === null) return;
    const groups = this.hosts.get(m.host);
    if (!groups) return;
    const source = typeof m.data.source === 'string' ? m.data.source : '';
    let line: LogLine | undefined;
    for (const g of groups.values()) {
      if (!g.accepts(source)) continue;
      line ??= {
        seq: Number(m.id),
        host: m.host,
        source,
        text: typeof m.data.text === 'string' ? m.data.text : '',
        time: new Date(m.time),
        virtualTimeNs: m.virtualTimeNs,
      };
      g.add(line);
    }
  }

  close(): void {
    for (const s of [...this.streams]) s.close();
  }
}
