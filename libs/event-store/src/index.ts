export * from './event-store.port';
export * from './errors';
export * from './catch-up-subscription';
export { SqliteEventStore } from './sqlite/sqlite-event-store';
export { InMemoryEventStore } from './memory/in-memory-event-store';
export { KurrentDbEventStore } from './kurrentdb/kurrentdb-event-store';
