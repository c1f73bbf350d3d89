// Webhooks, the outbox (WebhookDelivery) and the attempt log. The only Prisma in src/webhooks.
import { Injectable } from '@nestjs/common';
import type { Webhook, WebhookAttempt, WebhookDelivery } from '../generated/prisma/client';
import { PrismaService } from '../infra/database/prisma.service';

export type WebhookRow = Webhook;
export type DeliveryRow = WebhookDelivery & {
  attemptLog: WebhookAttempt[];
  event: { type: string };
};

export interface WebhookFields {
  url: string;
  events: string[];
  hosts: string[];
  secret: string;
  active: boolean;
}

/** A delivery the worker leased, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  messageId: string;
  attempts: number;
  url: string;
  secret: string;
  eventId: bigint;
  type: string;
  host: string | null;
  virtualTimeNs: bigint | null;
  data: unknown;
  eventTime: Date;
}

export interface AttemptResult {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

@Injectable()
export class WebhooksRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(fields: WebhookFields): Promise<WebhookRow> {
    return this.prisma.webhook.create({ data: fields });
  }

  list(): Promise<WebhookRow[]> {
    return this.prisma.webhook.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  get(id: string): Promise<WebhookRow | null> {
    return this.prisma.webhook.findUnique({ where: { id } });
  }

  async update(
    id: string,
    patch: Partial<WebhookFields> & { disabledReason?: string | null },
  ): Promise<WebhookRow | null> {
    const n = await this.prisma.webhook.updateMany({ where: { id }, data: patch });
    return n.count ? this.get(id) : null;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.prisma.webhook.deleteMany({ where: { id } })).count > 0;
  }

  /** Marks an active webhook disabled; false when it was not active (someone else did it). */
  async disable(id: string, reason: string): Promise<boolean> {
    const n = await this.prisma.webhook.updateMany({
      where: { id, active: true },
      data: { active: false, disabledReason: reason },
    });
    return n.count > 0;
  }

  deliveries(webhookId: string, after: string | undefined, limit: number): Promise<DeliveryRow[]> {
    return this.prisma.webhookDelivery.findMany({
      where: { webhookId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      include: { attemptLog: { orderBy: { attempt: 'asc' } }, event: { select: { type: true } } },
      take: limit,
      ...(after ? { cursor: { id: after }, skip: 1 } : {}),
    });
  }

  delivery(webhookId: string, id: string): Promise<DeliveryRow | null> {
    return this.prisma.webhookDelivery.findFirst({
      where: { id, webhookId },
      include: { attemptLog: { orderBy: { attempt: 'asc' } }, event: { select: { type: true } } },
    });
  }

  /** Schedules a delivery again, now, with a fresh retry schedule; same messageId. */
  async redeliver(webhookId: string, id: string): Promise<boolean> {
    const n = await this.prisma.webhookDelivery.updateMany({
      where: { id, webhookId },
      data: { status: 'pending', attempts: 0, nextAttemptAt: new Date() },
    });
    return n.count > 0;
  }

  /**
   * Leases up to `limit` due deliveries of active webhooks (FOR UPDATE SKIP LOCKED: safe with any
   * number of instances) by pushing their nextAttemptAt `leaseMs` ahead; a worker that dies
   * mid-attempt leaves them to be retried when the lease runs out, with the same messageId.
   */
  claim(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    return this.prisma.$queryRaw<ClaimedDelivery[]>`
      with due as (
        select d."id" from "WebhookDelivery" d
        join "Webhook" w on w."id" = d."webhookId" and w."active"
        where d."status" = 'pending' and d."nextAttemptAt" <= now()
        order by d."nextAttemptAt", d."createdAt"
        limit ${limit}
        for update of d skip locked
      ), leased as (
        update "WebhookDelivery" d
        set "nextAttemptAt" = now() + make_interval(secs => ${leaseMs / 1000}), "updatedAt" = now()
        from due where d."id" = due."id"
        returning d."id", d."webhookId", d."messageId", d."attempts", d."eventId"
      )
      select l."id", l."webhookId", l."messageId", l."attempts", w."url", w."secret",
             e."id" as "eventId", e."type", e."host", e."virtualTimeNs", e."data", e."createdAt" as "eventTime"
      from leased l
      join "Webhook" w on w."id" = l."webhookId"
      join "Event" e on e."id" = l."eventId"`;
  }

  /** Appends the attempt to the log and moves the delivery on, in one transaction. */
  async complete(
    id: string,
    result: AttemptResult,
    next: { status: 'pending' | 'delivered' | 'failed'; nextAttemptAt: Date | null },
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const done = await tx.webhookAttempt.count({ where: { deliveryId: id } });
      await tx.webhookAttempt.create({
        data: { deliveryId: id, attempt: done + 1, ...result },
      });
      await tx.webhookDelivery.update({
        where: { id },
        data: {
          status: next.status,
          nextAttemptAt: next.nextAttemptAt,
          attempts: { increment: 1 },
          lastStatusCode: result.statusCode,
          lastError: result.error,
        },
      });
    });
  }
}
