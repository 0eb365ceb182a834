import { createHash, randomUUID } from 'node:crypto';
import type { EventMetadata, EventStore, StreamAppend } from '@mam/event-store';
import type { IdempotencyContext } from './command-context';
import { CommandError } from './command-error';

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

/** The first answer, if this is the same request again; a key reused for another request is refused. */
export function answerFor(stored: StoredAnswer, ctx: IdempotencyContext): StoredAnswer {
  if (stored.requestHash !== ctx.requestHash && stored.requestHash !== ctx.byteRequestHash) throw new CommandError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with another request');
  return stored;
}

/** Keys are scoped to the consumer (its bearer token): two consumers may pick the same key. */
export const idempotencyStream = (key: string, consumer: string): string =>
  `idempotency-${createHash('sha256').update(`${consumer}\u0000${key}`).digest('hex').slice(0, 40)}`;

/**
 * What makes two keyed requests "the same": method, URL, acting user and
 * account, and the body's meaning — keys in another order, or other
 * whitespace, are the same body.
 */
export function requestHash(method: string, url: string, body: unknown, acting: string): string {
  return createHash('sha256').update(`${method} ${url}\n${acting}\n${canonicalJson(body ?? null)}`).digest('hex');
}

/** The hash records stored before bodies were compared by meaning: their repeats still match. */
export function byteRequestHash(method: string, url: string, body: unknown, acting: string): string {
  return createHash('sha256').update(`${method} ${url}\n${acting}\n${JSON.stringify(body ?? null)}`).digest('hex');
}

/** JSON with every object's keys sorted (own keys only; `__proto__` is a key like any other). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
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
        // A fresh id, never one derived from the key: a derived id would make the loser of a
        // race look like a harmless repeat of the winner's record and let both commands through.
        id: randomUUID(),
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
