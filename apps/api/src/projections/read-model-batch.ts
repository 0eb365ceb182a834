import { ReadStoreUnavailableError, type Doc, type Filter, type FindOptions, type ReadStore, type Stored, type WriteSet } from '@mam/read-store';
import { matches } from '@mam/read-store';
import type { ProjectionTx } from './projection';
import { Yielder } from './yield';

type Pending = Map<string, Map<string, Doc | null>>; // collection → id → doc (null = deleted)

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
  private readonly yielder = new Yielder();
  private journal: Array<{ collection: string; id: string; had: boolean; previous: Doc | null | undefined }> | null = null;

  constructor(private readonly store: ReadStore) {}

  begin(): void {
    this.journal = [];
  }

  commitEvent(): void {
    this.journal = null;
  }

  rollbackEvent(): void {
    for (const entry of (this.journal ?? []).reverse()) {
      const coll = this.coll(entry.collection);
      if (entry.had) coll.set(entry.id, entry.previous as Doc | null);
      else coll.delete(entry.id);
    }
    this.journal = null;
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
    if (!this.journal) return;
    const coll = this.coll(collection);
    this.journal.push({ collection, id, had: coll.has(id), previous: coll.get(id) });
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

  maybeYield(): Promise<void> {
    return this.yielder.maybeYield();
  }

  /** Loads many documents in one query per collection (a rebuild touches thousands per batch). */
  async prefetch(wanted: Array<{ collection: string; id: string }>): Promise<void> {
    const byCollection = new Map<string, string[]>();
    for (const { collection, id } of wanted) {
      if (this.peek(collection, id) !== undefined) continue;
      byCollection.set(collection, [...(byCollection.get(collection) ?? []), id]);
    }
    for (const [collection, ids] of byCollection) {
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
    if (!coll || coll.size === 0) return storeCall(() => this.store.find<T>(collection, filter, options));
    // Each pending entry can hide at most one stored row: ask for that many more.
    const limit = options.limit === undefined ? undefined : options.limit + coll.size;
    const stored = await storeCall(() => this.store.find<Doc>(collection, filter, { ...options, limit }));
    const merged = new Map<string, Doc>();
    for (const row of stored) if (!coll.has(row.id)) merged.set(row.id, row.doc);
    for (const [id, doc] of coll) {
      if (doc && matches(doc, filter) && (options.afterId === undefined || id > options.afterId)) {
        merged.set(id, doc);
      }
    }
    const rows = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return rows.slice(0, options.limit ?? rows.length).map(([id, doc]) => ({ id, doc: doc as T }));
  }

  put(collection: string, id: string, doc: object): void {
    this.record(collection, id);
    this.coll(collection).set(id, doc as Doc);
  }

  delete(collection: string, id: string): void {
    this.record(collection, id);
    this.coll(collection).set(id, null);
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
