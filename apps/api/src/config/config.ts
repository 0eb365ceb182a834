import { resolve } from 'node:path';

export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  production: boolean;
  apiTokens: string[];
  stepUpSecret: string;
  eventStore: 'embedded' | 'kurrentdb';
  kurrentdbUrl?: string;
  readStore: 'embedded' | 'mongodb';
  mongodbUrl?: string;
  logLevel: string;
  /** Run projections and sagas in this process (tests may turn sagas off). */
  runProjections: boolean;
  runSagas: boolean;
  /** The most one asset copy may write (its one atomic append), in bytes. */
  assetCopyMaxBytes: number;
  /** Commands (POST/PUT/DELETE) answered at once; beyond it a command is refused with 503 OVERLOADED. */
  maxCommandsInFlight: number;
  /** Warnings to log once the logger exists (dev defaults in use). */
  warnings: string[];
}

export class ConfigError extends Error {}

const DEV_TOKEN = 'dev-token';
const DEV_STEP_UP_SECRET = 'dev-step-up-secret';

/**
 * Commands in flight by default. At about 0.7 ms of event-loop time per
 * command on the 2-core development machine, 64 waiting commands are about
 * 50 ms of work: a client waits at most that long before it is answered or
 * told to back off, where an unbounded queue grew to seconds.
 */
export const DEFAULT_MAX_COMMANDS_IN_FLIGHT = 64;

/** `true` or `false` (or unset: the default); anything else is a typo that must not silently mean true. */
function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(`${name} must be true or false, not ${JSON.stringify(value)}`);
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new ConfigError(`${name} must be a positive integer, not ${JSON.stringify(value)}`);
  return n;
}

/** Reads api.md's environment; refuses to start in production without secrets. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const production = env.NODE_ENV === 'production';
  const warnings: string[] = [];
  const tokens = (env.API_TOKENS ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  if (tokens.length === 0) {
    if (production) throw new ConfigError('API_TOKENS is required when NODE_ENV=production');
    tokens.push(DEV_TOKEN);
    warnings.push(`API_TOKENS is not set: accepting the development token "${DEV_TOKEN}"`);
  }
  let stepUpSecret = env.STEP_UP_SECRET ?? '';
  if (!stepUpSecret) {
    if (production) throw new ConfigError('STEP_UP_SECRET is required when NODE_ENV=production');
    stepUpSecret = DEV_STEP_UP_SECRET;
    warnings.push(`STEP_UP_SECRET is not set: using the development secret`);
  }
  const eventStore = (env.EVENT_STORE ?? 'embedded') as AppConfig['eventStore'];
  if (!['embedded', 'kurrentdb'].includes(eventStore)) throw new ConfigError(`EVENT_STORE must be embedded or kurrentdb, not ${eventStore}`);
  if (eventStore === 'kurrentdb' && !env.KURRENTDB_URL) throw new ConfigError('EVENT_STORE=kurrentdb needs KURRENTDB_URL');
  const readStore = (env.READ_STORE ?? 'embedded') as AppConfig['readStore'];
  if (!['embedded', 'mongodb'].includes(readStore)) throw new ConfigError(`READ_STORE must be embedded or mongodb, not ${readStore}`);
  if (readStore === 'mongodb' && !env.MONGODB_URL) throw new ConfigError('READ_STORE=mongodb needs MONGODB_URL');
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number, not ${env.PORT}`);
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    dataDir: resolve(env.DATA_DIR ?? './data'),
    production,
    apiTokens: tokens,
    stepUpSecret,
    eventStore,
    kurrentdbUrl: env.KURRENTDB_URL,
    readStore,
    mongodbUrl: env.MONGODB_URL,
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    runProjections: flag(env, 'RUN_PROJECTIONS', true),
    runSagas: flag(env, 'RUN_SAGAS', true),
    maxCommandsInFlight: positiveInteger(env, 'MAX_COMMANDS_IN_FLIGHT', DEFAULT_MAX_COMMANDS_IN_FLIGHT),
    assetCopyMaxBytes: assetCopyMaxBytes(env, eventStore),
    warnings,
  };
}

/**
 * KurrentDB refuses an append over its MaxAppendSize (1 MiB unless the
 * server is configured otherwise); a copy is one append, so on KurrentDB it
 * is capped below that, leaving room for the event envelopes. The embedded
 * store has no such limit; there the cap only bounds the memory a copy
 * holds while it is decided. ASSET_COPY_MAX_BYTES overrides either.
 */
function assetCopyMaxBytes(env: NodeJS.ProcessEnv, eventStore: AppConfig['eventStore']): number {
  if (env.ASSET_COPY_MAX_BYTES !== undefined) {
    const n = Number(env.ASSET_COPY_MAX_BYTES);
    if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`ASSET_COPY_MAX_BYTES must be a positive integer, not ${env.ASSET_COPY_MAX_BYTES}`);
    return n;
  }
  return eventStore === 'kurrentdb' ? 1024 * 1024 - 128 * 1024 : 64 * 1024 * 1024;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
