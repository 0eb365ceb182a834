import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { eventStoreContract } from '@mam/testing';
import { ConcurrencyError, IdempotencyConflictError } from '../errors';
import type { NewEvent } from '../event-store.port';
import { SqliteEventStore } from './sqlite-event-store';

/** A fresh file in a fresh temp dir; cleanup closes whichever store is open last. */
function openTemp() {
  const dir = mkdtempSync(join(tmpdir(), 'mam-sqlite-es-'));
  const file = join(dir, 'events.db');
  let current = new SqliteEventStore(file);
  return {
    store: current,
    reopen: async () => (current = new SqliteEventStore(file)),
    cleanup: async () => {
      await current.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

eventStoreContract('SqliteEventStore', async () => openTemp());

describe('SqliteEventStore group commit', () => {
  const event = (): NewEvent => ({ id: randomUUID(), type: 'Grouped', data: {}, metadata: { at: new Date().toISOString() } });

  it('writes 200 concurrent appends in one transaction; a conflict fails alone; all durable after reopen', async () => {
    const fixture = openTemp();
    let store = fixture.store;
    try {
      // flush() is the group commit: one call = one transaction = one fsync.
      const flush = jest.spyOn(store as unknown as { flush(): void }, 'flush');
      const streams = Array.from({ length: 200 }, (_, i) => `group-${i}`);
      const appends = streams.map((s) => store.append(s, [event()], 'no_stream'));
      const conflict = store.append('group-0', [event()], 'no_stream'); // same batch, loses to the first
      const results = await Promise.all(appends);
      await expect(conflict).rejects.toBeInstanceOf(ConcurrencyError);
      expect(flush).toHaveBeenCalledTimes(1);
      expect(new Set(results.map((r) => r.position)).size).toBe(200);

      await store.close();
      store = await fixture.reopen();
      const log = await store.readAll({ after: null, limit: 1000 });
      expect(log.map((e) => e.streamId)).toEqual(streams);
      expect(log.map((e) => e.position)).toEqual(results.map((r) => r.position));
    } finally {
      await fixture.cleanup();
    }
  });
});

describe('SqliteEventStore event ids already stored (the writer looks up only the first id unless it must)', () => {
  const event = (id: string = randomUUID()): NewEvent => ({ id, type: 'Identified', data: { id }, metadata: { at: new Date().toISOString() } });
  let fixture: ReturnType<typeof openTemp>;
  beforeEach(() => (fixture = openTemp()));
  afterEach(() => fixture.cleanup());

  const refusedWith = async (append: Promise<unknown>) => {
    const error = await append.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    return error as Error & { eventId?: string; code?: string };
  };

  it('given a later id of the append stored in another stream, then the append is refused with that id and writes nothing', async () => {
    const stored = event();
    await fixture.store.append('other', [event(), stored], 'no_stream');
    const error = await refusedWith(fixture.store.append('mine', [event(), event(), stored, event()], 'no_stream'));
    expect(error).toBeInstanceOf(IdempotencyConflictError);
    expect(error.eventId).toBe(stored.id);
    expect(await fixture.store.readStream('mine')).toEqual([]);
  });

  it('given a stored id after an id repeated within the append, then the stored one is named, as when every id is looked up', async () => {
    const stored = event();
    await fixture.store.append('other', [stored], 'no_stream');
    const twice = event();
    const error = await refusedWith(fixture.store.append('mine', [event(), twice, twice, stored], 'no_stream'));
    expect(error).toBeInstanceOf(IdempotencyConflictError);
    expect(error.eventId).toBe(stored.id);
    expect(await fixture.store.readStream('mine')).toEqual([]);
  });

  it('given an id repeated within the append and none stored, then it is refused by the unique index, not as a repeat', async () => {
    const twice = event();
    const error = await refusedWith(fixture.store.append('mine', [event(), twice, twice], 'no_stream'));
    expect(error).not.toBeInstanceOf(IdempotencyConflictError);
    expect(error.code).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(await fixture.store.readStream('mine')).toEqual([]);
  });

  it('given a stale expectation and a later id stored, then the stored id is named before the conflict', async () => {
    const stored = event();
    await fixture.store.append('mine', [event()], 'no_stream');
    await fixture.store.append('other', [stored], 'no_stream');
    const error = await refusedWith(fixture.store.append('mine', [event(), stored], 'no_stream'));
    expect(error).toBeInstanceOf(IdempotencyConflictError);
    expect(error.eventId).toBe(stored.id);
  });

  it('given ids stored by an earlier append of the same appendMany, then the later one is refused and the whole appendMany writes nothing', async () => {
    const shared = event();
    const error = await refusedWith(fixture.store.appendMany([
      { streamId: 'first', events: [shared], expected: 'no_stream' },
      { streamId: 'second', events: [event(), shared], expected: 'no_stream' },
    ]));
    expect(error).toBeInstanceOf(IdempotencyConflictError);
    expect(error.eventId).toBe(shared.id);
    expect(await fixture.store.readAll({ after: null, limit: 10 })).toEqual([]);
  });

  it('given data that is not JSON, then the append is refused at the call and nothing is queued', async () => {
    await expect(fixture.store.append('mine', [{ ...event(), data: undefined }], 'no_stream')).rejects.toThrow(TypeError);
    expect(await fixture.store.readStream('mine')).toEqual([]);
  });

  it('given event objects changed by the caller after the call, then the events stored are those of the call', async () => {
    const e = event();
    const appended = fixture.store.append('mine', [e], 'no_stream');
    (e.data as { id: string }).id = 'changed';
    await appended;
    expect((await fixture.store.readStream('mine'))[0].data).toEqual({ id: e.id });
  });
});

describe('SqliteEventStore beside another writer, a full disk, a failed writer thread', () => {
  const event = (data: object = {}): NewEvent => ({ id: randomUUID(), type: 'Written', data, metadata: { at: new Date().toISOString() } });

  it('given two stores (two processes) on one file, when both append concurrently, then every append waits for the lock instead of failing with SQLITE_BUSY', async () => {
    const fixture = openTemp();
    const other = new SqliteEventStore((fixture.store as unknown as { db: { name: string } }).db.name);
    try {
      // Many small transactions from each side, so that they interleave.
      const answers: string[] = [];
      const loop = async (store: SqliteEventStore, name: string) => {
        for (let i = 0; i < 75; i++) {
          answers.push(await store.append(`${name}-${i}`, [event()], 'no_stream').then(() => 'ok', (error: Error) => `${error.name}: ${error.message}`));
        }
      };
      await Promise.all([fixture.store, other].flatMap((store, s) => [0, 1, 2, 3].map((l) => loop(store, `two-${s}-${l}`))));
      expect(answers.filter((a) => a !== 'ok')).toEqual([]);
      expect((await fixture.store.readAll({ after: null, limit: 1000 })).length).toBe(600);
    } finally {
      await other.close();
      await fixture.cleanup();
    }
  }, 60_000);

  it('given a disk that fills up inside a group commit, then what each caller is told matches what is stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mam-sqlite-full-'));
    const store = new SqliteEventStore(join(dir, 'events.db'), { writer: 'inline' });
    try {
      await store.append('warm', [event()], 'no_stream');
      const db = (store as unknown as { db: { pragma(s: string, o?: object): unknown } }).db;
      db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true })) + 20}`);
      // Queued in one tick: one group commit; the middle group does not fit.
      const streams = ['small-1', 'too-big', 'small-2'];
      const answers = await Promise.allSettled([
        store.append('small-1', [event()], 'no_stream'),
        store.append('too-big', Array.from({ length: 50 }, () => event({ pad: 'x'.repeat(4000) })), 'no_stream'),
        store.append('small-2', [event()], 'no_stream'),
      ]);
      const told = answers.map((a) => a.status === 'fulfilled');
      const stored = await Promise.all(streams.map(async (s) => (await store.readStream(s)).length > 0));
      expect(told).toEqual(stored);
      expect(told[1]).toBe(false);
      for (const a of answers) if (a.status === 'rejected') expect((a.reason as Error).name).toBe('EventStoreUnavailableError');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("given a writer thread that failed, when its late exit comes after a new writer took over, then the new writer's appends are answered and it stops with the store", async () => {
    const fixture = openTemp();
    const store = fixture.store;
    try {
      await store.append('before', [event()], 'no_stream');
      const client = (store as unknown as { writer: { worker: Worker | null } }).writer;
      const first = client.worker!;
      first.emit('error', new Error('the writer thread failed'));
      const after = store.append('after', [event()], 'no_stream');
      const deadline = Date.now() + 10_000;
      while (!client.worker || client.worker === first) {
        if (Date.now() > deadline) throw new Error('no new writer started');
        await new Promise((r) => setTimeout(r, 5));
      }
      const second = client.worker;
      await first.terminate(); // the failed thread's exit, while the new one has a request in flight
      await expect(after).resolves.toMatchObject({ nextRevision: 0n });
      expect(client.worker).toBe(second);
      await store.close();
      expect(second.threadId).toBe(-1); // exited: nothing left to keep the process alive
    } finally {
      await fixture.cleanup();
    }
  }, 30_000);
});
