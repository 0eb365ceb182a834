import { EventStoreUnavailableError } from '@mam/event-store';
import { ReadStoreUnavailableError } from '@mam/read-store';
import { CommandError } from './command-error';

const DRIVER_OUTAGES = /^Mongo(Network|ServerSelection|NotConnected|Timeout|WriteConcern)Error$/;
const SQLITE_OUTAGES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_CANTOPEN']);

/**
 * Failures of the stores rather than of the code that handles an event: a
 * projection or saga must retry them (from its checkpoint, with backoff)
 * and never park the event for them — parking is for events the code
 * cannot handle, not for a failover that lasts a few seconds.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof EventStoreUnavailableError || error instanceof ReadStoreUnavailableError) return true;
  if (error instanceof CommandError && error.code === 'CONFLICT') return true;
  // A read model behind the log (a process that must read it waits): the reaction is tried again later.
  // By code, whoever raised it (the pipeline's error or an HTTP problem thrown by a process's context).
  if ((error as { code?: unknown } | null)?.code === 'PROJECTION_LAG') return true;
  const e = error as { name?: string; code?: string } | null;
  if (e?.name && DRIVER_OUTAGES.test(e.name)) return true;
  return e?.name === 'SqliteError' && SQLITE_OUTAGES.has(String(e.code).split('_').slice(0, 2).join('_'));
}
