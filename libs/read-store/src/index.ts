export * from './read-store.port';
export { SqliteReadStore } from './sqlite/sqlite-read-store';
export { InMemoryReadStore } from './memory/in-memory-read-store';
export { MongoReadStore } from './mongodb/mongodb-read-store';
export * from './generations/generational-read-store';
export * from './errors';
