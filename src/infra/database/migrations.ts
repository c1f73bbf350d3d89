// Applies prisma/migrations through scripts/db-migrate.mjs (the Prisma schema engine as WebAssembly,
// in a child process: its bindings are ESM that Jest's module system cannot load in-process).
import { execFile } from 'child_process';
import { readdirSync } from 'fs';
import { join } from 'path';
import { Client } from 'pg';
import { packageRoot } from '../paths';

export async function applyMigrations(databaseUrl: string): Promise<void> {
  const script = join(packageRoot(), 'scripts', 'db-migrate.mjs');
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      [script, 'deploy', '--quiet'],
      { env: { ...process.env, DATABASE_URL: databaseUrl }, cwd: packageRoot() },
      (err, _stdout, stderr) =>
        err ? reject(new Error(`migrations failed: ${stderr || err.message}`)) : resolve(),
    );
  });
}

export function migrationNames(): string[] {
  return readdirSync(join(packageRoot(), 'prisma', 'migrations'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** Migrations in prisma/migrations not (successfully) recorded in _prisma_migrations. */
export async function pendingMigrations(client: Pick<Client, 'query'>): Promise<string[]> {
  const exists = await client.query<{ t: string | null }>(
    `select to_regclass('_prisma_migrations') as t`,
  );
  const applied = new Set<string>();
  if (exists.rows[0]?.t) {
    const res = await client.query<{ migration_name: string }>(
      'select migration_name from _prisma_migrations where finished_at is not null and rolled_back_at is null',
    );
    for (const r of res.rows) applied.add(r.migration_name);
  }
  return migrationNames().filter((n) => !applied.has(n));
}
