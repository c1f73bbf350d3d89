// Event-log retention (age and count, PTLAB_EVENTS_RETENTION_*), enforced by a background timer that
// does not keep the process alive and stops with the application.
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../infra/config/config';
import { EventsRepository } from './events.repository';

@Injectable()
export class EventsRetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('EventsRetention');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly repo: EventsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.events.retentionIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass; returns how many events were deleted (0 when a pass is already running). */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    const { retentionAgeMs, retentionCount } = this.config.events;
    this.running = this.repo.prune(new Date(Date.now() - retentionAgeMs), retentionCount);
    try {
      const n = await this.running;
      if (n > 0) this.logger.debug(`deleted ${n} event(s) past retention`);
      return n;
    } catch (err) {
      this.logger.warn(
        `retention pass failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      return 0;
    } finally {
      this.running = undefined;
    }
  }
}
