import { createHash } from 'node:crypto';
import type { EventMetadata, EventStore, StreamAppend } from '@mam/event-store';
import type { IdempotencyContext } from '../http/request-context';

export interface StoredAnswer {
  requestHash: string;
  status: number;
  body: Record<string, unknown>;
}

/** Thrown to answer a repeated Idempotency-Key with the first answer. */
export class IdempotentReplay extends Error {
  constructor(readonly answer: StoredAnswer) {
    super('idempotent replay');
  }
}

export const idempotencyStream = (key: string): string =>
  `idempotency-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;

export function requestHash(method: string, url: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${url}\n${JSON.stringify(body ?? null)}`).digest('hex');
}

/**
 * The record of a keyed request, appended in the same atomic append as the
 * command's events: either both are stored or neither, and two racing
 * requests with one key cannot both execute (the stream must not exist).
 * Its position is the command's `position`, so a replay answers the same.
 */
export function idempotencyRecord(ctx: IdempotencyContext, reply: Record<string, unknown>, metadata: EventMetadata): StreamAppend {
  return {
    streamId: ctx.streamId,
    expected: 'no_stream',
    events: [
      {
        id: createHash('sha256').update(ctx.streamId).digest('hex').replace(/^(.{8})(.{4}).(.{3}).(.{3})(.{12}).*/, '$1-$2-4$3-8$4-$5'),
        type: 'IdempotentRequestRecorded',
        data: { requestHash: ctx.requestHash, status: ctx.status, reply },
        metadata,
      },
    ],
  };
}

export async function readIdempotencyRecord(store: EventStore, ctx: IdempotencyContext): Promise<StoredAnswer | null> {
  const [record] = await store.readStream(ctx.streamId);
  if (!record) return null;
  const data = record.data as { requestHash: string; status: number; reply: Record<string, unknown> };
  return { requestHash: data.requestHash, status: data.status, body: { ...data.reply, position: record.position.toString() } };
}
