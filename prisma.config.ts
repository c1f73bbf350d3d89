// Prisma CLI config. The server never reads this file: it passes DATABASE_URL (or the embedded
// Postgres URL) to the @prisma/adapter-pg driver adapter itself.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/ptlab' },
});
