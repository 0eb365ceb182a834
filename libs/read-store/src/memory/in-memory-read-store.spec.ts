import { readStoreContract } from '@mam/testing';
import { InMemoryReadStore } from './in-memory-read-store';

// Nothing outlives the instance, so no reopen: the durability test is skipped.
readStoreContract('InMemoryReadStore', async () => ({
  store: new InMemoryReadStore(),
  cleanup: async () => undefined,
}));
