import { eventStoreContract } from '@mam/testing';
import { InMemoryEventStore } from './in-memory-event-store';

// No reopen: the in-memory store keeps nothing across restarts by design.
eventStoreContract('InMemoryEventStore', async () => {
  const store = new InMemoryEventStore();
  return { store, cleanup: () => store.close() };
});
