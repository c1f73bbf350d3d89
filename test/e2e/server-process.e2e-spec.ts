// The two commands of the README, as a user runs them: the real server process on the embedded
// Postgres (no DATABASE_URL), stopped by signals, started again on the same data; and on DATABASE_URL.
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from 'pg';
import { createTestDatabase } from './support/app';
import { freePort } from './support/ports';
import {
  postgresProcessesFor,
  startServer,
  waitFor,
  waitForStatus,
} from './support/server-process';

jest.setTimeout(120000);

describe('the server process (npm start)', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ptlab-start-'));
    chmodSync(dataDir, 0o755);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts on an embedded Postgres, answers /health and /ready, and SIGTERM leaves no Postgres behind; a second start reuses the data', async () => {
    const port = await freePort();
    const dbPort = await freePort();
    const env = { PORT: String(port), PTLAB_DATA_DIR: dataDir, PTLAB_DB_PORT: String(dbPort) };

    const first = startServer(env);
    await waitForStatus(`http://127.0.0.1:${port}/health`, 200);
    await waitForStatus(`http://127.0.0.1:${port}/ready`, 200);
    expect(first.stdout()).toContain(`REST     http://127.0.0.1:${port}/api/v1`);
    expect(first.stdout()).toContain(`GraphQL  http://127.0.0.1:${port}/graphql`);
    expect(first.stdout()).toContain(`OpenAPI  http://127.0.0.1:${port}/api/docs`);
    const cluster = join(dataDir, 'postgres');
    expect(existsSync(join(cluster, 'PG_VERSION'))).toBe(true);
    expect(postgresProcessesFor(cluster).length).toBe(1);

    const client = new Client({
      connectionString: `postgresql://ptlab:ptlab@127.0.0.1:${dbPort}/ptlab`,
    });
    await client.connect();
    await client.query('create table reuse_marker (v text)');
    await client.query(`insert into reuse_marker values ('kept')`);
    await client.end();

    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(postgresProcessesFor(cluster)).toEqual([]);

    const second = startServer(env);
    await waitForStatus(`http://127.0.0.1:${port}/ready`, 200);
    const again = new Client({
      connectionString: `postgresql://ptlab:ptlab@127.0.0.1:${dbPort}/ptlab`,
    });
    await again.connect();
    const rows = await again.query<{ v: string }>('select v from reuse_marker');
    await again.end();
    expect(rows.rows).toEqual([{ v: 'kept' }]);

    second.child.kill('SIGINT');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(postgresProcessesFor(cluster)).toEqual([]);
  });

  it('starts again after SIGKILL, shutting down the Postgres the killed server left running', async () => {
    const port = await freePort();
    const dbPort = await freePort();
    const env = { PORT: String(port), PTLAB_DATA_DIR: dataDir, PTLAB_DB_PORT: String(dbPort) };
    const cluster = join(dataDir, 'postgres');
    const killed = startServer(env);
    await waitForStatus(`http://127.0.0.1:${port}/ready`, 200);
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(postgresProcessesFor(cluster).length).toBe(1); // orphaned, still running

    const next = startServer(env);
    await waitForStatus(`http://127.0.0.1:${port}/ready`, 200);
    next.child.kill('SIGTERM');
    expect((await next.exited).code).toBe(0);
    expect(postgresProcessesFor(cluster)).toEqual([]);
  });

  it('uses DATABASE_URL instead of the embedded Postgres when it is set', async () => {
    const port = await freePort();
    const other = mkdtempSync(join(tmpdir(), 'ptlab-ext-'));
    const { url } = await createTestDatabase('dburl');
    const server = startServer({ PORT: String(port), PTLAB_DATA_DIR: other, DATABASE_URL: url });
    try {
      await waitForStatus(`http://127.0.0.1:${port}/ready`, 200);
      expect(existsSync(join(other, 'postgres'))).toBe(false);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(other, { recursive: true, force: true });
    }
  });

  it.each([
    [{ PORT: 'eighty' }, /invalid PORT: 'eighty' is not an integer/],
    [{ DATABASE_URL: 'mysql://db/x' }, /invalid DATABASE_URL/],
    [{ LOG_FORMAT: 'xml' }, /invalid LOG_FORMAT/],
  ])('exits with a clear message naming the variable for %o', async (env, message) => {
    const server = startServer(env);
    const { code } = await waitFor(async () => server.exited, 30000, 'exit');
    expect(code).toBe(78);
    expect(server.stderr()).toMatch(message);
  });
});
