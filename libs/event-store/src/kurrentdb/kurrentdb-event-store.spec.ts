import { eventStoreContract } from '@mam/testing';
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
