import { ReadStoreUnavailableError, type Doc, type Filter, type FindOptions, type ReadStore, type Stored, type WriteSet } from '@mam/read-store';
import { fieldAt, inRange, matches } from '@mam/read-store';
import type { ProjectionTx } from './projection';
import { Yielder } from './yield';

type Pending = Map<string, Map<string, Doc | null>>; // collection → id → doc (null = deleted)

/** Finds without paging that answer at most this many rows are remembered for the batch. */
const REMEMBERED_FIND_ROWS = 64;

/**
 * The batch's own documents of one collection by the values of the fields a
 * find filters on: a find looks up its candidates instead of testing every
 * pending document (a rebuild batch holds thousands, and a contact event
 * finds several times).
 */
class PendingIndex {
  private readonly byValue = new Map<string, Set<string>>();

  constructor(private readonly fields: string[]) {}

  static signature(fields: string[]): string {
    return fields.join('\u0000');
  }

  /** JSON keeps types apart ("1" and 1); a missing field keys as null, as a null filter matches it. */
  private keyOf(doc: Doc): string {
    return JSON.stringify(this.fields.map((f) => fieldAt(doc, f) ?? null));
  }

  add(doc: Doc, id: string): void {
    const k = this.keyOf(doc);
    let ids = this.byValue.get(k);
    if (!ids) {
      ids = new Set();
      this.byValue.set(k, ids);
    }
    ids.add(id);
  }

  remove(doc: Doc, id: string): void {
    this.byValue.get(this.keyOf(doc))?.delete(id);
  }

  /** Candidates only: the caller still tests each with `matches`. */
  lookup(filter: Filter): Iterable<string> {
    return this.byValue.get(JSON.stringify(this.fields.map((f) => filter[f] ?? null))) ?? [];
  }
}

/**
 * A unit of work over the read store for one batch of events: reads see the
 * batch's own writes, writes are kept in memory and committed once, with the
 * checkpoints, by the runner. `begin`/`rollbackEvent` undo one event's writes
 * when a projection throws on it, so a parked event leaves no half-change.
 *
 * Documents are shared, not copied (copies cost more than the rest of a
 * rebuild): projections treat what they read as immutable and put new objects.
 */
export class ReadModelBatch implements ProjectionTx {
  private readonly pending: Pending = new Map();
  private readonly reads: Pending = new Map();
  private readonly indexes = new Map<string, Map<string, PendingIndex>>(); // collection → filter fields → index
  private readonly finds = new Map<string, Array<Stored<Doc>>>();
  private readonly yielder = new Yielder();
  /** The current event's undo log; allocated at its first write (most events of a rebuild write once or not at all). */
  private journal: Array<{ collection: string; id: string; had: boolean; previous: Doc | null | undefined }> | null = null;
  private journaling = false;

  constructor(private readonly store: ReadStore) {}

  begin(): void {
    this.journaling = true;
  }

  commitEvent(): void {
    this.journaling = false;
    this.journal = null;
  }

  rollbackEvent(): void {
    for (const entry of (this.journal ?? []).reverse()) {
      this.setPending(entry.collection, entry.id, entry.had ? (entry.previous as Doc | null) : undefined);
    }
    this.journaling = false;
    this.journal = null;
  }

  /** The one place pending documents change (`undefined` forgets the entry), so the indexes follow every change. */
  private setPending(collection: string, id: string, doc: Doc | null | undefined): void {
    const coll = this.coll(collection);
    const indexes = this.indexes.get(collection);
    if (indexes) {
      const old = coll.get(id);
      for (const index of indexes.values()) {
        if (old) index.remove(old, id);
        if (doc) index.add(doc, id);
      }
    }
    if (doc === undefined) coll.delete(id);
    else coll.set(id, doc);
  }

  private index(collection: string, coll: Map<string, Doc | null>, fields: string[]): PendingIndex {
    let indexes = this.indexes.get(collection);
    if (!indexes) {
      indexes = new Map();
      this.indexes.set(collection, indexes);
    }
    const signature = PendingIndex.signature(fields);
    let index = indexes.get(signature);
    if (!index) {
      index = new PendingIndex(fields);
      for (const [id, doc] of coll) if (doc) index.add(doc, id);
      indexes.set(signature, index);
    }
    return index;
  }

  /**
   * The stored rows of a find. The store does not change during a batch (only
   * this runner writes it, at the end), so small unpaged finds — the flows of
   * an account, the contacts with one email — are asked once per batch.
   */
  private async storedFind(collection: string, filter: Filter, options: FindOptions): Promise<Array<Stored<Doc>>> {
    const remember = options.limit === undefined && options.afterId === undefined;
    const key = remember ? `${collection}\u0000${JSON.stringify(filter)}\u0000${options.fields?.join(',') ?? ''}\u0000${options.idPrefix ?? ''}` : '';
    const known = remember ? this.finds.get(key) : undefined;
    if (known) return [...known];
    const rows = await storeCall(() => this.store.find<Doc>(collection, filter, options));
    if (remember && rows.length <= REMEMBERED_FIND_ROWS) this.finds.set(key, rows);
    return rows;
  }

  private coll(name: string): Map<string, Doc | null> {
    let c = this.pending.get(name);
    if (!c) {
      c = new Map();
      this.pending.set(name, c);
    }
    return c;
  }

  private record(collection: string, id: string): void {
    if (!this.journaling) return;
    const coll = this.coll(collection);
    (this.journal ??= []).push({ collection, id, had: coll.has(id), previous: coll.get(id) });
  }

  async get<T = Doc>(collection: string, id: string): Promise<T | null> {
    const held = this.peek<T>(collection, id);
    if (held !== undefined) return held;
    const doc = await storeCall(() => this.store.get<Doc>(collection, id));
    this.loaded(collection).set(id, doc);
    return doc as T | null;
  }

  peek<T = Doc>(collection: string, id: string): T | null | undefined {
    const coll = this.pending.get(collection);
    if (coll?.has(id)) return (coll.get(id) ?? null) as T | null;
    return this.reads.get(collection)?.get(id) as T | null | undefined;
  }

  async getMany<T = Doc>(collection: string, ids: string[]): Promise<Map<string, T>> {
    await this.prefetch(ids.map((id) => ({ collection, id })));
    const out = new Map<string, T>();
    for (const id of ids) {
      const doc = this.peek<T>(collection, id);
      if (doc !== undefined && doc !== null) out.set(id, doc);
    }
    return out;
  }

  maybeYield(): Promise<void> | undefined {
    return this.yielder.maybeYield();
  }

  /** Loads many documents in one query per collection (a rebuild touches thousands per batch). */
  async prefetch(wanted: Array<{ collection: string; id: string }>): Promise<void> {
    const byCollection = new Map<string, Set<string>>();
    for (const { collection, id } of wanted) {
      if (this.peek(collection, id) !== undefined) continue;
      let ids = byCollection.get(collection);
      if (!ids) {
        ids = new Set();
        byCollection.set(collection, ids);
      }
      ids.add(id);
    }
    for (const [collection, idSet] of byCollection) {
      const ids = [...idSet];
      const found = await storeCall(() => this.store.getMany<Doc>(collection, ids));
      const cache = this.loaded(collection);
      for (const id of ids) cache.set(id, found.get(id) ?? null);
    }
  }

  /** Documents read from the store in this batch; only this runner writes them, so they stay valid. */
  private loaded(collection: string): Map<string, Doc | null> {
    let c = this.reads.get(collection);
    if (!c) {
      c = new Map();
      this.reads.set(collection, c);
    }
    return c;
  }

  async find<T = Doc>(collection: string, filter: Filter, options: FindOptions = {}): Promise<Array<Stored<T>>> {
    const coll = this.pending.get(collection);
    if (!coll || coll.size === 0) return (await this.storedFind(collection, filter, options)) as Array<Stored<T>>;
    // Each pending entry can hide at most one stored row: ask for that many more.
    const limit = options.limit === undefined ? undefined : options.limit + coll.size;
    const stored = await this.storedFind(collection, filter, { ...options, limit });
    const merged = new Map<string, Doc>();
    for (const row of stored) if (!coll.has(row.id)) merged.set(row.id, row.doc);
    for (const id of this.index(collection, coll, Object.keys(filter)).lookup(filter)) {
      const doc = coll.get(id);
      if (doc && matches(doc, filter) && inRange(id, options)) {
        merged.set(id, doc);
      }
    }
    const rows = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return rows.slice(0, options.limit ?? rows.length).map(([id, doc]) => ({ id, doc: doc as T }));
  }

  put(collection: string, id: string, doc: object): void {
    // A document the store cannot hold fails the event that made it (which is parked), not the commit.
    this.store.checkDocument?.(collection, id, doc as Doc);
    this.record(collection, id);
    this.setPending(collection, id, doc as Doc);
  }

  delete(collection: string, id: string): void {
    this.record(collection, id);
    this.setPending(collection, id, null);
  }

  get size(): number {
    let n = 0;
    for (const c of this.pending.values()) n += c.size;
    return n;
  }

  toWriteSet(checkpoints: WriteSet['checkpoints']): WriteSet {
    const writes: WriteSet = { puts: [], deletes: [], checkpoints };
    for (const [collection, docs] of this.pending) {
      for (const [id, doc] of docs) {
        if (doc === null) writes.deletes.push({ collection, id });
        else writes.puts.push({ collection, id, doc });
      }
    }
    return writes;
  }
}

/** A failing read of the store is the store's failure, not the projection's: marked so the runner retries it. */
async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new ReadStoreUnavailableError(`read store read failed: ${(error as Error)?.message ?? error}`, error);
  }
}
