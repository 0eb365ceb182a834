import type { ExpectedRevision } from './event-store.port';

/** The stream was not in the expected state: someone else appended first. Safe to retry. */
export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | null,
  ) {
    super(
      `stream ${streamId}: expected ${String(expected)}, actual ${actual === null ? 'no stream' : String(actual)}`,
    );
    this.name = 'ConcurrencyError';
  }
}

/** Some but not all event ids of an append were already stored: never a safe repeat. */
export class IdempotencyConflictError extends Error {
  constructor(readonly streamId: string, readonly eventId: string) {
    super(`stream ${streamId}: event id ${eventId} was already appended with other events`);
    this.name = 'IdempotencyConflictError';
  }
}

/** The store could not be reached or answered with an error. */
export class EventStoreUnavailableError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
    /** The store's own error code when it has one (SQLITE_BUSY, SQLITE_FULL…). */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'EventStoreUnavailableError';
  }
}

export function revisionMatches(expected: ExpectedRevision, actual: bigint | null): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === null;
  if (expected === 'stream_exists') return actual !== null;
  return actual === expected;
}

