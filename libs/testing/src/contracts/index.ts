export { eventStoreContract, type EventStoreFixture } from './event-store.contract';
export { readStoreContract, type ReadStoreHarness, type ReadStoreContractOptions } from './read-store.contract';
