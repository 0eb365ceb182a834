/**
 * The read store port: named collections of JSON documents keyed by id, read
 * by id or by equality on indexed fields, and written only through `commit`,
 * which applies a projection batch's changes together with the checkpoints of
 * the projections that made them — atomically, so a crash never applies an
 * event twice or skips one.
 */
import { CheckpointMovedError } from './errors';

export type Doc = Record<string, unknown>;

/** Equality on (dotted) field paths; a `null` value matches a missing or null field. */
export type Filter = Record<string, string | number | boolean | null>;

export interface CollectionSpec {
  name: string;
  /** Each entry is one (compound) index over field paths; queries filter on these. */
  indexes: string[][];
}

export interface FindOptions {
  /** Results are ordered by id; `afterId` starts after that id (cursor pagination). */
  afterId?: string;
  /**
   * Only ids that start with this prefix: a range of the primary key, read
   * without an index (a projection that keys `account|contact` scans one
   * account's documents this way).
   */
  idPrefix?: string;
  limit?: number;
  /**
   * Only these top-level fields are needed (a hint: adapters may return more).
   * Scans of big documents for one field, such as a back-fill, read far less.
   */
  fields?: string[];
}

export interface Stored<T = Doc> {
  id: string;
  doc: T;
}

export interface Put {
  collection: string;
  id: string;
  doc: Doc;
}

export interface Delete {
  collection: string;
  id: string;
}

export interface CheckpointWrite {
  name: string;
  position: bigint;
  expected?: bigint | null;
}

/** Throws CheckpointMovedError when a checkpoint write's expectation does not hold. */
export function checkExpected(write: CheckpointWrite, actual: bigint | null): void {
  if (write.expected !== undefined && write.expected !== actual) throw new CheckpointMovedError(write.name, write.expected, actual);
}

export interface WriteSet {
  puts: Put[];
  deletes: Delete[];
  /**
   * The last position each projection has processed, stored with its changes.
   * With `expected` (null: none stored yet) the commit applies nothing and
   * throws CheckpointMovedError unless the stored checkpoint is exactly that:
   * two runners of one projection (two processes on one store) can then never
   * both apply a batch.
   */
  checkpoints: CheckpointWrite[];
}

export interface ReadStore {
  /** Creates collections and their indexes (idempotent; run at start-up). */
  ensureCollections(specs: CollectionSpec[]): Promise<void>;

  get<T = Doc>(collection: string, id: string): Promise<T | null>;
  getMany<T = Doc>(collection: string, ids: string[]): Promise<Map<string, T>>;
  find<T = Doc>(collection: string, filter: Filter, options?: FindOptions): Promise<Array<Stored<T>>>;

  /** Atomically applies puts (insert or replace), deletes and checkpoints. */
  commit(writes: WriteSet): Promise<void>;

  checkpoint(name: string): Promise<bigint | null>;

  /**
   * Throws DocumentTooLargeError when this store could not hold the document
   * (stores with a size limit: MongoDB's 16 MiB). Called when a projection
   * puts it, so the event that made it is parked, not every later commit
   * failed. Stores without a limit leave it out.
   */
  checkDocument?(collection: string, id: string, doc: Doc): void;

  /** Removes every document of the collections and the named checkpoints (rebuild from scratch). */
  reset(collections: string[], checkpoints: string[]): Promise<void>;

  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const READ_STORE = Symbol('READ_STORE');

/** Reads a dotted path; shared by adapters that filter in memory. */
export function fieldAt(doc: Doc, path: string): unknown {
  let value: unknown = doc;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Keeps only the named top-level fields (for adapters that filter in memory). */
export function pick(doc: Doc, fields: string[] | undefined): Doc {
  if (!fields) return doc;
  const out: Doc = {};
  for (const f of fields) if (f in doc) out[f] = doc[f];
  return out;
}

/** The least string above every string that starts with `prefix` (prefix → range queries). */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** Whether an id is within `options.idPrefix` and after `options.afterId` (for adapters that filter in memory). */
export function inRange(id: string, options: FindOptions): boolean {
  return (options.afterId === undefined || id > options.afterId) && (!options.idPrefix || id.startsWith(options.idPrefix));
}

export function matches(doc: Doc, filter: Filter): boolean {
  return Object.entries(filter).every(([path, expected]) => {
    const actual = fieldAt(doc, path);
    return expected === null ? actual === null || actual === undefined : actual === expected;
  });
}
