import { join } from 'node:path';
import { SqliteEventStore, type EventStore } from '@mam/event-store';
import { SqliteReadStore, type ReadStore } from '@mam/read-store';
import type { AppConfig } from '../config/config';

/** Fails fast, with the reason, when a production store is selected and cannot be reached. */
export async function openEventStore(config: AppConfig): Promise<EventStore> {
  if (config.eventStore === 'kurrentdb') {
    const { KurrentDbEventStore } = await import('@mam/event-store');
    const store = new KurrentDbEventStore(config.kurrentdbUrl!);
    await assertReachable('KurrentDB', store.ping());
    return store;
  }
  return new SqliteEventStore(join(config.dataDir, 'events.sqlite'));
}

export async function openReadStore(config: AppConfig): Promise<ReadStore> {
  if (config.readStore === 'mongodb') {
    const { MongoReadStore } = await import('@mam/read-store');
    return MongoReadStore.connect(config.mongodbUrl!);
  }
  // A process running the live loops checkpoints its WAL on a thread (no event-loop stalls);
  // the ops CLI's batch work lets SQLite checkpoint inline and saves the thread's memory.
  const live = config.runProjections || config.runSagas;
  return new SqliteReadStore(join(config.dataDir, 'read-models.sqlite'), { walCheckpoints: live ? 'thread' : 'inline' });
}

async function assertReachable(name: string, ping: Promise<boolean>): Promise<void> {
  let ok = false;
  let reason = '';
  try {
    ok = await ping;
  } catch (error) {
    reason = (error as Error).message;
  }
  if (!ok) throw new Error(`${name} is selected but cannot be reached${reason ? `: ${reason}` : ''}`);
}
