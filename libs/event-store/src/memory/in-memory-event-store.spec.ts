import { eventStoreContract } from '@mam/testing';
import { InMemoryEventStore } from './in-memory-event-store';

// Not durable: the in-memory store keeps nothing across restarts by design (the restart test is reported as skipped).
eventStoreContract(
  'InMemoryEventStore',
  async () => {
    const store = new InMemoryEventStore();
    return { store, cleanup: () => store.close() };
  },
  { durable: false },
);
