// The event log and the webhook outbox rows written with it. The only Prisma in src/events.
import { Injectable } from '@nestjs/common';
import { Prisma, type Event } from '../generated/prisma/client';
import { PrismaService } from '../infra/database/prisma.service';
import { globToLike } from './glob';

/** Serialises event-log writers (all instances): ids become visible in id order, so a reader paging
 * with `after=<cursor>` never skips an event that commits late with a smaller id. */
const EVENT_LOG_LOCK = 0x70746c6162657631n.toString(); // "ptlabev1"

/**
 * One statement: take the event-log lock (until the transaction ends), insert the events from one
 * JSON array parameter (`[host, type, virtualTimeNs, data]` per event; ids follow the array order),
 * and insert their outbox rows from the inserted rows. One row comes back: the id range
 * (contiguous under the lock, as no other writer draws ids meanwhile; the list itself only if
 * not), the commit time (epoch ms; the column holds UTC without a zone) and the outbox count. No
 * per-row parameters or results to serialise and parse: at thousands of log lines per second
 * those dominated. $1: the lock key, $2: the JSON.
 */
const APPEND_SQL = `
  with lk as materialized (select pg_advisory_xact_lock($1::bigint)),
  ins as (
    insert into "Event" ("host", "type", "virtualTimeNs", "data")
    select u.e->>0, u.e->>1, (u.e->>2)::bigint, (u.e->3)::jsonb
    from lk, json_array_elements($2::json) with ordinality as u(e, ord)
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
  select min("id")::text as "first", count(*)::int as "n",
         (extract(epoch from min("createdAt")) * 1000)::float8 as "createdMs",
         (select count(*) from del)::int as "deliveries",
         case when max("id") - min("id") + 1 = count(*) then null
              else array_agg("id" order by "id")::text[] end as "ids"
  from ins`;

interface AppendResult {
  first: string | null;
  n: number;
  createdMs: number | null;
  deliveries: number;
  ids: string[] | null;
}

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
    // Straight through the pool (its own transaction: one statement): this is the log lines' path.
    return this.append(events, async (payload) => {
      const r = await this.prisma.pool.query<AppendResult>(APPEND_SQL, [EVENT_LOG_LOCK, payload]);
      return r.rows[0];
    });
  }

  /**
   * The same, inside a transaction the caller owns (e.g. a host's journal commit: the command, its
   * config changes, its events and their outbox rows become durable together or not at all). Call
   * it last in the transaction: it takes the event-log lock, held until the commit.
   */
  async appendWithin(tx: Prisma.TransactionClient, events: NewEvent[]): Promise<AppendedEvents> {
    if (events.length === 0) return { events: [], deliveries: 0 };
    return this.append(events, async (payload) => {
      const rows = await tx.$queryRawUnsafe<AppendResult[]>(APPEND_SQL, EVENT_LOG_LOCK, payload);
      return rows[0];
    });
  }

  /** Runs APPEND_SQL through `run` and gives every event its id and commit time. */
  private async append(
    events: NewEvent[],
    run: (payload: string) => Promise<AppendResult | undefined>,
  ): Promise<AppendedEvents> {
    const payload = JSON.stringify(
      events.map((e) => [
        e.host,
        e.type,
        e.virtualTimeNs === null ? null : e.virtualTimeNs.toString(),
        e.data,
      ]),
    );
    const r = await run(payload);
    if (!r || r.n !== events.length || r.first === null || r.createdMs === null) {
      throw new Error(`event log: inserted ${r?.n ?? 0} of ${events.length} rows`);
    }
    const first = BigInt(r.first);
    const createdAt = new Date(r.createdMs);
    const ids = r.ids;
    return {
      events: events.map((e, i) => ({
        id: ids ? BigInt(ids[i]) : first + BigInt(i),
        host: e.host,
        type: e.type,
        virtualTimeNs: e.virtualTimeNs,
        data: e.data as Prisma.JsonObject,
        createdAt,
      })),
      deliveries: r.deliveries,
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
