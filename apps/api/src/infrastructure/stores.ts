import { join } from 'node:path';
import { KurrentDbEventStore, SqliteEventStore, type EventStore } from '@mam/event-store';
import { MongoReadStore, SqliteReadStore, type ReadStore } from '@mam/read-store';
import type { AppConfig } from '../config/config';

/**
 * Static imports only: `nest build` rewrites the `@mam/...` aliases of static
 * imports, not of a dynamic `import()`, which would then fail in dist/ while
 * jest (which maps the aliases itself) passes. Each adapter requires its
 * client on first use, so a process still loads only the clients it uses.
 */

/** The message names the store and the reason, so start-up fails with one readable line. */
export class StoreUnreachableError extends Error {
  constructor(store: string, reason: string) {
    super(`${store} is selected but cannot be reached${reason ? `: ${reason}` : ''}`);
    this.name = 'StoreUnreachableError';
  }
}

/** Fails fast, with the reason, when a production store is selected and cannot be reached. */
export async function openEventStore(config: AppConfig): Promise<EventStore> {
  if (config.eventStore === 'kurrentdb') {
    const store = new KurrentDbEventStore(config.kurrentdbUrl!);
    await assertReachable('KurrentDB', store.ping(), () => store.close());
    return store;
  }
  return new SqliteEventStore(join(config.dataDir, 'events.sqlite'));
}

export async function openReadStore(config: AppConfig): Promise<ReadStore> {
  if (config.readStore === 'mongodb') {
    try {
      return await MongoReadStore.connect(config.mongodbUrl!);
    } catch (error) {
      throw new StoreUnreachableError('MongoDB', (error as Error).message.replace(/^MongoDB read store: /, ''));
    }
  }
  // A process running the live loops checkpoints its WAL on a thread (no event-loop stalls);
  // the ops CLI's batch work lets SQLite checkpoint inline and saves the thread's memory.
  const live = config.runProjections || config.runSagas;
  return new SqliteReadStore(join(config.dataDir, 'read-models.sqlite'), { walCheckpoints: live ? 'thread' : 'inline' });
}

async function assertReachable(name: string, ping: Promise<boolean>, close: () => Promise<void>): Promise<void> {
  let ok = false;
  let reason = '';
  try {
    ok = await ping;
  } catch (error) {
    reason = (error as Error).message;
  }
  if (ok) return;
  await close().catch(() => undefined);
  throw new StoreUnreachableError(name, reason);
}

export interface OpenedStores {
  events: EventStore;
  readStore: ReadStore;
}

/**
 * Opened before Nest builds the module graph, so an unreachable store fails
 * start-up with one line of ours instead of Nest's exception log and stack.
 */
export async function openStores(config: AppConfig): Promise<OpenedStores> {
  const events = await openEventStore(config);
  try {
    return { events, readStore: await openReadStore(config) };
  } catch (error) {
    await events.close().catch(() => undefined);
    throw error;
  }
}

export async function closeStores(stores: OpenedStores): Promise<void> {
  await stores.events.close().catch(() => undefined);
  await stores.readStore.close().catch(() => undefined);
}
