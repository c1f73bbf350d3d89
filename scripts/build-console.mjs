#!/usr/bin/env node
// Builds the GraphQL console (GraphiQL + React + graphql-ws, from npm, no CDN) into dist/console/
// with esbuild: index.html, graphiql.js, graphiql.css. Run by `npm run build` and `npm install`.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'console');
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { graphiql: join(root, 'src', 'console', 'client', 'main.js') },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  platform: 'browser',
  legalComments: 'linked',
  define: { 'process.env.NODE_ENV': '"production"' },
  loader: {
    '.woff': 'file',
    '.woff2': 'file',
    '.ttf': 'file',
    '.svg': 'dataurl',
    '.png': 'dataurl',
  },
  logLevel: 'warning',
});

writeFileSync(
  join(out, 'index.html'),
  `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>ptlab — GraphQL console</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/graphiql/graphiql.css" />
    <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
  </head>
  <body>
    <div id="graphiql">Loading the GraphQL console…</div>
    <script src="/graphiql/graphiql.js"></script>
  </body>
</html>
`,
);
process.stdout.write(`console built in ${out}\n`);
