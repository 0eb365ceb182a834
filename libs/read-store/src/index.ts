export * from './read-store.port';
export { SqliteReadStore } from './sqlite/sqlite-read-store';
export { InMemoryReadStore } from './memory/in-memory-read-store';
