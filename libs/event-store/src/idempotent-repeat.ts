import type { AppendResult, ExpectedRevision } from './event-store.port';
import { ConcurrencyError, IdempotencyConflictError } from './errors';

/** Where an event id is already stored, as the embedded adapters look it up. */
export interface StoredId {
  streamId: string;
  revision: bigint;
  position: bigint;
}

/**
 * KurrentDB's rule, shared by the embedded adapters: when every event id of
 * an append is already stored in this stream, in order, right after the
 * expected revision, the append is a repeat and answers as the first one
 * did (null means: not a repeat, append). Some ids stored but not all, or
 * stored elsewhere, is an error, never a safe repeat.
 */
export function idempotentRepeat(
  streamId: string,
  eventIds: string[],
  lookup: (eventId: string) => StoredId | undefined,
  expected: ExpectedRevision,
  current: bigint | null,
): AppendResult | null {
  const found = eventIds.map(lookup);
  const present = found.filter((f) => f !== undefined);
  if (present.length === 0) return null;
  if (present.length !== found.length) throw new IdempotencyConflictError(streamId, eventIds[found.findIndex((f) => f !== undefined)]);
  const first = present[0].revision;
  const consecutive = present.every((f, i) => f.streamId === streamId && f.revision === first + BigInt(i));
  const expectedFirst = typeof expected === 'bigint' ? expected + 1n : expected === 'no_stream' ? 0n : null;
  if (!consecutive || (expectedFirst !== null && first !== expectedFirst)) throw new ConcurrencyError(streamId, expected, current);
  const last = present[present.length - 1];
  return { nextRevision: last.revision, position: last.position };
}
