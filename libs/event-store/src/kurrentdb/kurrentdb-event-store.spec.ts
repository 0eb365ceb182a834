import { randomUUID } from 'node:crypto';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { eventStoreContract } from '@mam/testing';
import { EventStoreUnavailableError } from '../errors';
import type { NewEvent, RecordedEvent } from '../event-store.port';
import { KurrentDbEventStore } from './kurrentdb-event-store';

const url = process.env.KURRENTDB_URL; // e.g. kurrentdb://localhost:2113?tls=false

if (url) {
  // One shared server: the contract uses fresh stream names and only looks past the head it saw.
  // "reopen" here is a new client on the same server: close/dispose and reconnect keep everything.
  eventStoreContract('KurrentDbEventStore', async () => {
    let current = new KurrentDbEventStore(url, { retryDelayMs: 100 });
    return {
      store: current,
      reopen: async () => (current = new KurrentDbEventStore(url, { retryDelayMs: 100 })),
      cleanup: () => current.close(),
    };
  });

  describe('KurrentDbEventStore on a server', () => {
    const event = (): NewEvent => ({ id: randomUUID(), type: 'Tested', data: { ok: true }, metadata: { at: new Date().toISOString() } });
    let store: KurrentDbEventStore;
    beforeEach(() => (store = new KurrentDbEventStore(url, { retryDelayMs: 100 })));
    afterEach(() => store.close());

    it('given a tombstoned stream, then it reads as missing and an append to it fails for good, not as an outage', async () => {
      const s = `tombstoned-${randomUUID()}`;
      await store.append(s, [event()], 'no_stream');
      const client = KurrentDBClient.connectionString(url);
      try {
        await client.tombstoneStream(s);
      } finally {
        await client.dispose();
      }
      expect(await store.readStream(s)).toEqual([]);
      const error = await store.append(s, [event()], 'any').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(EventStoreUnavailableError);
      expect((error as Error).message).toMatch(/deleted/);
    });

    it('given more stored events than the client buffers by default, then subscription batches grow to the batch size', async () => {
      const s = `batches-${randomUUID()}`;
      const after = await store.headPosition();
      for (let i = 0; i < 3; i++) await store.append(s, Array.from({ length: 100 }, event), i === 0 ? 'no_stream' : BigInt(i * 100 - 1));
      const sizes: number[] = [];
      const seen: RecordedEvent[] = [];
      let caughtUp!: () => void;
      const done = new Promise<void>((resolve) => (caughtUp = resolve));
      const sub = store.subscribe(
        async (batch) => {
          sizes.push(batch.length);
          seen.push(...batch.filter((e) => e.streamId === s));
          // A slow handler lets the buffer fill, as a projection's commit does.
          await new Promise((r) => setTimeout(r, 200));
        },
        { after, batchSize: 200, onCaughtUp: () => caughtUp() },
      );
      await done;
      await sub.stop();
      expect(seen).toHaveLength(300);
      expect(Math.max(...sizes)).toBeGreaterThan(31);
    }, 30_000);
  });
} else {
  const reason = 'KURRENTDB_URL not set: no KurrentDB server here; `docker compose up kurrentdb` starts one, then set KURRENTDB_URL=kurrentdb://localhost:2113?tls=false';
  console.info(`KurrentDB contract skipped (${reason})`);
  describe.skip(`KurrentDB contract (${reason})`, () => {
    it('runs the EventStore contract against KurrentDB', () => undefined);
  });
}

// Runs everywhere: the adapter against a port where nothing listens.
describe('KurrentDbEventStore without a server', () => {
  it('given no server at the URL, then ping fails with the reason instead of hanging', async () => {
    const store = new KurrentDbEventStore('kurrentdb://127.0.0.1:1?tls=false', { retryDelayMs: 100 });
    try {
      await expect(store.ping()).rejects.toThrow(/unavailable|reach|connect/i);
    } finally {
      await store.close();
    }
  }, 20_000);
});
