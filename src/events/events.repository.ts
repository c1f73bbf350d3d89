// The event log and the webhook outbox rows written with it. The only Prisma in src/events.
import { Injectable } from '@nestjs/common';
import { Prisma, type Event } from '../generated/prisma/client';
import { PrismaService } from '../infra/database/prisma.service';
import { globToLike } from './glob';

/** Serialises event-log writers (all instances): ids become visible in id order, so a reader paging
 * with `after=<cursor>` never skips an event that commits late with a smaller id. */
const EVENT_LOG_LOCK = 0x70746c6162657631n; // "ptlabev1"

export interface NewEvent {
  host: string | null;
  type: string;
  virtualTimeNs: bigint | null;
  data: Record<string, unknown>;
}

export interface EventQuery {
  host?: string;
  /** Type globs (OR); empty = all. */
  types?: string[];
  /** Globs over `data.source` (log events); empty = all. */
  sources?: string[];
  after?: bigint;
  limit: number;
}

export type StoredEvent = Event;

/** What an append wrote: the event rows in input order and how many outbox rows came with them. */
export interface AppendedEvents {
  events: StoredEvent[];
  deliveries: number;
}

@Injectable()
export class EventsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Appends events and, in the same transaction, one pending outbox row per (event, active webhook
   * whose `events` globs and `hosts` match). Returns the rows in insertion order. One statement, so
   * one round trip and its own transaction.
   */
  async appendWithOutbox(events: NewEvent[]): Promise<AppendedEvents> {
    if (events.length === 0) return { events: [], deliveries: 0 };
    return this.append(this.prisma, events);
  }

  /**
   * The same, inside a transaction the caller owns (e.g. a host's journal commit: the command, its
   * config changes, its events and their outbox rows become durable together or not at all). Call
   * it last in the transaction: it takes the event-log lock, held until the commit.
   */
  async appendWithin(tx: Prisma.TransactionClient, events: NewEvent[]): Promise<AppendedEvents> {
    if (events.length === 0) return { events: [], deliveries: 0 };
    return this.append(tx, events);
  }

  /**
   * One statement: take the event-log lock (until the transaction ends), insert the events from
   * four parallel arrays (unnest: four parameters whatever the batch size; ids follow the array
   * order), and insert their outbox rows from the inserted rows. Only the ids and the commit time
   * come back: the rest is what was sent (no jsonb read back and parsed again per row).
   */
  private async append(db: Prisma.TransactionClient, events: NewEvent[]): Promise<AppendedEvents> {
    const rows = await db.$queryRaw<{ id: bigint; createdAt: Date; deliveries: number }[]>`
      with lk as materialized (select pg_advisory_xact_lock(${EVENT_LOG_LOCK})),
      ins as (
        insert into "Event" ("host", "type", "virtualTimeNs", "data")
        select u.host, u.type, u.vt::bigint, u.data::jsonb
        from lk, unnest(
          ${events.map((e) => e.host)}::text[],
          ${events.map((e) => e.type)}::text[],
          ${events.map((e) => (e.virtualTimeNs === null ? null : e.virtualTimeNs.toString()))}::text[],
          ${events.map((e) => JSON.stringify(e.data))}::text[]
        ) with ordinality as u(host, type, vt, data, ord)
        order by u.ord
        returning "id", "host", "type", "createdAt"
      ),
      del as (
        insert into "WebhookDelivery"
          ("id", "webhookId", "eventId", "messageId", "status", "attempts", "nextAttemptAt", "createdAt", "updatedAt")
        select gen_random_uuid(), w."id", e."id", 'msg_' || replace(gen_random_uuid()::text, '-', ''),
               'pending', 0, now(), now(), now()
        from ins e
        join "Webhook" w on w."active"
          and (coalesce(cardinality(w."hosts"), 0) = 0 or e."host" = any(w."hosts"))
          and exists (
            select 1 from unnest(w."events") p
            where e."type" like replace(replace(replace(replace(p, '\\', '\\\\'), '%', '\\%'), '_', '\\_'), '*', '%')
          )
        where e."type" <> 'interrupts'
        order by e."id", w."createdAt"
        returning 1
      )
      select ins."id", ins."createdAt", (select count(*) from del)::int as "deliveries"
      from ins order by ins."id"`;
    if (rows.length !== events.length) {
      throw new Error(`event log: inserted ${rows.length} of ${events.length} rows`);
    }
    return {
      events: rows.map((row, i) => ({
        id: row.id,
        host: events[i].host,
        type: events[i].type,
        virtualTimeNs: events[i].virtualTimeNs,
        data: events[i].data as Prisma.JsonObject,
        createdAt: row.createdAt,
      })),
      deliveries: rows[0]?.deliveries ?? 0,
    };
  }

  async list(q: EventQuery): Promise<StoredEvent[]> {
    const where: Prisma.Sql[] = [];
    if (q.host !== undefined) where.push(Prisma.sql`"host" = ${q.host}`);
    if (q.after !== undefined) where.push(Prisma.sql`"id" > ${q.after}`);
    if (q.types?.length) {
      where.push(
        Prisma.sql`(${Prisma.join(
          q.types.map((g) => Prisma.sql`"type" like ${globToLike(g)}`),
          ' or ',
        )})`,
      );
    }
    if (q.sources?.length) {
      where.push(
        Prisma.sql`(${Prisma.join(
          q.sources.map((g) => Prisma.sql`"data"->>'source' like ${globToLike(g)}`),
          ' or ',
        )})`,
      );
    }
    const clause = where.length ? Prisma.sql`where ${Prisma.join(where, ' and ')}` : Prisma.empty;
    return this.prisma.$queryRaw<StoredEvent[]>`
      select "id", "host", "type", "virtualTimeNs", "data", "createdAt" from "Event"
      ${clause} order by "id" limit ${q.limit}`;
  }

  /**
   * Retention: deletes events older than `before` or beyond the newest `keep`, in batches, except
   * events a webhook delivery is still pending for (the outbox must not lose them). Deleting an
   * event deletes its finished deliveries and their attempt log (cascade).
   */
  async prune(before: Date, keep: number, batch = 5000): Promise<number> {
    const cut = await this.prisma.$queryRaw<{ id: bigint }[]>`
      select "id" from "Event" order by "id" desc offset ${keep} limit 1`;
    const maxId = cut[0]?.id ?? 0n;
    let total = 0;
    for (;;) {
      const n = await this.prisma.$executeRaw`
        delete from "Event" where "id" in (
          select e."id" from "Event" e
          where (e."createdAt" < ${before} or e."id" <= ${maxId})
            and not exists (
              select 1 from "WebhookDelivery" d where d."eventId" = e."id" and d."status" = 'pending')
          order by e."id" limit ${batch})`;
      total += n;
      if (n < batch) return total;
    }
  }
}
