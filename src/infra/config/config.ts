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
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/** The documented variables (README, `ptlab serve --help`). */
export const CONFIG_VARIABLES: { name: string; default: string; description: string }[] = [
  { name: 'PORT', default: '8080', description: 'HTTP port (0 = any free port)' },
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
];
