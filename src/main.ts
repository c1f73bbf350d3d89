// Server start-up: config → database (embedded Postgres unless DATABASE_URL) → migrations → Nest on
// Fastify → listen; SIGTERM/SIGINT drain HTTP and websockets, close Prisma, stop the embedded Postgres.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import './infra/errors/engine-errors';
import { AppConfig, ConfigError, loadConfig } from './infra/config/config';
import { EmbeddedDatabase } from './infra/database/embedded-postgres';
import { applyMigrations } from './infra/database/migrations';
import { packageVersion } from './infra/paths';

export interface CreateAppOptions {
  config: AppConfig;
  databaseUrl: string;
}

/** Builds the Nest application (not listening). Tests call this with their own database. */
export async function createApp({
  config,
  databaseUrl,
}: CreateAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimit,
    forceCloseConnections: 'idle',
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, databaseUrl }),
    adapter,
    {
      bufferLogs: true,
    },
  );
  app.useLogger(app.get(Logger));
  // libvirt XML and xl.cfg bodies arrive as text.
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addContentTypeParser(
    ['application/xml', 'text/xml', 'text/plain', 'text/x-xl-config'],
    { parseAs: 'string', bodyLimit: config.bodyLimit },
    (_req, body, done) => done(null, body),
  );
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('ptlab')
      .setDescription(
        'PCI passthrough lab: a libvirt-like API over emulated Xen/KVM hosts. Errors are RFC 9457 application/problem+json.',
      )
      .setVersion(packageVersion())
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}

export function urls(
  config: AppConfig,
  port: number,
): { rest: string; graphql: string; openapi: string } {
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const base = `http://${host}:${port}`;
  return { rest: `${base}/api/v1`, graphql: `${base}/graphql`, openapi: `${base}/api/docs` };
}

export async function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`ptlab: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const say = (line: string): void => {
    if (config.logLevel !== 'silent') process.stderr.write(`ptlab: ${line}\n`);
  };
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = new EmbeddedDatabase({
      dataDir: config.dataDir,
      port: config.embeddedDbPort,
      log: config.logLevel === 'debug' || config.logLevel === 'trace' ? say : undefined,
    });
    say(`starting embedded Postgres in ${config.dataDir}/postgres (port ${config.embeddedDbPort})`);
    databaseUrl = await embedded.start();
  }
  let app: NestFastifyApplication | undefined;
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: shutting down`);
    try {
      await app?.close();
    } finally {
      await embedded?.stop();
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  try {
    await applyMigrations(databaseUrl);
    app = await createApp({ config, databaseUrl });
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    process.stderr.write(
      `ptlab: failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    await app?.close().catch(() => undefined);
    await embedded?.stop();
    process.exit(1);
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const u = urls(config, port);
  process.stdout.write(
    `ptlab ${packageVersion()} listening\n  REST     ${u.rest}\n  GraphQL  ${u.graphql}\n  OpenAPI  ${u.openapi}\n`,
  );
}
