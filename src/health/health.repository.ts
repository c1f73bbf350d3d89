import { Injectable } from '@nestjs/common';
import { PrismaService } from '../infra/database/prisma.service';
import { migrationNames } from '../infra/database/migrations';

@Injectable()
export class HealthRepository {
  constructor(private readonly prisma: PrismaService) {}

  async ping(): Promise<void> {
    await this.prisma.$queryRaw`select 1`;
  }

  /** Migrations in prisma/migrations that the database has not (successfully) applied. */
  async pendingMigrations(): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ migration_name: string }[]>`
      select migration_name from _prisma_migrations where finished_at is not null and rolled_back_at is null`;
    const applied = new Set(rows.map((r) => r.migration_name));
    return migrationNames().filter((n) => !applied.has(n));
  }
}
