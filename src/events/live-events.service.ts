// Live fan-out for the GraphQL subscriptions: one PubSub listener per topic, subscribers indexed by
// host, filters evaluated here before anything reaches GraphQL execution, and a bounded queue per
// subscriber (a slow one drops its own oldest messages and is told how many; nobody else waits).
// Console lines go through LogFanout: coalesced per filter group into batches shared by the group.
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { PubSubEngine } from 'graphql-subscriptions';
import { PUB_SUB, TOPICS } from '../graphql/pubsub';
import { APP_CONFIG, type AppConfig } from '../infra/config/config';
import { AppError } from '../infra/errors/app-error';
import { BoundedQueue, mapIterator } from './bounded-queue';
import type { Topic } from './event-message';
import type { EventMessage, InterruptCounterData } from './event.types';
import type { DeviceEvent, DomainEvent, InterruptReport, LogBatch } from './events.models';
import { InterruptAccumulator } from './interrupt-accumulator';
import { LogFanout } from './log-fanout';

interface Subscriber {
  /** null: every host. */
  host: string | null;
  accepts: (m: EventMessage) => boolean;
  push: (m: EventMessage) => void;
}

export const INTERRUPTS_INTERVAL_DEFAULT_MS = 250;
export const INTERRUPTS_INTERVAL_MIN_MS = 50;
export const INTERRUPTS_INTERVAL_MAX_MS = 60000;

/** `0000:01:10.0`; a short `01:10.0` gets domain 0000. */
export function normalizeBdf(bdf: string): string {
  const b = bdf.trim().toLowerCase();
  return /^[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/.test(b) ? `0000:${b}` : b;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

@Injectable()
export class LiveEventsService implements OnModuleInit, OnModuleDestroy {
  private readonly byTopic = new Map<Topic, Map<string | null, Set<Subscriber>>>();
  private readonly pubSubIds: number[] = [];
  private readonly closers = new Set<() => void>();
  private readonly logFanout: LogFanout;

  constructor(
    @Inject(PUB_SUB) private readonly pubSub: PubSubEngine,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.logFanout = new LogFanout({
      windowMs: config.events.logsBatchMs,
      maxLines: config.events.logsBatchLines,
      queue: config.events.subscriberQueue,
    });
  }

  async onModuleInit(): Promise<void> {
    const topics: Topic[] = [
      TOPICS.domainEvents,
      TOPICS.deviceEvents,
      TOPICS.interrupts,
      TOPICS.otherEvents,
    ];
    this.pubSubIds.push(
      await this.pubSub.subscribe(TOPICS.logs, (m: EventMessage) => this.logFanout.dispatch(m), {}),
    );
    for (const topic of topics) {
      this.byTopic.set(topic, new Map());
      this.pubSubIds.push(
        await this.pubSub.subscribe(topic, (m: EventMessage) => this.dispatch(topic, m), {}),
      );
    }
  }

  onModuleDestroy(): void {
    for (const id of this.pubSubIds) this.pubSub.unsubscribe(id);
    for (const close of [...this.closers]) close();
    this.logFanout.close();
  }

  /** Subscribers currently attached (all topics). */
  get subscriberCount(): number {
    let n = this.logFanout.subscriberCount;
    for (const hosts of this.byTopic.values()) for (const set of hosts.values()) n += set.size;
    return n;
  }

  domainEvents(host: string | null, domain: string | null): AsyncIterableIterator<DomainEvent> {
    const queue = this.attach(TOPICS.domainEvents, host, (m) => {
      if (domain === null) return true;
      return str(m.data.domain) === domain || str(m.data.domid) === domain;
    });
    return mapIterator(queue, ({ value: m, dropped }) => ({
      id: m.id ?? '',
      host: m.host,
      domain: str(m.data.domain),
      type: m.type,
      virtualTimeNs: m.virtualTimeNs,
      time: new Date(m.time),
      data: m.data,
      dropped,
    }));
  }

  deviceEvents(host: string | null, bdf: string | null): AsyncIterableIterator<DeviceEvent> {
    const want = bdf === null ? null : normalizeBdf(bdf);
    const queue = this.attach(TOPICS.deviceEvents, host, (m) => {
      if (want === null) return true;
      const b = str(m.data.bdf);
      return b !== null && normalizeBdf(b) === want;
    });
    return mapIterator(queue, ({ value: m, dropped }) => ({
      id: m.id ?? '',
      host: m.host,
      bdf: str(m.data.bdf),
      type: m.type,
      virtualTimeNs: m.virtualTimeNs,
      time: new Date(m.time),
      data: m.data,
      dropped,
    }));
  }

  /**
   * A host's console lines in batches (LogFanout): lines accepted by the same filter within one
   * window travel together, shared by every subscriber with that filter.
   */
  logs(host: string, sources: string[] | null): AsyncIterableIterator<LogBatch> {
    return this.logFanout.subscribe(host, sources);
  }

  /**
   * Per-vector counters since the previous message, every `intervalMs` (default 250, min 50);
   * silent while nothing is counted. A lagging subscriber gets the counts merged into its next
   * message, so nothing is dropped.
   */
  interrupts(
    host: string,
    domain: string | null,
    bdf: string | null,
    intervalMs: number = INTERRUPTS_INTERVAL_DEFAULT_MS,
  ): AsyncIterableIterator<InterruptReport> {
    if (
      !Number.isInteger(intervalMs) ||
      intervalMs < INTERRUPTS_INTERVAL_MIN_MS ||
      intervalMs > INTERRUPTS_INTERVAL_MAX_MS
    ) {
      throw new AppError(
        'validation-failed',
        `intervalMs must be an integer in ${INTERRUPTS_INTERVAL_MIN_MS}..${INTERRUPTS_INTERVAL_MAX_MS}, got ${intervalMs}`,
      );
    }
    const want = bdf === null ? null : normalizeBdf(bdf);
    const acc = new InterruptAccumulator();
    const out = new BoundedQueue<InterruptReport>(1, () => {
      clearInterval(timer);
      detach();
      this.closers.delete(close);
    });
    const close = (): void => out.close();
    let from = new Date();
    const timer = setInterval(() => {
      // Only emit when the consumer has taken the previous report: otherwise keep accumulating.
      if (acc.isEmpty || out.size > 0) return;
      const { vectors, virtualTimeNs } = acc.drain();
      const to = new Date();
      out.push({
        host,
        intervalMs,
        from,
        to,
        virtualTimeNs,
        dropped: 0,
        vectors: vectors.map((v) => {
          const total = v.lost.masked + v.lost.disabled + v.lost.unmapped + v.lost.unbound;
          return { ...v, lost: { ...v.lost, total } };
        }),
      });
      from = to;
    }, intervalMs);
    timer.unref();
    const detach = this.register(TOPICS.interrupts, {
      host,
      accepts: (m) => {
        const d = m.data as unknown as InterruptCounterData;
        if (domain !== null && d.domain !== domain && str(d.domid) !== domain) return false;
        return want === null || normalizeBdf(String(d.bdf)) === want;
      },
      push: (m) => acc.add(m.data as unknown as InterruptCounterData, m.virtualTimeNs),
    });
    this.closers.add(close);
    return mapIterator(out, ({ value }) => value);
  }

  private attach(
    topic: Topic,
    host: string | null,
    accepts: (m: EventMessage) => boolean,
  ): BoundedQueue<EventMessage> {
    const queue: BoundedQueue<EventMessage> = new BoundedQueue(
      this.config.events.subscriberQueue,
      () => {
        detach();
        this.closers.delete(close);
      },
    );
    const close = (): void => queue.close();
    const detach = this.register(topic, { host, accepts, push: (m) => queue.push(m) });
    this.closers.add(close);
    return queue;
  }

  private register(topic: Topic, sub: Subscriber): () => void {
    const hosts = this.byTopic.get(topic);
    if (!hosts) throw new AppError('service-unavailable', 'live events are not started');
    let set = hosts.get(sub.host);
    if (!set) hosts.set(sub.host, (set = new Set()));
    set.add(sub);
    return () => {
      set.delete(sub);
      if (set.size === 0) hosts.delete(sub.host);
    };
  }

  private dispatch(topic: Topic, m: EventMessage): void {
    const hosts = this.byTopic.get(topic);
    if (!hosts) return;
    const exact = m.host === null ? undefined : hosts.get(m.host);
    const any = hosts.get(null);
    if (exact) for (const s of exact) if (s.accepts(m)) s.push(m);
    if (any) for (const s of any) if (s.accepts(m)) s.push(m);
  }
}
