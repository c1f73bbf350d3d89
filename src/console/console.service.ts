// GET /graphql from a browser (Accept: text/html, no query) opens the GraphQL console: GraphiQL from
// the project's own bundle in dist/console (scripts/build-console.mjs), assets under /graphiql/.
// Everything else on /graphql (POST, GET with ?query=, websockets) stays with Apollo / graphql-ws.
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { packageRoot } from '../infra/paths';

export const CONSOLE_PATH = '/graphql';
export const ASSETS_PREFIX = '/graphiql/';

export function consoleDir(): string {
  return join(packageRoot(), 'dist', 'console');
}

/** A browser navigation: HTML preferred, and no GraphQL operation in the query string. */
export function wantsConsole(req: Pick<FastifyRequest, 'method' | 'url' | 'headers'>): boolean {
  if (req.method !== 'GET') return false;
  const [path, search = ''] = req.url.split('?', 2);
  if (path !== CONSOLE_PATH && path !== `${CONSOLE_PATH}/`) return false;
  if (new URLSearchParams(search).has('query')) return false;
  const accept = req.headers.accept ?? '';
  return /\btext\/html\b/.test(accept) && req.headers.upgrade === undefined;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>ptlab — console not built</title>
<p>The GraphQL console is not built. Run <code>npm run build</code> (npm install does it too).</p>`;

@Injectable()
export class ConsoleService implements OnModuleInit {
  private readonly logger = new Logger('Console');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    const dir = consoleDir();
    const built = existsSync(join(dir, 'index.html'));
    if (!built) this.logger.warn(`GraphQL console not built (${dir}); run npm run build`);
    const html = built ? readFileSync(join(dir, 'index.html')) : undefined;
    if (built) {
      void fastify.register(fastifyStatic, {
        root: dir,
        prefix: ASSETS_PREFIX,
        index: false,
        maxAge: '1h',
        decorateReply: false,
      });
    }
    fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
      if (!wantsConsole(req)) return done();
      void reply
        .status(html ? 200 : 503)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(html ?? NOT_BUILT);
    });
  }
}
