// Shared rendering for subscriptions whose messages many subscribers receive alike (a `logs`
// batch: issue 6 asks for 1,000 subscribers × 5,000 lines/s). graphql-ws executes the selection set
// and JSON.stringifies every message for every subscriber, and offers no hook to share either; so
// for a *direct stream* (one that hands out shared values) the selection set is executed once per
// value per distinct operation (document + variables), serialised once, and the same bytes are
// written to each subscriber's websocket as an ordinary graphql-transport-ws `next` message.
// graphql-ws keeps everything else: subscribe, validation, errors, `complete`, close.
//
// Wired into graphql-ws's options (src/graphql/graphql.module.ts): `subscribe` replaces graphql-js's
// `subscribe` (same behaviour for every other stream), `onOperation` hands the websocket and the
// subscription id to a direct stream. Without `onOperation` a direct stream still shares the
// execution result and lets graphql-ws send it.
import {
  createSourceEventStream,
  execute,
  print,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { formatGraphqlError } from '../graphql/graphql-errors';
import { TurnBudget } from './turn-budget';

export const DIRECT_STREAM = Symbol('ptlab.directStream');

/** An execution result, and its JSON once a direct subscriber needed it. */
interface Rendering {
  result: ExecutionResult;
  json?: Buffer;
  /**
   * Whole websocket frames (header, `next` prefix, JSON, `}`) by subscription id: subscribers
   * whose subscription has the same id (most clients number theirs from 1) write the same bytes.
   */
  frames?: Map<string, Buffer>;
}

/** Distinct subscription ids a rendering keeps a whole frame for; others get gathered writes. */
const FRAMES_PER_RENDERING = 4;

/**
 * A value's renderings, by operation; shared by every subscriber that received the same value.
 * Holds promises, stored before the first await: subscribers woken by the same value in one tick
 * find the rendering under way and wait for it instead of executing again.
 */
export type RenderCache = Map<string, Promise<Rendering>>;

export interface SharedValue {
  /** The subscription field's source value (what `resolve` receives). */
  value: unknown;
  /** Where renderings of this value are shared; null when the value is this subscriber's own. */
  cache: RenderCache | null;
}

/** A subscription source that hands out shared values. */
export interface DirectStream {
  readonly [DIRECT_STREAM]: true;
  nextShared(): Promise<IteratorResult<SharedValue, undefined>>;
  /** Values already waiting, up to `max`, without waiting. */
  takeShared(max: number): SharedValue[];
  return(): Promise<IteratorResult<unknown, undefined>>;
}

function isDirectStream(v: unknown): v is DirectStream {
  return typeof v === 'object' && v !== null && DIRECT_STREAM in v;
}

/** What the `ws` package's WebSocket offers (graphql-ws's `ctx.extra.socket`). */
interface WsSocket {
  readonly readyState: number;
  readonly OPEN: number;
  /** Negotiated extensions; '' when frames are sent as they are (no permessage-deflate). */
  readonly extensions: string;
  /** Bytes sent through `ws` and not yet handed to the TCP socket. */
  readonly bufferedAmount: number;
  send(data: Buffer, options: { binary: boolean }, cb?: (err?: Error) => void): void;
}

/** The TCP socket under the websocket (the HTTP upgrade request's `socket`). */
interface RawSocket {
  readonly writable: boolean;
  /** Bytes written and not yet handed to the kernel. */
  readonly writableLength: number;
  cork(): void;
  uncork(): void;
  write(chunk: Buffer, cb?: (err?: Error | null) => void): boolean;
}

function isWsSocket(v: unknown): v is WsSocket {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { send?: unknown }).send === 'function' &&
    typeof (v as { readyState?: unknown }).readyState === 'number'
  );
}

function isRawSocket(v: unknown): v is RawSocket {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { cork?: unknown }).cork === 'function' &&
    typeof (v as { write?: unknown }).write === 'function'
  );
}

const SUFFIX = Buffer.from('}');

/**
 * Bytes a subscriber may have waiting in user space before its next message waits for the socket:
 * a few messages in flight, so a socket's throughput is not one message per round trip, while a
 * subscriber that does not read holds at most this (plus the kernel's buffers).
 */
const IN_FLIGHT_BYTES = 512 * 1024;

/** Most queued messages one write sends (each is four buffers of one writev). */
const CATCH_UP_MESSAGES = 8;

/**
 * Bytes all direct subscribers together write in one event-loop turn. A batch for 1,000
 * subscribers is tens of megabytes of socket writes; in rounds of this size the database's
 * answers (the next batch's commit) and other requests are served between rounds instead of after
 * all of it.
 */
const turns = new TurnBudget(4 * 1024 * 1024);

/** The header of an unmasked, final text frame (RFC 6455 §5.2) with `length` payload bytes. */
function textFrameHeader(length: number): Buffer {
  if (length < 126) return Buffer.from([0x81, length]);
  if (length < 0x10000) {
    const h = Buffer.allocUnsafe(4);
    h[0] = 0x81;
    h[1] = 126;
    h.writeUInt16BE(length, 2);
    return h;
  }
  const h = Buffer.allocUnsafe(10);
  h[0] = 0x81;
  h[1] = 127;
  h.writeBigUInt64BE(BigInt(length), 2);
  return h;
}

/** A subscriber's `next` messages for these renderings, as buffers to write in order. */
function frameChunks(t: Target, entries: Rendering[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (const e of entries) {
    const json = (e.json ??= toJson(e.result));
    const length = t.prefix.length + json.length + SUFFIX.length;
    let frame = e.frames?.get(t.id);
    if (!frame && (e.frames?.size ?? 0) < FRAMES_PER_RENDERING) {
      frame = Buffer.concat([textFrameHeader(length), t.prefix, json, SUFFIX]);
      (e.frames ??= new Map()).set(t.id, frame);
    }
    if (frame) chunks.push(frame);
    else chunks.push(textFrameHeader(length), t.prefix, json, SUFFIX);
  }
  return chunks;
}

/**
 * Writes `next` messages. Without permessage-deflate the frames go straight to the TCP socket (one
 * write, or gathered into one writev); otherwise through `ws`, one message each. Resolves when
 * the socket took them.
 */
function writeMessages(t: Target, entries: Rendering[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error | null): void => (err ? reject(err) : resolve());
    const { socket: ws, raw } = t;
    if (raw && ws.extensions === '') {
      if (!raw.writable) return reject(new Error('socket closed'));
      const chunks = frameChunks(t, entries);
      if (chunks.length === 1) {
        raw.write(chunks[0], done);
        return;
      }
      raw.cork();
      const last = chunks.length - 1;
      chunks.forEach((c, i) => raw.write(c, i === last ? done : undefined));
      raw.uncork();
    } else {
      const last = entries.length - 1;
      entries.forEach((e, i) =>
        ws.send(
          Buffer.concat([t.prefix, (e.json ??= toJson(e.result)), SUFFIX]),
          { binary: false },
          i === last ? done : undefined,
        ),
      );
    }
  });
}

/** The JSON of a result, its errors shaped as graphql-ws's onNext shapes them (extensions.code). */
function toJson(result: ExecutionResult): Buffer {
  const body = result.errors
    ? { ...result, errors: result.errors.map((e) => formatGraphqlError(e.toJSON(), e)) }
    : result;
  return Buffer.from(JSON.stringify(body));
}

interface Target {
  socket: WsSocket;
  raw: RawSocket | undefined;
  /** The subscription id. */
  id: string;
  prefix: Buffer;
}

class DirectSubscription implements AsyncIterableIterator<ExecutionResult> {
  private readonly key: string;
  private target: Target | undefined;
  private pumping: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly stream: DirectStream,
    private readonly args: ExecutionArgs,
  ) {
    this.key = `${args.operationName ?? ''}\n${JSON.stringify(args.variableValues ?? {})}\n${print(args.document)}`;
  }

  /** From now on, messages go straight to this websocket as `next` messages of subscription `id`. */
  attach(socket: WsSocket, raw: RawSocket | undefined, id: string): void {
    this.target = {
      socket,
      raw,
      id,
      prefix: Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`),
    };
  }

  /** Direct: pends until the subscription ends (graphql-ws then completes it). Otherwise: the next result. */
  async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    if (this.target) {
      this.pumping ??= this.pump(this.target);
      await this.pumping;
      return { done: true, value: undefined };
    }
    const r = await this.stream.nextShared();
    if (r.done || this.closed) return { done: true, value: undefined };
    return { done: false, value: (await this.render(r.value)).result };
  }

  async return(): Promise<IteratorResult<ExecutionResult, undefined>> {
    this.closed = true;
    await this.stream.return();
    return { done: true, value: undefined };
  }

  async throw(err?: unknown): Promise<IteratorResult<ExecutionResult, undefined>> {
    await this.return();
    throw err instanceof Error ? err : new Error(String(err));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Errors are shared too: the same operation on the same value fails the same way. */
  private render(v: SharedValue): Promise<Rendering> {
    const cached = v.cache?.get(this.key);
    if (cached) return cached;
    const rendering = Promise.resolve(execute({ ...this.args, rootValue: v.value })).then(
      (result): Rendering => ({ result }),
    );
    v.cache?.set(this.key, rendering);
    return rendering;
  }

  /**
   * Messages in order, within the shared per-turn budget; past IN_FLIGHT_BYTES waiting in user
   * space, the next waits for the socket.
   */
  private async pump(t: Target): Promise<void> {
    try {
      for (;;) {
        const r = await this.stream.nextShared();
        if (r.done || this.closed) return;
        // A subscriber catching up sends what is queued together: one write for all of it.
        const values = [r.value, ...this.stream.takeShared(CATCH_UP_MESSAGES - 1)];
        const entries = await Promise.all(values.map((v) => this.render(v)));
        let bytes = 0;
        for (const e of entries) bytes += (e.json ??= toJson(e.result)).length;
        const later = turns.claim(bytes);
        if (later) await later;
        if (this.closed || t.socket.readyState !== t.socket.OPEN) return;
        const written = writeMessages(t, entries);
        const waiting =
          t.raw && t.socket.extensions === '' ? t.raw.writableLength : t.socket.bufferedAmount;
        if (waiting > IN_FLIGHT_BYTES) await written;
        else written.catch(() => (this.closed = true));
      }
    } catch {
      // The socket failed or closed: graphql-ws's close handling ends the subscription.
    } finally {
      this.closed = true;
      await this.stream.return();
    }
  }
}

/** graphql-js's per-payload execution, for every stream that is not direct. */
function mapSource(
  stream: AsyncIterable<unknown>,
  args: ExecutionArgs,
): AsyncIterableIterator<ExecutionResult> {
  const it = stream[Symbol.asyncIterator]();
  return {
    async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
      const r = await it.next();
      if (r.done) return { done: true, value: undefined };
      return { done: false, value: await execute({ ...args, rootValue: r.value }) };
    },
    async return(): Promise<IteratorResult<ExecutionResult, undefined>> {
      await it.return?.();
      return { done: true, value: undefined };
    },
    async throw(err?: unknown): Promise<IteratorResult<ExecutionResult, undefined>> {
      await it.return?.();
      throw err instanceof Error ? err : new Error(String(err));
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v;
}

/** graphql-ws options: spread into the `graphql-ws` subscription options. */
export const directSubscriptions: Pick<ServerOptions, 'subscribe' | 'onOperation'> = {
  subscribe: async (args) => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    return isDirectStream(source) ? new DirectSubscription(source, args) : mapSource(source, args);
  },
  onOperation: (ctx, id, _payload, _args, result) => {
    const extra = ctx.extra as { socket?: unknown; request?: { socket?: unknown } } | undefined;
    const socket = extra?.socket;
    const raw = extra?.request?.socket;
    if (result instanceof DirectSubscription && isWsSocket(socket)) {
      result.attach(socket, isRawSocket(raw) ? raw : undefined, id);
    }
    return undefined;
  },
};
