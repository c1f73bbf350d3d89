// Boots the real application on a database of its own (cloned from the migrated template).
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig, type AppConfig } from '../../../src/infra/config/config';
import { createApp } from '../../../src/main';

let counter = 0;

export function pgUrl(database: string): string {
  const port = process.env.PTLAB_TEST_PG_PORT;
  if (!port)
    throw new Error('PTLAB_TEST_PG_PORT is unset: run e2e tests through jest (global-setup.ts)');
  return `postgresql://ptlab:ptlab@127.0.0.1:${port}/${database}`;
}

/** A fresh, migrated database for one test file. */
export async function createTestDatabase(prefix = 'e2e'): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`.toLowerCase();
  const admin = new Client({ connectionString: pgUrl('postgres') });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template ptlab_template`);
  } finally {
    await admin.end();
  }
  return { name, url: pgUrl(name) };
}

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  wsUrl: string;
  databaseUrl: string;
  config: AppConfig;
  close: () => Promise<void>;
  /** fetch() relative to the app. */
  http: (path: string, init?: RequestInit) => Promise<Response>;
  gql: <T = unknown>(
    query: string,
    variables?: Record<string, unknown>,
  ) => Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  ws: () => WsClient;
}

export async function startTestApp(
  env: Record<string, string> = {},
  databaseUrl?: string,
): Promise<TestApp> {
  const url = databaseUrl ?? (await createTestDatabase()).url;
  const config = loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test', ...env });
  const app = await createApp({ config, databaseUrl: url });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.getHttpServer().address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  const clients: WsClient[] = [];
  return {
    app,
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    databaseUrl: url,
    config,
    close: async () => {
      for (const c of clients) await c.dispose();
      await app.close();
    },
    http: (path, init) => fetch(`${baseUrl}${path}`, init),
    gql: async (query, variables) => {
      const res = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return res.json() as Promise<never>;
    },
    ws: () => {
      const client = createClient({
        url: `ws://127.0.0.1:${port}/graphql`,
        webSocketImpl: WebSocket,
        lazy: true,
        retryAttempts: 0,
      });
      clients.push(client);
      return client;
    },
  };
}

/** Collects the first `count` results of a subscription. */
export function take<T>(
  client: WsClient,
  query: string,
  variables: Record<string, unknown>,
  count: number,
  timeoutMs = 5000,
): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const results: T[] = [];
    const timer = setTimeout(() => {
      dispose();
      reject(new Error(`timed out after ${timeoutMs} ms with ${results.length}/${count} results`));
    }, timeoutMs);
    const dispose = client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) {
            clearTimeout(timer);
            dispose();
            reject(new Error(JSON.stringify(value.errors)));
            return;
          }
          results.push(value.data as T);
          if (results.length >= count) {
            clearTimeout(timer);
            dispose();
            resolve(results);
          }
        },
        error: (err) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
        },
        complete: () => undefined,
      },
    );
  });
}
