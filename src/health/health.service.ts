import { Injectable } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { HealthCheckResult } from '@nestjs/terminus';
import { HealthRepository } from './health.repository';

@Injectable()
export class HealthService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly repo: HealthRepository,
  ) {}

  /** Liveness: the process serves requests. */
  liveness(): Promise<HealthCheckResult> {
    return this.health.check([
      async () => this.indicators.check('process').up({ uptimeSec: Math.round(process.uptime()) }),
    ]);
  }

  /** Readiness: the database answers and every migration is applied. */
  readiness(): Promise<HealthCheckResult> {
    return this.health.check([
      async () => {
        const db = this.indicators.check('database');
        try {
          await this.repo.ping();
          return db.up();
        } catch (err) {
          return db.down({ message: err instanceof Error ? err.message : String(err) });
        }
      },
      async () => {
        const m = this.indicators.check('migrations');
        try {
          const pending = await this.repo.pendingMigrations();
          return pending.length === 0 ? m.up() : m.down({ pending });
        } catch (err) {
          return m.down({ message: err instanceof Error ? err.message : String(err) });
        }
      },
    ]);
  }
}
