// Writes the SDL the server serves, sorted, to src/schema.graphql (`ptlab schema`, `npm run schema:write`).
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { join } from 'path';
import { AppModule } from '../app.module';
import { loadConfig } from '../infra/config/config';
import { packageRoot } from '../infra/paths';

export const SCHEMA_PATH = (): string => join(packageRoot(), 'src', 'schema.graphql');

/** The sorted SDL of the application's GraphQL schema. Connects to no database (Prisma is lazy). */
export async function buildSchemaSdl(): Promise<string> {
  const base = loadConfig({ LOG_LEVEL: 'silent', PTLAB_WEBHOOK_WORKER: 'off' });
  const config = { ...base, hosts: { ...base.hosts, restoreOnBoot: false, tickMs: 0 } };
  const app = await NestFactory.create(
    AppModule.forRoot({ config, databaseUrl: 'postgresql://schema-only@127.0.0.1:1/none' }),
    new FastifyAdapter(),
    { logger: false },
  );
  try {
    await app.init();
    const { schema } = app.get(GraphQLSchemaHost);
    return `${printSchema(lexicographicSortSchema(schema))}\n`;
  } finally {
    await app.close();
  }
}

export async function writeSchema({ check }: { check: boolean }): Promise<{ upToDate: boolean }> {
  const sdl = await buildSchemaSdl();
  const path = SCHEMA_PATH();
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (current === sdl) return { upToDate: true };
  if (!check) writeFileSync(path, sdl);
  return { upToDate: false };
}
