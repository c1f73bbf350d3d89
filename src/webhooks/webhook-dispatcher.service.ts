// The delivery worker: leases due outbox rows (safe with several instances), POSTs them signed per
// Standard Webhooks, logs every attempt, retries on PTLAB_WEBHOOK_RETRY_SCHEDULE, and disables a
// webhook whose schedule is exhausted (recording a `webhook.disabled` event).
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { EventsService } from '../events/events.service';
import { OutboxSignal } from '../events/outbox-signal';
import { APP_CONFIG, type AppConfig } from '../infra/config/config';
import { packageVersion } from '../infra/paths';
import { sign } from './webhook-signature';
import {
  WebhooksRepository,
  type AttemptResult,
  type ClaimedDelivery,
} from './webhooks.repository';

const ERROR_BODY_CHARS = 300;

/** The JSON body of a delivery: the same bytes on every attempt. */
export function deliveryBody(
  d: Pick<ClaimedDelivery, 'eventId' | 'type' | 'host' | 'virtualTimeNs' | 'data' | 'eventTime'>,
): string {
  const data =
    typeof d.data === 'object' && d.data !== null ? (d.data as Record<string, unknown>) : {};
  return JSON.stringify({
    type: d.type,
    timestamp: d.eventTime.toISOString(),
    data: {
      ...data,
      eventId: d.eventId.toString(),
      host: d.host,
      virtualTimeNs: d.virtualTimeNs === null ? null : d.virtualTimeNs.toString(),
    },
  });
}

@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookDispatcher');
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly shutdown = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private pumping = false;
  private again = false;
  private stopped = true;
  private unlisten: (() => void) | undefined;
  private readonly version = packageVersion();

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly events: EventsService,
    private readonly outbox: OutboxSignal,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.webhooks.worker) return;
    this.stopped = false;
    this.unlisten = this.outbox.listen(() => this.kick());
    this.kick();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    clearTimeout(this.timer);
    // In-flight attempts are abandoned, not logged: their lease runs out and another instance (or
    // the next start) sends them again with the same webhook-id.
    this.shutdown.abort();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** A lease outlives the attempt's timeout, so a live worker never sees its own delivery re-leased. */
  private get leaseMs(): number {
    return 2 * this.config.webhooks.timeoutMs + 1000;
  }

  private kick(): void {
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pump(), ms);
    this.timer.unref();
  }

  private async pump(): Promise<void> {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    let next = this.config.webhooks.pollIntervalMs;
    try {
      const free = this.config.webhooks.concurrency - this.inFlight.size;
      if (free > 0) {
        const claimed = await this.repo.claim(free, this.leaseMs);
        for (const d of claimed) {
          const run = this.attempt(d).finally(() => {
            this.inFlight.delete(d.id);
            this.kick();
          });
          this.inFlight.set(d.id, run);
        }
        if (claimed.length === free) next = 0;
      }
    } catch (err) {
      if (!this.stopped) this.logger.warn(`outbox poll failed: ${message(err)}`);
    } finally {
      this.pumping = false;
    }
    if (this.again) {
      this.again = false;
      next = 0;
    }
    this.schedule(next);
  }

  private async attempt(d: ClaimedDelivery): Promise<void> {
    const result = await this.send(d);
    if (!result) return; // shutting down
    const schedule = this.config.webhooks.retryScheduleMs;
    const done = d.attempts + 1;
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const status = ok ? 'delivered' : done > schedule.length ? 'failed' : 'pending';
    const nextAttemptAt = status === 'pending' ? new Date(Date.now() + schedule[done - 1]) : null;
    try {
      await this.repo.complete(d.id, result, { status, nextAttemptAt });
      if (status === 'failed') await this.disable(d, result);
    } catch (err) {
      // E.g. the webhook was deleted meanwhile; otherwise the lease runs out and it is retried.
      this.logger.warn(`delivery ${d.id}: could not record attempt: ${message(err)}`);
    }
  }

  private async send(d: ClaimedDelivery): Promise<AttemptResult | undefined> {
    const body = deliveryBody(d);
    const timestamp = Math.floor(Date.now() / 1000);
    const started = performance.now();
    const timeoutMs = this.config.webhooks.timeoutMs;
    const took = (): number => Math.round(performance.now() - started);
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/json',
          'user-agent': `ptlab/${this.version}`,
          'webhook-id': d.messageId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': sign(d.secret, d.messageId, timestamp, body),
        },
        body,
        signal: AbortSignal.any([timeout, this.shutdown.signal]),
      });
      const text = await res.text();
      const ok = res.status >= 200 && res.status < 300;
      return {
        statusCode: res.status,
        error: ok
          ? null
          : `HTTP ${res.status}${text ? `: ${text.slice(0, ERROR_BODY_CHARS)}` : ''}`,
        durationMs: took(),
      };
    } catch (err) {
      if (this.shutdown.signal.aborted) return undefined;
      return {
        statusCode: null,
        error: timeout.aborted ? `timed out after ${timeoutMs} ms` : networkError(err),
        durationMs: took(),
      };
    }
  }

  private async disable(d: ClaimedDelivery, last: AttemptResult): Promise<void> {
    const attempts = this.config.webhooks.retryScheduleMs.length + 1;
    const reason = `${attempts} attempts of delivery ${d.id} failed; last: ${last.error ?? 'no answer'}`;
    if (!(await this.repo.disable(d.webhookId, reason))) return;
    this.logger.warn(`webhook ${d.webhookId} disabled: ${reason}`);
    await this.events.record([
      {
        host: null,
        type: 'webhook.disabled',
        data: {
          webhookId: d.webhookId,
          url: d.url,
          deliveryId: d.id,
          messageId: d.messageId,
          reason,
        },
      },
    ]);
  }
}

function message(err: unknown): string {
  return typeof err === 'object' && err !== null && 'message' in err
    ? String(err.message)
    : String(err);
}

function networkError(err: unknown): string {
  const cause =
    typeof err === 'object' && err !== null && 'cause' in err && err.cause
      ? message(err.cause)
      : undefined;
  return cause ? `${message(err)}: ${cause}` : message(err);
}
