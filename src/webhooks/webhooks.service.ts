// Webhook subscriptions (CRUD), their delivery log, and redelivery.
import { Injectable } from '@nestjs/common';
import { AppError } from '../infra/errors/app-error';
import type { CreateWebhookInput, UpdateWebhookInput } from './dto/webhook.dto';
import { generateSecret, secretKey } from './webhook-signature';
import {
  CreatedWebhookView,
  WebhookDeliveryConnection,
  WebhookDeliveryPage,
  WebhookDeliveryView,
  WebhookView,
} from './webhooks.models';
import { WebhooksRepository, type DeliveryRow, type WebhookRow } from './webhooks.repository';
import { OutboxSignal } from '../events/outbox-signal';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toView(w: WebhookRow): WebhookView {
  return {
    id: w.id,
    url: w.url,
    events: w.events,
    hosts: w.hosts,
    active: w.active,
    disabledReason: w.disabledReason,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
  };
}

function toDeliveryView(d: DeliveryRow): WebhookDeliveryView {
  return {
    id: d.id,
    webhookId: d.webhookId,
    eventId: d.eventId.toString(),
    type: d.event.type,
    messageId: d.messageId,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    createdAt: d.createdAt,
    attemptLog: d.attemptLog.map((a) => ({
      attempt: a.attempt,
      statusCode: a.statusCode,
      error: a.error,
      durationMs: a.durationMs,
      at: a.createdAt,
    })),
  };
}

function checkSecret(secret: string): string {
  if (!secretKey(secret)) {
    throw new AppError(
      'validation-failed',
      'secret must be whsec_ followed by the base64 of 24..64 key bytes',
    );
  }
  return secret;
}

function checkEvents(events: string[]): string[] {
  if (events.includes('interrupts')) {
    throw new AppError(
      'validation-failed',
      'interrupt counters are never sent to webhooks; subscribe to `interrupts` over GraphQL instead',
    );
  }
  return [...new Set(events)];
}

@Injectable()
export class WebhooksService {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly outbox: OutboxSignal,
  ) {}

  async create(input: CreateWebhookInput): Promise<CreatedWebhookView> {
    const secret = input.secret === undefined ? generateSecret() : checkSecret(input.secret);
    const row = await this.repo.create({
      url: input.url,
      events: checkEvents(input.events),
      hosts: [...new Set(input.hosts ?? [])],
      secret,
      active: input.active ?? true,
    });
    return { ...toView(row), secret };
  }

  async list(): Promise<WebhookView[]> {
    return (await this.repo.list()).map(toView);
  }

  async get(id: string): Promise<WebhookView> {
    return toView(await this.row(id));
  }

  async update(id: string, input: UpdateWebhookInput): Promise<WebhookView> {
    await this.row(id);
    const row = await this.repo.update(id, {
      url: input.url,
      events: input.events === undefined ? undefined : checkEvents(input.events),
      hosts: input.hosts === undefined ? undefined : [...new Set(input.hosts)],
      secret: input.secret === undefined ? undefined : checkSecret(input.secret),
      active: input.active,
      ...(input.active === true ? { disabledReason: null } : {}),
    });
    if (!row) throw notFound(id);
    if (input.active === true) this.outbox.notify();
    return toView(row);
  }

  async delete(id: string): Promise<boolean> {
    if (!UUID.test(id) || !(await this.repo.delete(id))) throw notFound(id);
    return true;
  }

  async deliveries(webhookId: string, after?: string, limit = 100): Promise<WebhookDeliveryPage> {
    await this.row(webhookId);
    if (after !== undefined && !(await this.repo.delivery(webhookId, after))) {
      throw new AppError(
        'validation-failed',
        `after: no delivery ${after} for webhook ${webhookId}`,
      );
    }
    const rows = await this.repo.deliveries(webhookId, after, limit + 1);
    const items = rows.slice(0, limit).map(toDeliveryView);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  async deliveryConnection(
    webhookId: string,
    after?: string,
    first?: number,
  ): Promise<WebhookDeliveryConnection> {
    const page = await this.deliveries(webhookId, after, first);
    return {
      edges: page.items.map((node) => ({ cursor: node.id, node })),
      pageInfo: {
        hasNextPage: page.nextCursor !== null,
        endCursor: page.items.length ? page.items[page.items.length - 1].id : null,
      },
    };
  }

  /** Sends the delivery again now (same `webhook-id`), with a fresh retry schedule. */
  async redeliver(webhookId: string, deliveryId: string): Promise<WebhookDeliveryView> {
    const hook = await this.row(webhookId);
    if (!hook.active) {
      throw new AppError('conflict', `webhook ${webhookId} is disabled; set active: true first`);
    }
    if (!UUID.test(deliveryId) || !(await this.repo.redeliver(webhookId, deliveryId))) {
      throw new AppError('not-found', `webhook ${webhookId} has no delivery ${deliveryId}`);
    }
    this.outbox.notify();
    const row = await this.repo.delivery(webhookId, deliveryId);
    if (!row) throw new AppError('not-found', `webhook ${webhookId} has no delivery ${deliveryId}`);
    return toDeliveryView(row);
  }

  private async row(id: string): Promise<WebhookRow> {
    const row = UUID.test(id) ? await this.repo.get(id) : null;
    if (!row) throw notFound(id);
    return row;
  }
}

function notFound(id: string): AppError {
  return new AppError('not-found', `no webhook ${id}`);
}
