// One validated config object (STYLE.md: immich's getEnv()). process.env is read here and nowhere else.
import { isAbsolute, resolve } from 'path';

export type LogFormat = 'json' | 'pretty';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface AppConfig {
  nodeEnv: 'production' | 'development' | 'test';
  port: number;
  host: string;
  /** External Postgres; when undefined the server runs an embedded Postgres under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Port of the embedded Postgres (only used when databaseUrl is undefined). */
  embeddedDbPort: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** Event log, subscriptions (src/events). */
  events: EventsConfig;
  /** Webhook delivery (src/webhooks). */
  webhooks: WebhooksConfig;
  /** The live emulated hosts (src/hosts). */
  hosts: HostsConfig;
}

export interface HostsConfig {
  /** How often running host clocks advance to the wall clock (ms); 0 = only when a command arrives. */
  tickMs: number;
  /** A snapshot of a host's engine state every this many journal entries. */
  snapshotEvery: number;
  /** Rebuild the hosts from the database at start-up (false only for tools that build the schema). */
  restoreOnBoot: boolean;
}

export interface EventsConfig {
  /** Events older than this are deleted by the retention timer (ms). */
  retentionAgeMs: number;
  /** At most this many events are kept (the newest). */
  retentionCount: number;
  /** How often the retention timer runs (ms). */
  retentionIntervalMs: number;
  /** Messages queued per subscriber before the oldest are dropped (and counted in `dropped`). */
  subscriberQueue: number;
  /** `logs` subscriptions: lines printed within this window go out in one batch (ms; 0 = same tick). */
  logsBatchMs: number;
  /** `logs` subscriptions: a batch goes out at once when it holds this many lines. */
  logsBatchLines: number;
}

export interface WebhooksConfig {
  /** Delays before the 2nd, 3rd, … attempt; the webhook is disabled when they are exhausted. */
  retryScheduleMs: number[];
  /** Timeout of one HTTP attempt (ms). */
  timeoutMs: number;
  /** How often the delivery worker polls the outbox when idle (ms). */
  pollIntervalMs: number;
  /** Attempts in flight at once per server instance. */
  concurrency: number;
  /** false: this instance enqueues deliveries but sends none (another instance does). */
  worker: boolean;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`invalid ${variable}: ${message}`);
  }
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `'${raw}' is not an integer`);
  const value = Number(raw.trim());
  if (value < min || value > max) {
    throw new ConfigError(name, `${value} is out of range ${min}..${max}`);
  }
  return value;
}

function enumVar<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `'${raw}' is not one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

function urlVar(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `'${redact(raw)}' is not a URL`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(
      name,
      `expected a postgres:// or postgresql:// URL, got '${url.protocol}'`,
    );
  }
  if (!url.pathname || url.pathname === '/') {
    throw new ConfigError(
      name,
      'the URL names no database (postgres://user:pass@host:port/dbname)',
    );
  }
  return raw;
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60000,
  h: 3600000,
  d: 86400000,
};

/** A duration such as `250ms`, `5s`, `30m`, `2h`, `7d` (a bare number is milliseconds). */
export function parseDuration(raw: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * DURATION_UNITS[m[2] ?? 'ms']);
}

function durationVar(env: Env, name: string, fallback: string, min: number, max: number): number {
  return durationListVar(env, name, fallback, min, max, 1, 1)[0];
}

function durationListVar(
  env: Env,
  name: string,
  fallback: string,
  min: number,
  max: number,
  minItems: number,
  maxItems: number,
): number[] {
  const raw = env[name]?.trim() || fallback;
  const items = raw.split(',').map((part) => {
    const ms = parseDuration(part);
    if (ms === undefined)
      throw new ConfigError(
        name,
        `'${part.trim()}' is not a duration (e.g. 250ms, 5s, 30m, 2h, 7d)`,
      );
    if (ms < min || ms > max)
      throw new ConfigError(name, `${part.trim()} is out of range ${min}..${max} ms`);
    return ms;
  });
  if (items.length < minItems || items.length > maxItems) {
    throw new ConfigError(name, `expected ${minItems}..${maxItems} durations, got ${items.length}`);
  }
  return items;
}

function redact(raw: string): string {
  return raw.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): AppConfig {
  const nodeEnv = enumVar(
    env,
    'NODE_ENV',
    ['production', 'development', 'test'] as const,
    'development',
  );
  const host = env.HOST?.trim() || '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]+$/.test(host))
    throw new ConfigError('HOST', `'${host}' is not a host name or address`);
  const dataDirRaw = env.PTLAB_DATA_DIR?.trim() || './.ptlab';
  return {
    nodeEnv,
    port: intVar(env, 'PORT', 8080, 0, 65535),
    host,
    databaseUrl: urlVar(env, 'DATABASE_URL'),
    dataDir: isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw),
    embeddedDbPort: intVar(env, 'PTLAB_DB_PORT', 54329, 1, 65535),
    logLevel: enumVar(
      env,
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      'info',
    ),
    logFormat: enumVar(
      env,
      'LOG_FORMAT',
      ['json', 'pretty'] as const,
      nodeEnv === 'production' ? 'json' : 'pretty',
    ),
    bodyLimit: intVar(env, 'PTLAB_BODY_LIMIT', 1024 * 1024, 1024, 64 * 1024 * 1024),
    events: {
      retentionAgeMs: durationVar(env, 'PTLAB_EVENTS_RETENTION_AGE', '7d', 1000, 3650 * 86400000),
      retentionCount: intVar(env, 'PTLAB_EVENTS_RETENTION_COUNT', 1_000_000, 1, 1_000_000_000),
      retentionIntervalMs: durationVar(env, 'PTLAB_EVENTS_RETENTION_INTERVAL', '60s', 10, 86400000),
      subscriberQueue: intVar(env, 'PTLAB_SUBSCRIBER_QUEUE', 1000, 1, 1_000_000),
      logsBatchMs: intVar(env, 'PTLAB_LOGS_BATCH_MS', 10, 0, 1000),
      logsBatchLines: intVar(env, 'PTLAB_LOGS_BATCH_LINES', 500, 1, 100_000),
    },
    webhooks: {
      retryScheduleMs: durationListVar(
        env,
        'PTLAB_WEBHOOK_RETRY_SCHEDULE',
        '5s,5m,30m,2h,5h,10h,10h',
        1,
        7 * 86400000,
        0,
        50,
      ),
      timeoutMs: durationVar(env, 'PTLAB_WEBHOOK_TIMEOUT', '10s', 10, 600000),
      pollIntervalMs: durationVar(env, 'PTLAB_WEBHOOK_POLL_INTERVAL', '1s', 10, 600000),
      concurrency: intVar(env, 'PTLAB_WEBHOOK_CONCURRENCY', 8, 1, 256),
      worker: enumVar(env, 'PTLAB_WEBHOOK_WORKER', ['on', 'off'] as const, 'on') === 'on',
    },
    hosts: {
      tickMs: intVar(env, 'PTLAB_TICK_MS', 100, 0, 60000),
      snapshotEvery: intVar(env, 'PTLAB_SNAPSHOT_EVERY', 500, 1, 1_000_000),
      restoreOnBoot: true,
    },
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/** The documented variables (README, `ptlab serve --help`). */
export const CONFIG_VARIABLES: { name: string; default: string; description: string }[] = [
  { name: 'PORT', default: '8080', description: 'HTTP port (0 = any free port)' },
  {
    name: 'PTLAB_TICK_MS',
    default: '100',
    description: 'how often running host clocks advance (ms; 0 = only on commands)',
  },
  {
    name: 'PTLAB_SNAPSHOT_EVERY',
    default: '500',
    description: 'snapshot a host every N journal entries',
  },
  { name: 'HOST', default: '127.0.0.1', description: 'address to listen on' },
  {
    name: 'DATABASE_URL',
    default: 'unset',
    description: 'postgres://… of an external Postgres; unset = embedded Postgres',
  },
  {
    name: 'PTLAB_DATA_DIR',
    default: './.ptlab',
    description: 'data directory (holds the embedded Postgres cluster)',
  },
  { name: 'PTLAB_DB_PORT', default: '54329', description: 'port of the embedded Postgres' },
  {
    name: 'PTLAB_BODY_LIMIT',
    default: '1048576',
    description: 'largest accepted request body, bytes',
  },
  { name: 'LOG_LEVEL', default: 'info', description: 'fatal|error|warn|info|debug|trace|silent' },
  {
    name: 'LOG_FORMAT',
    default: 'pretty (json when NODE_ENV=production)',
    description: 'json|pretty',
  },
  { name: 'NODE_ENV', default: 'development', description: 'production|development|test' },
  {
    name: 'PTLAB_EVENTS_RETENTION_AGE',
    default: '7d',
    description: 'event log: delete events older than this (ms, s, m, h, d)',
  },
  {
    name: 'PTLAB_EVENTS_RETENTION_COUNT',
    default: '1000000',
    description: 'event log: keep at most this many events (the newest)',
  },
  {
    name: 'PTLAB_EVENTS_RETENTION_INTERVAL',
    default: '60s',
    description: 'how often the retention timer runs',
  },
  {
    name: 'PTLAB_SUBSCRIBER_QUEUE',
    default: '1000',
    description:
      'messages queued per subscription before the oldest are dropped (reported as dropped)',
  },
  {
    name: 'PTLAB_LOGS_BATCH_MS',
    default: '10',
    description:
      'logs subscriptions: lines within this window travel in one batch (ms; 0 = same tick)',
  },
  {
    name: 'PTLAB_LOGS_BATCH_LINES',
    default: '500',
    description: 'logs subscriptions: most lines in one batch',
  },
  {
    name: 'PTLAB_WEBHOOK_RETRY_SCHEDULE',
    default: '5s,5m,30m,2h,5h,10h,10h',
    description: 'delays before each retry; the webhook is disabled when exhausted',
  },
  { name: 'PTLAB_WEBHOOK_TIMEOUT', default: '10s', description: 'timeout of one delivery attempt' },
  {
    name: 'PTLAB_WEBHOOK_POLL_INTERVAL',
    default: '1s',
    description: 'how often the delivery worker polls the outbox when idle',
  },
  { name: 'PTLAB_WEBHOOK_CONCURRENCY', default: '8', description: 'delivery attempts in flight' },
  {
    name: 'PTLAB_WEBHOOK_WORKER',
    default: 'on',
    description: 'on|off: off = this instance enqueues webhook deliveries but sends none',
  },
];
