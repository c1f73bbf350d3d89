import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../generated/prisma/client';

export const DATABASE_URL = Symbol('DATABASE_URL');

/** The one Prisma client. Only *.repository.ts files inject it (STYLE.md). */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(DATABASE_URL) readonly databaseUrl: string) {
    super({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 20 }) });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
