// THE bridge from engine events to the world (DESIGN.md §5): the event log, PubSub (GraphQL
// subscriptions) and the webhook outbox, the outbox rows in the same transaction as the events.
import { Inject, Injectable } from '@nestjs/common';
import type { PubSubEngine } from 'graphql-subscriptions';
import { PUB_SUB } from '../graphql/pubsub';
import { AppError } from '../infra/errors/app-error';
import { toMessage, toView, topicFor } from './event-message';
import {
  EVENT_GLOB_PATTERN,
  EVENT_TYPE_PATTERN,
  TRANSIENT_EVENT_TYPES,
  type EventMessage,
  type PtlabEvent,
} from './event.types';
import type { EventConnection, EventView } from './events.models';
import {
  EventsRepository,
  type AppendedEvents,
  type NewEvent,
  type StoredEvent,
} from './events.repository';
import { OutboxSignal } from './outbox-signal';
import { jsonSafe } from './json-safe';

export interface EventListQuery {
  host?: string;
  /** Types or globs (`domain.*`); any of them. */
  types?: string[];
  /** Globs over `data.source` of log events (`dom0`, `guest:*`). */
  sources?: string[];
  /** Cursor: only events with a greater id. */
  after?: string;
  limit?: number;
}

export interface EventList {
  items: EventView[];
  nextCursor: string | null;
}

export const EVENT_LIST_MAX = 1000;
/** Most rows one group commit of record() calls writes in one transaction. */
const GROUP_COMMIT_MAX_ROWS = 10_000;

interface RecordJob {
  checked: NewEvent[];
  rows: NewEvent[];
  resolve: (messages: EventMessage[]) => void;
  reject: (err: unknown) => void;
}
export const EVENT_LIST_DEFAULT = 100;

@Injectable()
export class EventsService {
  /** Persisting batches one after another keeps publish order = commit order = id order. */
  private tail: Promise<unknown> = Promise.resolve();
  /** record() calls waiting for the tail: appended together in one transaction (group commit). */
  private group: RecordJob[] | undefined;
  private groupRows = 0;

  constructor(
    private readonly repo: EventsRepository,
    @Inject(PUB_SUB) private readonly pubSub: PubSubEngine,
    private readonly outbox: OutboxSignal,
  ) {}

  /**
   * Records a batch of events: persists every type except `interrupts` (counters go to
   * subscriptions only, coalesced there; persisting one row per vector per step would flood the
   * log), enqueues webhook deliveries in the same transaction, then publishes each event to its
   * PubSub topic. Resolves, in input order, with the messages as published (`id` null when not
   * persisted) once the batch is durable.
   */
  async record(events: readonly PtlabEvent[]): Promise<EventMessage[]> {
    const checked = events.map(checkEvent);
    const rows = checked.filter((e) => !TRANSIENT_EVENT_TYPES.has(e.type));
    if (rows.length === 0) return this.publishAll(checked, []);
    return new Promise<EventMessage[]>((resolve, reject) => {
      const job: RecordJob = { checked, rows, resolve, reject };
      // Calls arriving while earlier batches are being written join one group, written in one
      // transaction once the tail reaches it: throughput grows with the backlog, order is kept.
      if (this.group && this.groupRows + rows.length <= GROUP_COMMIT_MAX_ROWS) {
        this.group.push(job);
        this.groupRows += rows.length;
        return;
      }
      const group = [job];
      this.group = group;
      this.groupRows = rows.length;
      const run = this.tail.then(async () => {
        if (this.group === group) this.group = undefined;
        try {
          const appended = await this.repo.appendWithOutbox(group.flatMap((j) => j.rows));
          let offset = 0;
          for (const j of group) {
            const mine = appended.events.slice(offset, offset + j.rows.length);
            offset += j.rows.length;
            j.resolve(this.publishAll(j.checked, mine));
          }
          if (appended.deliveries > 0) this.outbox.notify();
        } catch (err) {
          for (const j of group) j.reject(err);
        }
      });
      this.tail = run;
    });
  }

  /**
   * The same, with the rows written by `write` inside a transaction the caller owns (a host's
   * journal commit passes them to EventsRepository.appendWithin): the command, its config changes,
   * its events and their webhook outbox rows commit together. Nothing is published unless `write`
   * succeeds; then every event, `interrupts` included, is published in input order. Writers with
   * rows to persist run one after another, so publish order = commit order = id order.
   */
  async recordWith<T>(
    events: readonly PtlabEvent[],
    write: (rows: NewEvent[]) => Promise<{ value: T; appended: AppendedEvents }>,
  ): Promise<{ value: T; messages: EventMessage[] }> {
    const checked = events.map(checkEvent);
    const rows = checked.filter((e) => !TRANSIENT_EVENT_TYPES.has(e.type));
    const run = async (): Promise<{ value: T; messages: EventMessage[] }> => {
      const { value, appended } = await write(rows);
      const messages = this.publishAll(checked, appended.events);
      if (appended.deliveries > 0) this.outbox.notify();
      return { value, messages };
    };
    if (rows.length === 0) return run();
    const result = this.tail.then(run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Publishes events in input order, the persisted ones as the rows `stored` (in the same order). */
  private publishAll(checked: NewEvent[], stored: StoredEvent[]): EventMessage[] {
    const persisted = checked.filter((e) => !TRANSIENT_EVENT_TYPES.has(e.type)).length;
    if (stored.length !== persisted) {
      throw new Error(`appended ${stored.length} of ${persisted} events`);
    }
    const now = new Date().toISOString();
    let next = 0;
    const messages = checked.map((e) =>
      TRANSIENT_EVENT_TYPES.has(e.type)
        ? {
            id: null,
            host: e.host,
            type: e.type,
            virtualTimeNs: e.virtualTimeNs === null ? null : e.virtualTimeNs.toString(),
            time: now,
            data: e.data,
          }
        : toMessage(stored[next++]),
    );
    for (const m of messages) this.publish(m);
    return messages;
  }

  /** The event log, oldest first, after a cursor. */
  async list(q: EventListQuery): Promise<EventList> {
    const limit = q.limit ?? EVENT_LIST_DEFAULT;
    if (!Number.isInteger(limit) || limit < 1 || limit > EVENT_LIST_MAX) {
      throw new AppError('validation-failed', `limit must be an integer in 1..${EVENT_LIST_MAX}`);
    }
    if (q.after !== undefined && !/^\d{1,19}$/.test(q.after)) {
      throw new AppError(
        'validation-failed',
        `after must be an event id (a decimal integer), got '${q.after}'`,
      );
    }
    for (const t of q.types ?? []) {
      if (!EVENT_GLOB_PATTERN.test(t)) {
        throw new AppError(
          'validation-failed',
          `'${t}' is not an event type or glob (e.g. domain.*)`,
        );
      }
    }
    const rows = await this.repo.list({
      host: q.host,
      types: q.types,
      sources: q.sources,
      after: q.after === undefined ? undefined : BigInt(q.after),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit).map((r) => toView(toMessage(r)));
    return { items: page, nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }

  /** The same page as a GraphQL connection. */
  async connection(q: EventListQuery): Promise<EventConnection> {
    const page = await this.list(q);
    return {
      edges: page.items.map((node) => ({ cursor: node.id, node })),
      pageInfo: {
        hasNextPage: page.nextCursor !== null,
        endCursor: page.items.length ? page.items[page.items.length - 1].id : null,
      },
    };
  }

  private publish(message: EventMessage): void {
    void this.pubSub.publish(topicFor(message.type), message);
  }
}

function checkEvent(e: PtlabEvent): NewEvent {
  if (typeof e.type !== 'string' || !EVENT_TYPE_PATTERN.test(e.type)) {
    throw new AppError('validation-failed', `invalid event type '${String(e.type)}'`);
  }
  if (e.host !== null && (typeof e.host !== 'string' || e.host === '')) {
    throw new AppError('validation-failed', `event ${e.type}: host must be a name or null`);
  }
  if (typeof e.data !== 'object' || e.data === null || Array.isArray(e.data)) {
    throw new AppError('validation-failed', `event ${e.type}: data must be an object`);
  }
  let vt: bigint | null = null;
  if (e.virtualTimeNs !== undefined) {
    if (typeof e.virtualTimeNs === 'number' && !Number.isSafeInteger(e.virtualTimeNs)) {
      throw new AppError('validation-failed', `event ${e.type}: virtualTimeNs must be an integer`);
    }
    vt = BigInt(e.virtualTimeNs);
  }
  return { host: e.host, type: e.type, virtualTimeNs: vt, data: jsonSafe(e.data) };
}
