import {
  DeadlineExceededError,
  NotLeaderError,
  StreamDeletedError,
  TimeoutError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
  CancelledError,
  AccessDeniedError,
  InvalidArgumentError,
} from '@kurrent/kurrentdb-client';
import { IdempotencyConflictError } from '../errors';
import type { NewEvent, StreamAppend } from '../event-store.port';
import { mergeAppends, splitResults } from './kurrentdb-merge';
import { classifyFailure, hostsOf, leaderConnectionString, resolveOutcome, tailWindow, type TailEvent } from './kurrentdb-failures';

/** The client's errors as it builds them from a bridge (read) error: a name, a message, a metadata map. */
const bridge = (message = '') => Object.assign(new Error(message), { metadata: {} }) as never;
/** A gRPC ServiceError as grpc-js rejects an append with it, unconverted. */
const grpc = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details, metadata: undefined });

describe('classifyFailure', () => {
  it.each([
    ['UnavailableError', new UnavailableError(bridge())],
    ['DeadlineExceededError', new DeadlineExceededError(bridge())],
    ['CancelledError', new CancelledError(bridge())],
    ['NotLeaderError', new NotLeaderError({ metadata: { 'leader-endpoint-host': 'n2', 'leader-endpoint-port': '2113' } } as never)],
    ['a raw gRPC UNAVAILABLE on an append', grpc(14, 'UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED')],
    ['a raw gRPC DEADLINE_EXCEEDED', grpc(4, 'DEADLINE_EXCEEDED: Deadline exceeded')],
    ['a failed discovery', new Error('Failed to discover after 10 attempts.')],
    ['a reset connection reported as UnknownError', new UnknownError(bridge('read ECONNRESET'))],
  ])('given %s, then it is transient', (_, error) => {
    expect(classifyFailure(error)).toBe('transient');
  });

  it.each([
    ['UnknownError', new UnknownError(bridge('Unexpected error'))],
    ['TimeoutError (the server timed out the commit)', new TimeoutError(bridge('Operation timed out'))],
    ['a raw gRPC UNKNOWN', grpc(2, 'UNKNOWN: Unexpected server error')],
    ['a raw gRPC ABORTED', grpc(10, 'ABORTED: commit timeout')],
  ])('given %s from an append, then its outcome is unknown', (_, error) => {
    expect(classifyFailure(error)).toBe('unknown-outcome');
  });

  it('given WrongExpectedVersionError, then it is a conflict (the tails tell whether it is a repeat)', () => {
    const error = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 1n, current: 2n });
    expect(classifyFailure(error)).toBe('conflict');
  });

  it('given StreamDeletedError, then the stream is deleted', () => {
    expect(classifyFailure(StreamDeletedError.fromStreamName('s'))).toBe('stream-deleted');
  });

  it.each([
    ['AccessDeniedError', new AccessDeniedError(bridge())],
    ['InvalidArgumentError', new InvalidArgumentError('bad revision')],
    ['a plain error of ours', new Error('metadata.at must be a string')],
    ['not an error at all', 'boom'],
  ])('given %s, then it is permanent: retrying gives the same answer', (_, error) => {
    expect(classifyFailure(error)).toBe('permanent');
  });
});

const event = (id: string): NewEvent => ({ id, type: 'T', data: {}, metadata: { at: '2026-01-01T00:00:00Z' } });
const stored = (id: string, revision: bigint, position: bigint): TailEvent => ({ id, revision, position });
const append = (streamId: string, expected: StreamAppend['expected'], ids: string[]): StreamAppend => ({ streamId, expected, events: ids.map(event) });

describe('resolveOutcome (an append whose answer did not say whether it was written)', () => {
  it('given every id of every stream right after its expectation, then it was written, with one position for all', () => {
    const appends = [append('org', 3n, ['a', 'b']), append('acct', 'no_stream', ['c'])];
    const outcome = resolveOutcome(appends, [[stored('a', 4n, 100n), stored('b', 5n, 101n)], [stored('c', 0n, 102n)]], true);
    expect(outcome).toEqual({
      written: true,
      results: [
        { nextRevision: 5n, position: 102n },
        { nextRevision: 0n, position: 102n },
      ],
    });
  });

  it('given a single-stream append found, then each result keeps its own last position', () => {
    const outcome = resolveOutcome([append('s', 0n, ['a'])], [[stored('a', 1n, 50n)]], false);
    expect(outcome).toEqual({ written: true, results: [{ nextRevision: 1n, position: 50n }] });
  });

  it('given none of the ids where they would be (another writer got there), then it was not written', () => {
    const outcome = resolveOutcome([append('s', 0n, ['a']), append('t', 'no_stream', ['b'])], [[stored('x', 1n, 9n)], []], true);
    expect(outcome).toEqual({ written: false });
  });

  it('given the ids among the last events of a stream appended with any, then it was written', () => {
    const tail = [stored('x', 7n, 70n), stored('a', 8n, 80n), stored('b', 9n, 90n), stored('y', 10n, 95n)];
    expect(resolveOutcome([append('s', 'any', ['a', 'b'])], [tail], false)).toEqual({ written: true, results: [{ nextRevision: 9n, position: 90n }] });
  });

  it('given one stream of a multi-stream append written and another not, then it is never a safe repeat', () => {
    const appends = [append('org', 0n, ['a']), append('acct', 0n, ['b'])];
    expect(() => resolveOutcome(appends, [[stored('a', 1n, 10n)], [stored('z', 1n, 11n)]], true)).toThrow(IdempotencyConflictError);
  });

  it('given only some ids of one append stored, then it is an idempotency conflict', () => {
    expect(() => resolveOutcome([append('s', 'any', ['a', 'b'])], [[stored('a', 0n, 1n), stored('x', 1n, 2n)]], false)).toThrow(
      IdempotencyConflictError,
    );
    expect(() => resolveOutcome([append('s', 'any', ['a', 'b'])], [[stored('b', 0n, 1n)]], false)).toThrow(IdempotencyConflictError);
  });

  it('given the ids stored at another revision than expected, then it is not this append', () => {
    expect(() => resolveOutcome([append('s', 'no_stream', ['a'])], [[stored('a', 3n, 1n)]], false)).toThrow(IdempotencyConflictError);
  });
});

describe('tailWindow', () => {
  it('reads right after an exact expectation, from the start for no_stream, and the last events otherwise', () => {
    expect(tailWindow(append('s', 4n, ['a', 'b']))).toEqual({ from: 5n, count: 2 });
    expect(tailWindow(append('s', 'no_stream', ['a']))).toEqual({ from: 0n, count: 1 });
    expect(tailWindow(append('s', 'any', ['a']), 10)).toEqual({ from: 'end', count: 11 });
    expect(tailWindow(append('s', 'stream_exists', ['a']), 10)).toEqual({ from: 'end', count: 11 });
  });
});

describe('leaderConnectionString', () => {
  it('given a cluster that prefers followers, then appends go to the leader', () => {
    expect(leaderConnectionString('kurrentdb://a:2113,b:2113,c:2113?tls=false&nodePreference=follower')).toBe(
      'kurrentdb://a:2113,b:2113,c:2113?tls=false&nodePreference=leader',
    );
    expect(leaderConnectionString('kurrentdb+discover://u:p@cluster.local:2113?node_preference=Random')).toBe(
      'kurrentdb+discover://u:p@cluster.local:2113?nodePreference=leader',
    );
  });

  it('given a single node, or no preference (the client prefers the leader), then the string is kept', () => {
    expect(leaderConnectionString('kurrentdb://localhost:2113?tls=false&nodePreference=follower')).toBe(
      'kurrentdb://localhost:2113?tls=false&nodePreference=follower',
    );
    expect(leaderConnectionString('kurrentdb://a:2113,b:2113?tls=false')).toBe('kurrentdb://a:2113,b:2113?tls=false');
    expect(leaderConnectionString('kurrentdb+discover://c:2113?nodePreference=leader')).toBe('kurrentdb+discover://c:2113?nodePreference=leader');
  });
});

describe('hostsOf', () => {
  it('names the hosts without the credentials', () => {
    expect(hostsOf('kurrentdb://admin:changeit@a:2113,b:2113/?tls=true')).toBe('a:2113,b:2113');
  });
});

describe('KurrentDbEventStore after an append failed (a client double, no server)', () => {
  // Required here, not imported at the top: the adapter module is what loads the client.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KurrentDbEventStore, AppendRejectedError } = require('./kurrentdb-event-store') as typeof import('./kurrentdb-event-store');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ConcurrencyError, EventStoreUnavailableError } = require('../errors') as typeof import('../errors');

  type Stored = { id: string; revision: bigint; position: bigint };
  /** A store whose client appends by throwing `failure` and reads `streams`. */
  function storeWith(failure: unknown, streams: Record<string, Stored[]>, multiResult?: unknown) {
    const store = new KurrentDbEventStore('kurrentdb://127.0.0.1:1?tls=false');
    const read = (name: string, { fromRevision, direction, maxCount = 1000 }: { fromRevision: unknown; direction?: string; maxCount?: number }) => {
      let events = [...(streams[name] ?? [])];
      if (direction === 'backwards') events.reverse();
      else if (typeof fromRevision === 'bigint') events = events.filter((e) => e.revision >= fromRevision);
      return (async function* () {
        for (const e of events.slice(0, maxCount)) {
          yield { event: { id: e.id, type: 'T', streamId: name, revision: e.revision, position: { commit: e.position, prepare: e.position }, data: {}, metadata: {} } };
        }
      })();
    };
    const fake = {
      appendToStream: async () => {
        throw failure;
      },
      multiStreamAppend: async () => {
        if (multiResult) return multiResult;
        throw failure;
      },
      readStream: read,
      dispose: async () => undefined,
    };
    Object.assign(store as object, { client: fake, logClient: fake });
    return store;
  }

  it('given UnknownError and none of the events stored, then the append was refused: not an outage (a saga parks it)', async () => {
    const store = storeWith(new UnknownError(bridge('Unexpected error')), { s: [stored('other', 0n, 5n)] });
    const error = await store.appendMany([append('s', 0n, ['a']), append('t', 'no_stream', ['b'])]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppendRejectedError);
    expect(error).not.toBeInstanceOf(EventStoreUnavailableError);
  });

  it('given UnknownError and the events stored, then the append succeeded', async () => {
    const store = storeWith(new UnknownError(bridge('Unexpected error')), { s: [stored('x', 0n, 1n), stored('a', 1n, 9n)] });
    expect(await store.append('s', [event('a')], 0n)).toEqual({ nextRevision: 1n, position: 9n });
  });

  it('given TimeoutError and nothing stored yet, then it is an outage (the write may still land; a retry is deduplicated)', async () => {
    const store = storeWith(new TimeoutError(bridge('commit timeout')), {});
    await expect(store.append('s', [event('a')], 'no_stream')).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });

  it('given an empty WrongExpectedVersion for a repeated multi-stream append, then it answers as the first did', async () => {
    const empty = new WrongExpectedVersionError(undefined, { streamName: '', expected: 'any', current: 'no_stream' });
    const store = storeWith(empty, { org: [stored('a', 0n, 20n)], acct: [stored('p', 0n, 3n), stored('b', 1n, 21n)] });
    expect(await store.appendMany([append('org', 'no_stream', ['a']), append('acct', 0n, ['b'])])).toEqual([
      { nextRevision: 0n, position: 21n },
      { nextRevision: 1n, position: 21n },
    ]);
  });

  it('given a WrongExpectedVersion naming no stream, then the conflict names the stream that moved on', async () => {
    const empty = new WrongExpectedVersionError(undefined, { streamName: '', expected: 'any', current: 'no_stream' });
    const store = storeWith(empty, { org: [], acct: [stored('p', 0n, 3n), stored('q', 1n, 4n)] });
    const error = await store.appendMany([append('org', 'no_stream', ['a']), append('acct', 0n, ['b'])]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ streamId: 'acct', expected: 0n, actual: 1n });
  });

  it('given a multi-stream append of nothing but repeats answered with position -1, then the stored positions answer', async () => {
    const store = storeWith(null, { org: [stored('a', 0n, 30n)], acct: [stored('b', 0n, 31n)] }, {
      position: -1n,
      responses: [
        { streamName: 'org', revision: 0n },
        { streamName: 'acct', revision: 0n },
      ],
    });
    expect(await store.appendMany([append('org', 'no_stream', ['a']), append('acct', 'no_stream', ['b'])])).toEqual([
      { nextRevision: 0n, position: 31n },
      { nextRevision: 0n, position: 31n },
    ]);
  });

  it('given a stream named twice with expectations that do not follow, then it is refused before anything is sent', async () => {
    const store = storeWith(new Error('must not be called'), {});
    await expect(store.appendMany([append('s', 'no_stream', ['a']), append('s', 5n, ['b'])])).rejects.toThrow(/names stream s twice/);
  });

  it('given a raw gRPC UNAVAILABLE, then it is the port\'s unavailable error naming the host', async () => {
    const store = storeWith(grpc(14, 'UNAVAILABLE: No connection established'), {});
    await expect(store.append('s', [event('a')], 'no_stream')).rejects.toThrow(/no answer from KurrentDB at 127\.0\.0\.1:1/);
  });
});

describe('mergeAppends (one stream named twice in an appendMany: written in turn, as the embedded store does)', () => {
  it('given later appends whose expectation follows from the earlier ones, then one request per stream, each append answered with its own revision', () => {
    const appends = [append('s', 'no_stream', ['a', 'b']), append('t', 3n, ['c']), append('s', 1n, ['d']), append('s', 'any', ['e'])];
    const merged = mergeAppends(appends);
    expect(merged.requests.map((r) => [r.streamId, r.expected, r.events.map((e) => e.id)])).toEqual([
      ['s', 'no_stream', ['a', 'b', 'd', 'e']],
      ['t', 3n, ['c']],
    ]);
    expect(splitResults(merged, [{ nextRevision: 3n, position: 90n }, { nextRevision: 4n, position: 90n }])).toEqual([
      { nextRevision: 1n, position: 90n },
      { nextRevision: 4n, position: 90n },
      { nextRevision: 2n, position: 90n },
      { nextRevision: 3n, position: 90n },
    ]);
  });

  it('given stream_exists after events, then it follows; no_stream after events does not', () => {
    expect(mergeAppends([append('s', 'any', ['a']), append('s', 'stream_exists', ['b'])]).requests).toHaveLength(1);
    expect(() => mergeAppends([append('s', 'any', ['a']), append('s', 'no_stream', ['b'])])).toThrow(/names stream s twice/);
    expect(() => mergeAppends([append('s', 'any', ['a']), append('s', 0n, ['b'])])).toThrow(/names stream s twice/);
  });
});

describe('KurrentDbEventStore.readStreams (a client double, no server)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KurrentDbEventStore } = require('./kurrentdb-event-store') as typeof import('./kurrentdb-event-store');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { StreamNotFoundError } = require('@kurrent/kurrentdb-client') as typeof import('@kurrent/kurrentdb-client');

  it('given 200 streams, some missing, then each is read once, at most 32 at a time, missing ones empty, keyed in the order asked', async () => {
    const store = new KurrentDbEventStore('kurrentdb://127.0.0.1:1?tls=false');
    let inFlight = 0;
    let most = 0;
    const reads: string[] = [];
    const readStream = (name: string) =>
      (async function* () {
        reads.push(name);
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
        const n = Number(name.slice(1));
        if (n % 5 === 0) throw new StreamNotFoundError(bridge(), name);
        for (let revision = 0n; revision < 2n; revision++) {
          yield { event: { id: `${name}-${revision}`, type: 'T', streamId: name, revision, position: { commit: BigInt(n) * 10n + revision, prepare: 0n }, data: { n }, metadata: {} } };
        }
      })();
    Object.assign(store as object, { client: { readStream, dispose: async () => undefined } });
    const names = Array.from({ length: 200 }, (_, i) => `s${i}`);

    const read = await store.readStreams([...names, 's7']);

    expect([...read.keys()]).toEqual(names);
    expect(reads.sort()).toEqual([...names].sort());
    expect(most).toBeLessThanOrEqual(32);
    expect(most).toBeGreaterThan(1);
    expect(read.get('s5')).toEqual([]);
    expect(read.get('s7')!.map((e) => [e.streamId, e.revision, e.data])).toEqual([['s7', 0n, { n: 7 }], ['s7', 1n, { n: 7 }]]);
  });
});
