import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { NewEvent } from '../event-store.port';
import { SqliteEventStore } from './sqlite-event-store';

/**
 * The embedded store's filter by event type: a WHERE on the type over a
 * range of the primary key, so skipped rows are never decoded, and each
 * subscription read scans a bounded range however rare the types are.
 */
describe('SqliteEventStore filtered by event type', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mam-sqlite-filter-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const event = (type: string): NewEvent => ({ id: randomUUID(), type, data: { big: 'x'.repeat(200) }, metadata: { at: new Date().toISOString() } });

  it('the filtered read searches the primary-key range, never a full scan or a sort', async () => {
    const store = new SqliteEventStore(join(dir, 'events.db'));
    await store.append('s', [event('A')], 'no_stream');
    // The store's own statement, explained on a connection of its own.
    const sql = (store as unknown as { filteredRead(types: string[]): Database.Statement }).filteredRead(['A', 'B']).source;
    await store.close();
    const db = new Database(join(dir, 'events.db'), { readonly: true });
    try {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(0, 10, 'A', 'B', 5) as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail)).toEqual([expect.stringMatching(/^SEARCH events USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)$/)]);
    } finally {
      db.close();
    }
  });

  it('given 1000 events of other types, when a subscriber of a type that never appears follows, then its checkpoint reaches the head in bounded reads, and reaches each new head', async () => {
    const store = new SqliteEventStore(join(dir, 'events.db'), { filterWindow: 100 });
    try {
      for (let i = 0; i < 10; i++) await store.append(`s-${i}`, Array.from({ length: 100 }, () => event('Other')), 'no_stream');
      const read = jest.spyOn(store as unknown as { readFilteredSync: (...a: unknown[]) => unknown }, 'readFilteredSync');
      const checkpoints: bigint[] = [];
      const sub = store.subscribe(async () => {
        throw new Error('nothing should be delivered');
      }, { after: null, eventTypes: ['Never'], onCheckpoint: (p) => void checkpoints.push(p) });
      await until(() => checkpoints[checkpoints.length - 1] === 1000n);
      // A hundred positions per read: ten reads, each one checkpoint, none past the head.
      expect(checkpoints).toEqual(Array.from({ length: 10 }, (_, i) => BigInt((i + 1) * 100)));
      expect(read.mock.calls.length).toBeGreaterThanOrEqual(10);

      // Live: an append of other types moves the checkpoint to it (read-your-writes for a subscriber with nothing to do).
      const next = await store.append('s-live', [event('Other')], 'no_stream');
      await until(() => checkpoints[checkpoints.length - 1] === next.position);
      await sub.stop();
    } finally {
      await store.close();
    }
  });

  it('given wanted events among others, then a batch is full at the limit, the next read goes on after it, and nothing is delivered twice', async () => {
    const store = new SqliteEventStore(join(dir, 'events.db'), { filterWindow: 50 });
    try {
      const types = Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? 'Wanted' : 'Other'));
      await store.append('s', types.map(event), 'no_stream');
      const got: bigint[] = [];
      const reports: bigint[] = [];
      const sub = store.subscribe(async (batch) => {
        expect(batch.length).toBeLessThanOrEqual(3);
        for (const e of batch) {
          expect(e.type).toBe('Wanted');
          got.push(e.position);
          reports.push(e.position);
        }
      }, { after: null, batchSize: 3, eventTypes: ['Wanted'], onCheckpoint: (p) => void reports.push(p) });
      await until(() => reports[reports.length - 1] === 300n);
      await sub.stop();
      expect(got).toEqual(types.flatMap((t, i) => (t === 'Wanted' ? [BigInt(i + 1)] : [])));
      expect([...reports].sort((a, b) => (a < b ? -1 : 1))).toEqual(reports);
      expect(new Set(reports).size).toBe(reports.length);
    } finally {
      await store.close();
    }
  });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
