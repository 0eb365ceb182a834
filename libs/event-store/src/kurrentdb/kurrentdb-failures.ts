import type { AppendResult, StreamAppend } from '../event-store.port';
import { IdempotencyConflictError } from '../errors';

/**
 * What a failed call to KurrentDB means for the caller. Pure functions over
 * the client's errors (their `type`, gRPC `code` and message), so they are
 * tested without a server.
 *
 * - transient: the server could not be reached or did not answer in time;
 *   nothing is known to have happened, and trying again is safe (an append
 *   repeated with the same ids and an exact expectation is deduplicated);
 * - unknown-outcome: the server answered an append with an error that does
 *   not say whether it was written (UnknownError, TimeoutError): the streams'
 *   tails tell;
 * - conflict: an expectation did not hold (WrongExpectedVersion), or a
 *   repeat the server did not recognise as one: the tails tell which;
 * - stream-deleted: the stream was deleted or tombstoned;
 * - permanent: anything else (a rejected event, access denied, a bug): trying
 *   again gives the same answer.
 */
export type FailureKind = 'transient' | 'unknown-outcome' | 'conflict' | 'stream-deleted' | 'permanent';

/** The `type` field of @kurrent/kurrentdb-client's errors (its ErrorType enum). */
const TRANSIENT_TYPES = new Set(['unavailable', 'deadline-exceeded', 'cancelled', 'not-leader']);
const UNKNOWN_OUTCOME_TYPES = new Set(['unknown', 'timeout']);
const DELETED_TYPES = new Set(['stream-deleted', 'stream-tombstoned']);

/** gRPC status codes, for errors the client passes through unconverted (e.g. "14 UNAVAILABLE" on appends). */
const GRPC_CANCELLED = 1;
const GRPC_UNKNOWN = 2;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_ABORTED = 10;
const GRPC_INTERNAL = 13;
const GRPC_UNAVAILABLE = 14;

/** Connection failures as Node, grpc-js and the client's discovery word them. */
const CONNECTION_FAILURE =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|socket hang up|premature close|write after end|No connection established|client error \(Connect\)|Failed to discover|discover/i;

interface ClientErrorShape {
  type?: unknown;
  code?: unknown;
  message?: unknown;
}

export function classifyFailure(error: unknown): FailureKind {
  if (error === null || typeof error !== 'object') return 'permanent';
  const { type, code, message } = error as ClientErrorShape;
  const text = typeof message === 'string' ? message : '';
  if (typeof type === 'string') {
    if (TRANSIENT_TYPES.has(type)) return 'transient';
    if (type === 'wrong-expected-version') return 'conflict';
    if (DELETED_TYPES.has(type)) return 'stream-deleted';
    // The client turns a reset connection into UnknownError too: the message says so.
    if (UNKNOWN_OUTCOME_TYPES.has(type)) return CONNECTION_FAILURE.test(text) ? 'transient' : 'unknown-outcome';
    return 'permanent';
  }
  if (typeof code === 'number') {
    if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED || code === GRPC_CANCELLED || code === GRPC_INTERNAL) return 'transient';
    if (code === GRPC_UNKNOWN || code === GRPC_ABORTED) return CONNECTION_FAILURE.test(text) ? 'transient' : 'unknown-outcome';
  }
  return CONNECTION_FAILURE.test(text) ? 'transient' : 'permanent';
}

/** An event as found in a stream's tail. */
export interface TailEvent {
  id: string;
  revision: bigint;
  position: bigint;
}

export type Outcome =
  | { written: true; results: AppendResult[] }
  | { written: false };

/**
 * Were these appends written? Given, per append, the events found where its
 * events would be (its tail), in stream order: all of its ids there, in
 * order and consecutive, is written; none is not. Multi-stream appends are
 * atomic, so the appends must agree; some ids stored and others not means
 * they were stored by another append, which is never a safe repeat.
 *
 * `sharedPosition`: a multi-stream append answers one position for all its
 * streams, the last of its events; a repeat answers the same.
 */
export function resolveOutcome(appends: StreamAppend[], tails: TailEvent[][], sharedPosition: boolean): Outcome {
  const found = appends.map((a, i) => locate(a, tails[i]));
  if (found.every((f) => f === null)) return { written: false };
  const partial = found.findIndex((f) => f === null);
  if (partial >= 0) {
    const stored = appends.findIndex((_, i) => found[i] !== null);
    throw new IdempotencyConflictError(appends[stored].streamId, appends[stored].events[0].id);
  }
  const results = found as AppendResult[];
  if (!sharedPosition) return { written: true, results };
  const position = results.reduce((max, r) => (r.position > max ? r.position : max), results[0].position);
  return { written: true, results: results.map((r) => ({ ...r, position })) };
}

function locate(append: StreamAppend, tail: TailEvent[]): AppendResult | null {
  const ids = append.events.map((e) => e.id);
  const start = tail.findIndex((e) => e.id === ids[0]);
  const anyStored = tail.some((e) => ids.includes(e.id));
  if (start < 0) {
    if (anyStored) throw new IdempotencyConflictError(append.streamId, ids.find((id) => tail.some((e) => e.id === id))!);
    return null;
  }
  const run = tail.slice(start, start + ids.length);
  const inOrder = run.length === ids.length && run.every((e, i) => e.id === ids[i] && e.revision === run[0].revision + BigInt(i));
  const expectedFirst = typeof append.expected === 'bigint' ? append.expected + 1n : append.expected === 'no_stream' ? 0n : null;
  if (!inOrder || (expectedFirst !== null && run[0].revision !== expectedFirst)) {
    throw new IdempotencyConflictError(append.streamId, ids[0]);
  }
  const last = run[run.length - 1];
  return { nextRevision: last.revision, position: last.position };
}

/**
 * Where to look for an append's events: right after its exact expectation,
 * or, without one, among the stream's last events (`count` from the end).
 */
export function tailWindow(append: StreamAppend, slack = 100): { from: bigint | 'end'; count: number } {
  const n = append.events.length;
  if (typeof append.expected === 'bigint') return { from: append.expected + 1n, count: n };
  if (append.expected === 'no_stream') return { from: 0n, count: n };
  return { from: 'end', count: n + slack };
}

/**
 * The connection string for appends: in a cluster (several hosts or
 * discovery), the leader, where appends are written without a forwarding
 * hop that can time out with an unknown outcome. The client prefers the
 * leader unless told otherwise, so a string that names no preference (or
 * the leader), or a single node, is returned as it is.
 */
export function leaderConnectionString(url: string): string {
  const [base, query = ''] = url.split('?', 2);
  const cluster = /\+discover:\/\//i.test(base) || hostsOf(url).includes(',');
  const params = query.split('&').filter((p) => p.length > 0);
  const isPreference = (p: string) => flat(p.split('=')[0]) === 'nodepreference';
  const preference = params.find(isPreference);
  if (!cluster || !preference || flat(preference.split('=')[1] ?? '') === 'leader') return url;
  return `${base}?${[...params.filter((p) => !isPreference(p)), 'nodePreference=leader'].join('&')}`;
}

/** The client matches option names case- and separator-insensitively. */
function flat(key: string): string {
  return key.trim().toLowerCase().replace(/[_-]/g, '');
}

/** The host list of a connection string, without credentials, for messages. */
export function hostsOf(url: string): string {
  return url.split('?')[0].replace(/^[a-z+]+:\/\//i, '').replace(/^[^@/]*@/, '').split('/')[0] || '(no host)';
}
