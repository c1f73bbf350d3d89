import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../../generated/prisma/client';

export const DATABASE_URL = Symbol('DATABASE_URL');

/** The one Prisma client. Only *.repository.ts files inject it (STYLE.md). */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  readonly databaseUrl: string;
  /**
   * The connection pool under Prisma's adapter, for the rare statement whose per-query Prisma
   * work matters (EventsRepository's group commit of log lines, hundreds per second).
   */
  readonly pool: pg.Pool;

  constructor(@Inject(DATABASE_URL) databaseUrl: string) {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 20 });
    // An idle connection the server ends (Postgres shutting down, an administrator's
    // pg_terminate_backend) is dropped from the pool by pg; the next query opens another. Without a
    // listener the pool's 'error' event would end the process (Prisma's adapter listens only
    // while it is connected).
    pool.on('error', () => undefined);
    super({ adapter: new PrismaPg(pool) });
    this.databaseUrl = databaseUrl;
    this.pool = pool;
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
    await this.pool.end();
  }
}
