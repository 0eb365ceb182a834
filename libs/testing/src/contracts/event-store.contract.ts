import { randomUUID } from 'node:crypto';
import {
  ConcurrencyError,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
} from '@mam/event-store';

export interface EventStoreFixture {
  store: EventStore;
  /**
   * Closes nothing itself: the contract closes `store` first, then calls this to
   * open the same storage again (restart durability). Omit for stores that keep nothing.
   */
  reopen?: () => Promise<EventStore>;
  /** Closes whatever store is open (closing twice must be harmless) and removes files. */
  cleanup: () => Promise<void>;
}

/**
 * The promises every EventStore adapter keeps (see event-store.port.ts).
 *
 * Written to also run against a shared, non-empty KurrentDB: every test uses
 * fresh stream names and UUID event ids, looks at the global log only after
 * the head it saw at its start, and ignores events of other streams. Positions
 * are compared by order only, never by arithmetic (KurrentDB's have gaps).
 */
export interface EventStoreContractOptions {
  /**
   * Registers the restart test (the fixture must then give `reopen`); stores
   * that keep nothing by design have it reported as skipped. Jest cannot skip
   * a test from inside it, so this is said up front.
   */
  durable?: boolean;
}

export function eventStoreContract(name: string, factory: () => Promise<EventStoreFixture>, options: EventStoreContractOptions = { durable: true }): void {
  describe(`EventStore contract: ${name}`, () => {
    let fixture: EventStoreFixture;
    let store: EventStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    /** Events of `streams` in the global log after `after`, paged with a small limit. */
    async function logOf(streams: string[], after: bigint | null): Promise<RecordedEvent[]> {
      const all: RecordedEvent[] = [];
      for (;;) {
        const page = await store.readAll({ after, limit: 7 });
        if (page.length === 0) return all.filter((e) => streams.includes(e.streamId));
        // A store that does not move past `after` would loop forever: fail instead.
        if (after !== null && !(page[0].position > after)) {
          throw new Error(`readAll after ${after} returned position ${page[0].position}`);
        }
        all.push(...page);
        after = page[page.length - 1].position;
      }
    }

    describe('append and readStream', () => {
      it('round-trips type, data and metadata with revisions and growing positions', async () => {
        const s = streamName('roundtrip');
        const first = event('Opened', { title: 'Zoë', tags: ['a', 'b'], nested: { n: 1.5, none: null } }, {
          correlationId: 'corr-1',
          causationId: 'cause-1',
          actorUserId: 'user-1',
        });
        const second = event('Renamed', { title: 'Ω' });
        const result = await store.append(s, [first, second], 'no_stream');

        const read = await store.readStream(s);
        expect(read.map(strip)).toEqual([
          { ...first, streamId: s, revision: 0n },
          { ...second, streamId: s, revision: 1n },
        ]);
        expectIncreasing(read.map((e) => e.position));
        expect(result).toEqual({ nextRevision: 1n, position: read[1].position });

        const tail = await store.readStream(s, 0n);
        expect(tail.map((e) => e.id)).toEqual([second.id]);
        expect(await store.readStream(s, 1n)).toEqual([]);
      });

      it('an empty append checks the expectation but creates no stream', async () => {
        const s = streamName('empty');
        expect((await store.append(s, [], 'no_stream')).nextRevision).toBe(-1n);
        expect(await store.readStream(s)).toEqual([]);
        // Still no stream: no_stream holds, stream_exists does not.
        await expect(store.append(s, [], 'stream_exists')).rejects.toBeInstanceOf(ConcurrencyError);
        expect((await store.append(s, [event()], 'no_stream')).nextRevision).toBe(0n);
      });

      it('an empty append among others guards its stream: at a stale revision the whole append fails and nothing is written', async () => {
        const [guarded, written] = [streamName('guarded'), streamName('written')];
        await store.append(guarded, [event(), event()], 'no_stream');
        await expect(
          store.appendMany([
            { streamId: guarded, expected: 0n, events: [] },
            { streamId: written, expected: 'no_stream', events: [event()] },
          ]),
        ).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.readStream(written)).toEqual([]);
        const [check, append] = await store.appendMany([
          { streamId: guarded, expected: 1n, events: [] },
          { streamId: written, expected: 'no_stream', events: [event()] },
        ]);
        expect(check.nextRevision).toBe(1n);
        expect(append.nextRevision).toBe(0n);
        expect((await store.readStream(guarded)).length).toBe(2);
      });

      it('reads an unknown stream as empty', async () => {
        expect(await store.readStream(streamName('missing'))).toEqual([]);
      });
    });

    describe('readStreams', () => {
      it('reads each stream as readStream does, keyed in the order asked; a missing stream is empty, one named twice is read once', async () => {
        const [a, b, missing] = [streamName('many-a'), streamName('many-b'), streamName('many-missing')];
        await store.appendMany([
          { streamId: a, expected: 'no_stream', events: [event('One', { n: 1 }), event('Two', { n: 2 })] },
          { streamId: b, expected: 'no_stream', events: [event('Three', { n: 3 }, { correlationId: 'c' })] },
        ]);
        await store.append(a, [event('Four', { n: 4 })], 1n);

        const read = await store.readStreams([b, missing, a, b]);
        expect([...read.keys()]).toEqual([b, missing, a]);
        expect(read.get(a)).toEqual(await store.readStream(a));
        expect(read.get(b)).toEqual(await store.readStream(b));
        expect(read.get(missing)).toEqual([]);
        expect(read.get(a)!.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
        expect(await store.readStreams([])).toEqual(new Map());
      });

      it('never mixes streams whose names share a prefix or hold quotes, wildcards and non-ASCII', async () => {
        const base = streamName('names');
        const names = [base, `${base}-x`, `${base}%`, `${base}_`, `${base}"q'\\`, `${base}-Zoë`];
        await store.appendMany(names.map((streamId, i) => ({ streamId, expected: 'no_stream' as const, events: [event('Named', { i })] })));
        const read = await store.readStreams([...names].reverse());
        names.forEach((name, i) => {
          expect(read.get(name)!.map((e) => [e.streamId, e.data])).toEqual([[name, { i }]]);
        });
      });

      it('reads a thousand streams of one batch, each with its own events', async () => {
        const base = streamName('thousand');
        const names = Array.from({ length: 1000 }, (_, i) => `${base}-${i}`);
        const written = names.filter((_, i) => i % 3 !== 0);
        await store.appendMany(written.map((streamId) => ({ streamId, expected: 'no_stream' as const, events: [event('A', { streamId }), event('B', { streamId })] })));
        const read = await store.readStreams(names);
        expect(read.size).toBe(1000);
        names.forEach((name, i) => {
          const events = read.get(name)!;
          if (i % 3 === 0) expect(events).toEqual([]);
          else expect(events.map((e) => [e.streamId, e.revision, e.type, e.data])).toEqual([[name, 0n, 'A', { streamId: name }], [name, 1n, 'B', { streamId: name }]]);
        });
      });
    });

    describe('expected revision', () => {
      async function expectConflict(
        s: string,
        events: NewEvent[],
        expected: ExpectedRevision,
        actual: bigint | null,
      ): Promise<void> {
        const before = await store.readStream(s);
        const error = await store.append(s, events, expected).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ streamId: s, expected, actual });
        // Nothing of the rejected append was written.
        expect(await store.readStream(s)).toEqual(before);
      }

      it("no_stream: creates a stream, conflicts once it exists", async () => {
        const s = streamName('no-stream');
        expect((await store.append(s, [event()], 'no_stream')).nextRevision).toBe(0n);
        await expectConflict(s, [event()], 'no_stream', 0n);
      });

      it('exact revision: appends only at the current revision', async () => {
        const s = streamName('exact');
        await store.append(s, [event(), event()], 'no_stream');
        expect((await store.append(s, [event()], 1n)).nextRevision).toBe(2n);
        await expectConflict(s, [event()], 1n, 2n);
        await expectConflict(s, [event()], 7n, 2n);
        await expectConflict(streamName('exact-missing'), [event()], 0n, null);
        expect(await store.readStream(s)).toHaveLength(3);
      });

      it('stream_exists: conflicts on a missing stream, appends to an existing one', async () => {
        const s = streamName('exists');
        await expectConflict(s, [event()], 'stream_exists', null);
        await store.append(s, [event()], 'no_stream');
        expect((await store.append(s, [event()], 'stream_exists')).nextRevision).toBe(1n);
      });

      it('any: appends whatever the state', async () => {
        const s = streamName('any');
        expect((await store.append(s, [event()], 'any')).nextRevision).toBe(0n);
        expect((await store.append(s, [event(), event()], 'any')).nextRevision).toBe(2n);
      });
    });

    describe('idempotency', () => {
      it('a repeated append with the same ids and expectation succeeds once, with the same result', async () => {
        const s = streamName('idem');
        const events = [event(), event()];
        const first = await store.append(s, events, 'no_stream');
        const again = await store.append(s, events, 'no_stream');
        expect(again).toEqual(first);

        const next = [event()];
        const third = await store.append(s, next, 1n);
        // Repeats of older appends still answer as they did, even after the stream moved on.
        expect(await store.append(s, next, 1n)).toEqual(third);
        expect(await store.append(s, events, 'no_stream')).toEqual(first);
        expect((await store.readStream(s)).map((e) => e.id)).toEqual([...events, ...next].map((e) => e.id));
      });

      it("a repeat with 'any' after other appends is still recognised", async () => {
        const s = streamName('idem-any');
        const mine = [event()];
        const first = await store.append(s, mine, 'any');
        await store.append(s, [event()], 'any');
        expect(await store.append(s, mine, 'any')).toEqual(first);
        expect(await store.readStream(s)).toHaveLength(2);
      });

      it('a partial overlap with stored ids is refused and writes nothing', async () => {
        const s = streamName('idem-partial');
        const a = event();
        await store.append(s, [a], 'no_stream');
        await expect(store.append(s, [a, event()], 'no_stream')).rejects.toThrow();
        expect((await store.readStream(s)).map((e) => e.id)).toEqual([a.id]);
      });
    });

    describe('global log', () => {
      it('gives strictly increasing positions in append order across streams', async () => {
        const start = await store.headPosition();
        const [s1, s2, s3] = [streamName('p1'), streamName('p2'), streamName('p3')];
        const plan: Array<[string, NewEvent]> = [[s1, event()], [s2, event()], [s1, event()], [s3, event()]];
        const results = [];
        for (const [s, e] of plan) results.push(await store.append(s, [e], 'any'));
        expectIncreasing([...(start === null ? [] : [start]), ...results.map((r) => r.position)]);

        const log = await logOf([s1, s2, s3], start);
        expect(log.map((e) => [e.streamId, e.id])).toEqual(plan.map(([s, e]) => [s, e.id]));
        expect(log.map((e) => e.position)).toEqual(results.map((r) => r.position));
      });

      it('pages through readAll with after/limit without gaps or repeats', async () => {
        const start = await store.headPosition();
        const streams = [streamName('page-a'), streamName('page-b'), streamName('page-c')];
        const written: string[] = [];
        for (let i = 0; i < 9; i++) {
          const batch = Array.from({ length: (i % 3) + 1 }, () => event('Paged', { i }));
          await store.append(streams[i % 3], batch, 'any');
          written.push(...batch.map((e) => e.id));
        }
        const seen: RecordedEvent[] = [];
        let after = start;
        for (;;) {
          const page = await store.readAll({ after, limit: 4 });
          expect(page.length).toBeLessThanOrEqual(4);
          if (page.length === 0) break;
          if (after !== null) expect(page[0].position > after).toBe(true);
          seen.push(...page);
          after = page[page.length - 1].position;
        }
        expectIncreasing(seen.map((e) => e.position));
        expect(seen.filter((e) => streams.includes(e.streamId)).map((e) => e.id)).toEqual(written);
        expect(after).toEqual(await store.headPosition());
      });

      it('headPosition is null on an empty log and the last position otherwise', async () => {
        if ((await store.readAll({ after: null, limit: 1 })).length === 0) {
          expect(await store.headPosition()).toBeNull();
        }
        const r = await store.append(streamName('head'), [event(), event()], 'no_stream');
        expect(await store.headPosition()).toBe(r.position);
      });

      it('answers ping', async () => {
        expect(await store.ping()).toBe(true);
      });
    });

    describe('appendMany', () => {
      it('appends to several streams, results in the order of the appends', async () => {
        const [a, b, c] = [streamName('many-a'), streamName('many-b'), streamName('many-c')];
        await store.append(c, [event()], 'no_stream');
        const results = await store.appendMany([
          { streamId: b, expected: 'no_stream', events: [event()] },
          { streamId: a, expected: 'no_stream', events: [event(), event(), event()] },
          { streamId: c, expected: 0n, events: [event(), event()] },
        ]);
        expect(results.map((r) => r.nextRevision)).toEqual([0n, 2n, 2n]);
        expect((await store.readStream(a)).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
        expect(await store.readStream(b)).toHaveLength(1);
        expect(await store.readStream(c)).toHaveLength(3);
      });

      it('gives the events of one appendMany distinct, increasing positions in the global log, each delivered once by a subscription', async () => {
        // KurrentDB answers one position for a whole multi-stream append: its events must still be
        // told apart in $all, or a checkpoint between two of them would skip the rest.
        const start = await store.headPosition();
        const [a, b] = [streamName('many-pos-a'), streamName('many-pos-b')];
        await store.appendMany([
          { streamId: a, expected: 'no_stream', events: [event(), event()] },
          { streamId: b, expected: 'no_stream', events: [event(), event()] },
        ]);
        const log = await logOf([a, b], start);
        expect(log).toHaveLength(4);
        expectIncreasing(log.map((e) => e.position));

        const delivered: RecordedEvent[] = [];
        let caughtUp = false;
        const sub = store.subscribe(async (batch) => void delivered.push(...batch.filter((e) => e.streamId === a || e.streamId === b)), {
          after: start,
          batchSize: 1,
          onCaughtUp: () => (caughtUp = true),
        });
        try {
          await waitUntil(() => caughtUp && delivered.length >= 4, 'the four events');
        } finally {
          await sub.stop();
        }
        expect(delivered.map((e) => e.id)).toEqual(log.map((e) => e.id));
      });

      it("is atomic: one stream's conflict writes nothing to any stream", async () => {
        const start = await store.headPosition();
        const [a, b] = [streamName('atomic-a'), streamName('atomic-b')];
        await store.append(b, [event()], 'no_stream');
        const error = await store
          .appendMany([
            { streamId: a, expected: 'no_stream', events: [event(), event()] },
            { streamId: b, expected: 'no_stream', events: [event()] },
          ])
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect((error as ConcurrencyError).streamId).toBe(b);
        expect(await store.readStream(a)).toEqual([]);
        expect(await store.readStream(b)).toHaveLength(1);
        expect(await logOf([a, b], start)).toHaveLength(1);
      });
    });

    describe('repeats and one stream named twice', () => {
      it('a repeated appendMany answers with the same revisions and appends nothing, also after its streams moved on', async () => {
        const [a, b] = [streamName('repeat-a'), streamName('repeat-b')];
        const appends = [
          { streamId: a, expected: 'no_stream' as const, events: [event(), event()] },
          { streamId: b, expected: 'no_stream' as const, events: [event()] },
        ];
        const first = await store.appendMany(appends);
        const again = await store.appendMany(appends);
        expect(again.map((r) => r.nextRevision)).toEqual(first.map((r) => r.nextRevision));
        const lastOf = async (s: string) => (await store.readStream(s)).at(-1)!.position;
        // A position at or after the append's events: what a read-your-writes wait needs.
        expect(again[0].position >= (await lastOf(a))).toBe(true);
        expect(again[1].position >= (await lastOf(b))).toBe(true);

        await store.append(a, [event()], 1n);
        await store.append(b, [event()], 0n);
        const later = await store.appendMany(appends);
        expect(later.map((r) => r.nextRevision)).toEqual(first.map((r) => r.nextRevision));
        expect((await store.readStream(a)).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
        expect(await store.readStream(b)).toHaveLength(2);
      });

      it('a stream named twice in one appendMany is written in turn: the second append sees the first', async () => {
        const [s, t] = [streamName('twice'), streamName('twice-other')];
        const [x, y, z] = [event(), event(), event()];
        const results = await store.appendMany([
          { streamId: s, expected: 'no_stream', events: [x] },
          { streamId: t, expected: 'no_stream', events: [y] },
          { streamId: s, expected: 0n, events: [z] },
        ]);
        expect(results.map((r) => r.nextRevision)).toEqual([0n, 0n, 1n]);
        expect((await store.readStream(s)).map((e) => e.id)).toEqual([x.id, z.id]);
      });

      it('a stream named twice whose second expectation cannot hold after the first is refused, and nothing is written', async () => {
        const [s, t] = [streamName('twice-refused'), streamName('twice-refused-other')];
        await expect(
          store.appendMany([
            { streamId: t, expected: 'no_stream', events: [event()] },
            { streamId: s, expected: 'no_stream', events: [event()] },
            { streamId: s, expected: 'no_stream', events: [event()] },
          ]),
        ).rejects.toThrow();
        expect(await store.readStream(s)).toEqual([]);
        expect(await store.readStream(t)).toEqual([]);
      });
    });

    describe('concurrency', () => {
      it('50 concurrent appends to different streams all land, each once', async () => {
        const start = await store.headPosition();
        const streams = Array.from({ length: 50 }, (_, i) => streamName(`conc-${i}`));
        const results = await Promise.all(streams.map((s) => store.append(s, [event()], 'no_stream')));
        expect(results.every((r) => r.nextRevision === 0n)).toBe(true);
        expect(new Set(results.map((r) => r.position)).size).toBe(50);
        const log = await logOf(streams, start);
        expect(log.map((e) => e.streamId).sort()).toEqual([...streams].sort());
        expectIncreasing(log.map((e) => e.position));
      });

      it('20 racing appends with the same expected revision: exactly one wins', async () => {
        const s = streamName('race');
        await store.append(s, [event()], 'no_stream');
        const contenders = Array.from({ length: 20 }, () => event('Raced'));
        const settled = await Promise.allSettled(contenders.map((e) => store.append(s, [e], 0n)));
        const won = settled.filter((r) => r.status === 'fulfilled');
        const lost = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost.every((r) => r.reason instanceof ConcurrencyError)).toBe(true);
        const winner = contenders[settled.findIndex((r) => r.status === 'fulfilled')];
        expect((await store.readStream(s)).map((e) => e.id).slice(1)).toEqual([winner.id]);
      });
    });

    describe('subscribe', () => {
      it('catches up after a checkpoint, signals caught up, then delivers live appends in order until stopped', async () => {
        const s = streamName('sub');
        const stored = [event(), event(), event(), event(), event()];
        await store.append(s, stored.slice(0, 2), 'no_stream');
        await store.append(s, stored.slice(2), 1n);
        const checkpoint = (await store.readStream(s))[1].position;

        const got: RecordedEvent[] = [];
        const batchSizes: number[] = [];
        let caughtUpAt: number | null = null;
        let last = checkpoint;
        let failed: unknown;
        const sub = store.subscribe(
          async (batch) => {
            // Throwing stops the subscription: a store that redelivers fails fast instead of looping.
            for (const e of batch) {
              if (!(e.position > last)) throw new Error(`position ${e.position} after ${last}`);
              last = e.position;
            }
            batchSizes.push(batch.length);
            got.push(...batch.filter((e) => e.streamId === s));
          },
          {
            after: checkpoint,
            batchSize: 2,
            onCaughtUp: () => (caughtUpAt ??= got.length),
            onError: (e) => (failed = e),
          },
        );
        const waitFor = (condition: () => boolean, what: string) => waitUntilOrFailed(() => failed, condition, what);
        try {
          await waitFor(() => caughtUpAt !== null, 'onCaughtUp');
          // Everything stored after the checkpoint was delivered before onCaughtUp.
          expect(caughtUpAt).toBe(3);
          expect(got.map((e) => e.id)).toEqual(stored.slice(2).map((e) => e.id));

          const live = [event(), event(), event()];
          for (const [i, e] of live.entries()) await store.append(s, [e], BigInt(4 + i));
          await waitFor(() => got.length >= 6, 'live events');
          expect(got.map((e) => e.id)).toEqual([...stored.slice(2), ...live].map((e) => e.id));
          expectIncreasing(got.map((e) => e.position));
          expect(batchSizes.every((n) => n >= 1 && n <= 2)).toBe(true);
        } finally {
          await sub.stop();
        }
        await sub.done;
        await store.append(s, [event()], 'any');
        await sleep(300);
        expect(got).toHaveLength(6);
      });

      it('from the start (after: null) delivers stored events, and reports a failing handler', async () => {
        const s = streamName('sub-fail');
        await store.append(s, [event()], 'no_stream');
        const failure = new Error('handler broke');
        let reported: unknown;
        const sub = store.subscribe(
          async (batch) => {
            if (batch.some((e) => e.streamId === s)) throw failure;
          },
          { after: null, onError: (e) => (reported = e) },
        );
        await sub.done;
        expect(reported).toBe(failure);
        await sub.stop();
      });
    });

    describe('filtered by event type', () => {
      /** Types no other test (or other user of a shared server) appends. */
      const typeName = (prefix: string) => `${prefix}${randomUUID().replace(/-/g, '')}`;

      it('readAll with eventTypes gives only those types, in order, paging with after/limit', async () => {
        const start = await store.headPosition();
        const [wanted, also, other] = [typeName('Wanted'), typeName('Also'), typeName('Other')];
        const s = streamName('filtered-read');
        const plan = [other, wanted, other, other, also, wanted, other, wanted, other];
        for (const type of plan) await store.append(s, [event(type)], 'any');

        const seen: RecordedEvent[] = [];
        let after = start;
        for (;;) {
          const page = await store.readAll({ after, limit: 2, eventTypes: [wanted, also] });
          expect(page.length).toBeLessThanOrEqual(2);
          if (page.length === 0) break;
          if (after !== null) expect(page[0].position > after).toBe(true);
          seen.push(...page);
          after = page[page.length - 1].position;
        }
        expect(seen.map((e) => e.type)).toEqual(plan.filter((t) => t !== other));
        expectIncreasing(seen.map((e) => e.position));
        // The same events, whole, as the unfiltered log has them.
        const log = await logOf([s], start);
        expect(seen).toEqual(log.filter((e) => e.type !== other));
        expect(await store.readAll({ after: start, limit: 10, eventTypes: [typeName('Never')] })).toEqual([]);
      });

      it('a filtered subscription delivers only its types, and reports checkpoints past the skipped events, in order with its batches', async () => {
        const start = await store.headPosition();
        const [wanted, other] = [typeName('Wanted'), typeName('Other')];
        const s = streamName('filtered-sub');
        const first = await store.append(s, [event(wanted)], 'no_stream');
        // A long stretch the subscriber does not want (longer than a store's scan or search window).
        const skipped: RecordedEvent[] = [];
        for (let i = 0; i < 4; i++) {
          await store.append(s, Array.from({ length: 50 }, () => event(other)), 'any');
        }
        skipped.push(...(await store.readStream(s)).slice(1));
        const got: RecordedEvent[] = [];
        const reports: Array<{ kind: 'batch' | 'checkpoint'; position: bigint }> = [];
        let failed: unknown;
        const sub = store.subscribe(
          async (batch) => {
            got.push(...batch);
            reports.push({ kind: 'batch', position: batch[batch.length - 1].position });
          },
          {
            after: start,
            batchSize: 10,
            eventTypes: [wanted],
            onCheckpoint: (position) => void reports.push({ kind: 'checkpoint', position }),
            onError: (e) => (failed = e),
          },
        );
        const waitFor = (condition: () => boolean, what: string) => waitUntilOrFailed(() => failed, condition, what);
        try {
          await waitFor(() => reports.some((r) => r.kind === 'checkpoint' && r.position > first.position), 'a checkpoint past the skipped events');
          const last = await store.append(s, [event(wanted)], 'any');
          await waitFor(() => got.length === 2, 'the live event');
          expect(got.map((e) => e.type)).toEqual([wanted, wanted]);
          expect(got.map((e) => e.position)).toEqual([first.position, last.position]);
          // Every report is past the one before: a checkpoint never covers an event still to come.
          expectIncreasing(reports.map((r) => r.position));
          const checkpoints = reports.filter((r) => r.kind === 'checkpoint').map((r) => r.position);
          expect(checkpoints.every((p) => p > first.position && p <= skipped[skipped.length - 1].position || p > last.position)).toBe(true);
        } finally {
          await sub.stop();
        }
        expect(failed).toBeUndefined();
      });

      it('a subscription whose types never appear still moves its checkpoint on, and resumes from it without them', async () => {
        const start = await store.headPosition();
        const [never, other] = [typeName('Never'), typeName('Other')];
        const s = streamName('filtered-none');
        for (let i = 0; i < 3; i++) await store.append(s, Array.from({ length: 50 }, () => event(other)), 'any');
        const checkpoints: bigint[] = [];
        let delivered = 0;
        let failed: unknown;
        const follow = (after: bigint | null) =>
          store.subscribe(async (batch) => void (delivered += batch.length), {
            after,
            eventTypes: [never],
            onCheckpoint: (p) => void checkpoints.push(p),
            onError: (e) => (failed = e),
          });
        const sub = follow(start);
        try {
          await waitUntil(() => {
            if (failed) throw failed;
            return checkpoints.length > 0;
          }, 'a checkpoint');
        } finally {
          await sub.stop();
        }
        expect(delivered).toBe(0);
        expectIncreasing(checkpoints);
        const resumed = checkpoints[checkpoints.length - 1];
        expect(start === null || resumed > start).toBe(true);
        // A restart from the stored checkpoint reports only positions past it.
        const again: bigint[] = [];
        const next = store.subscribe(async () => undefined, { after: resumed, eventTypes: [never], onCheckpoint: (p) => void again.push(p) });
        await store.append(s, Array.from({ length: 50 }, () => event(other)), 'any');
        await sleep(200);
        await next.stop();
        expect(again.every((p) => p > resumed)).toBe(true);
      });

      it('a throwing onCheckpoint ends the subscription like a throwing handler', async () => {
        const start = await store.headPosition();
        const s = streamName('filtered-fail');
        await store.append(s, Array.from({ length: 50 }, () => event(typeName('Other'))), 'no_stream');
        const failure = new Error('checkpoint not stored');
        let reported: unknown;
        const sub = store.subscribe(async () => undefined, {
          after: start,
          eventTypes: [typeName('Never')],
          onCheckpoint: () => {
            throw failure;
          },
          onError: (e) => (reported = e),
        });
        expect(await within(sub.done, 5000)).toBe(true);
        expect(reported).toBe(failure);
        await sub.stop();
      });
    });

    it('close() ends open subscriptions quietly', async () => {
      let failed: unknown;
      const sub = store.subscribe(async () => undefined, {
        after: await store.headPosition(),
        onError: (e) => (failed = e),
      });
      await sleep(50);
      await store.close();
      expect(await within(sub.done, 2000)).toBe(true);
      expect(failed).toBeUndefined();
    });

    (options.durable ? it : it.skip)('survives a restart: everything is still there and appends continue with higher positions', async () => {
      expect(fixture.reopen).toBeDefined();
      const start = await store.headPosition();
      const [a, b] = [streamName('durable-a'), streamName('durable-b')];
      await store.append(a, [event('Kept', { n: 1 }), event('Kept', { n: 2 })], 'no_stream');
      await store.appendMany([
        { streamId: a, expected: 1n, events: [event()] },
        { streamId: b, expected: 'no_stream', events: [event()] },
      ]);
      const streamA = await store.readStream(a);
      const log = await logOf([a, b], start);
      const head = await store.headPosition();

      await store.close();
      store = await fixture.reopen!();

      expect(await store.readStream(a)).toEqual(streamA);
      expect(await logOf([a, b], start)).toEqual(log);
      expect(await store.headPosition()).toBe(head);
      const next = await store.append(a, [event()], 2n);
      expect(next.nextRevision).toBe(3n);
      expect(next.position > head!).toBe(true);
    });
  });
}

function streamName(prefix: string): string {
  return `contract_${prefix}-${randomUUID()}`;
}

function event(type = 'Tested', data: Record<string, unknown> = { ok: true }, meta: Record<string, string> = {}): NewEvent {
  // UUID ids: KurrentDB requires them.
  return { id: randomUUID(), type, data, metadata: { at: new Date().toISOString(), ...meta } };
}

/** A recorded event without its position, to compare with what was appended. */
function strip({ position: _position, ...rest }: RecordedEvent): Omit<RecordedEvent, 'position'> {
  return rest;
}

function expectIncreasing(positions: bigint[]): void {
  const sorted = [...positions].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  expect(positions).toEqual(sorted);
  expect(new Set(positions).size).toBe(positions.length);
}

/** True when `promise` settles within `ms` (and leaves no timer behind either way). */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** waitUntil for a subscription: its failure (reported through onError) ends the wait with that error. */
function waitUntilOrFailed(failure: () => unknown, condition: () => boolean, what: string): Promise<void> {
  return waitUntil(() => {
    const failed = failure();
    if (failed) throw failed;
    return condition();
  }, what);
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
