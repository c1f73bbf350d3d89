// A subscriber's bounded queue (issue 6): producers never wait; when the consumer falls behind by
// `capacity` messages the oldest are dropped and the count travels with the next message it reads,
// so a slow subscriber learns what it missed instead of missing it silently. A message may stand
// for several items (a batch of log lines): `weight` says how many, and drops are counted in items.

export interface Queued<T> {
  value: T;
  /** Items (messages × their weight) dropped immediately before this one. */
  dropped: number;
}

export class BoundedQueue<T> implements AsyncIterableIterator<Queued<T>> {
  private buffer: Queued<T>[] = [];
  private head = 0;
  private waiter: ((result: IteratorResult<Queued<T>>) => void) | undefined;
  private carry = 0;
  private closed = false;
  /** Items dropped since the queue was created. */
  droppedTotal = 0;

  /**
   * @param capacity messages held before the oldest is dropped
   * @param weight how many items a message stands for (its lines); 1 by default
   */
  constructor(
    readonly capacity: number,
    private readonly onClose: () => void = () => undefined,
    private readonly weight: (value: T) => number = () => 1,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be ≥ 1');
  }

  get size(): number {
    return this.buffer.length - this.head;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A reader is waiting: it has taken everything and wants more. */
  get isWaiting(): boolean {
    return this.waiter !== undefined;
  }

  /** Never blocks: hands the value to a waiting reader, queues it, or drops the oldest queued. */
  push(value: T): void {
    if (this.closed) return;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter({ done: false, value: { value, dropped: this.takeCarry() } });
      return;
    }
    if (this.size >= this.capacity) {
      const oldest = this.buffer[this.head++];
      const lost = this.weight(oldest.value);
      this.droppedTotal += lost;
      if (this.size > 0) this.buffer[this.head].dropped += oldest.dropped + lost;
      else this.carry += oldest.dropped + lost;
    }
    this.buffer.push({ value, dropped: this.takeCarry() });
    this.compact();
  }

  next(): Promise<IteratorResult<Queued<T>>> {
    if (this.size > 0) {
      const item = this.buffer[this.head++];
      this.compact();
      return Promise.resolve({ done: false, value: item });
    }
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Up to `max` queued messages, at once (never waits). */
  takeAvailable(max: number): Queued<T>[] {
    const n = Math.min(max, this.size);
    const out = this.buffer.slice(this.head, this.head + n);
    this.head += n;
    this.compact();
    return out;
  }

  return(): Promise<IteratorResult<Queued<T>>> {
    this.close();
    return Promise.resolve({ done: true, value: undefined });
  }

  throw(err?: unknown): Promise<IteratorResult<Queued<T>>> {
    this.close();
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer = [];
    this.head = 0;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.({ done: true, value: undefined });
    this.onClose();
  }

  private takeCarry(): number {
    const c = this.carry;
    this.carry = 0;
    return c;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
  }
}

/** Maps each item of an async iterator, forwarding return() so the source is released. */
export function mapIterator<A, B>(
  source: AsyncIterableIterator<A>,
  fn: (a: A) => B,
): AsyncIterableIterator<B> {
  return {
    async next(): Promise<IteratorResult<B>> {
      const r = await source.next();
      return r.done ? { done: true, value: undefined } : { done: false, value: fn(r.value) };
    },
    async return(): Promise<IteratorResult<B>> {
      await source.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
