import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { eventStoreContract } from '@mam/testing';
import { ConcurrencyError } from '../errors';
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
