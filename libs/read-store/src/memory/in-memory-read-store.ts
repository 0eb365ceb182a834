import type { CollectionSpec, Doc, Filter, FindOptions, ReadStore, Stored, WriteSet } from '../read-store.port';
import { matches } from '../read-store.port';

/** For unit tests only. */
export class InMemoryReadStore implements ReadStore {
  private readonly collections = new Map<string, Map<string, string>>();
  private readonly checkpoints = new Map<string, bigint>();

  private coll(name: string): Map<string, string> {
    let c = this.collections.get(name);
    if (!c) {
      c = new Map();
      this.collections.set(name, c);
    }
    return c;
  }

  async ensureCollections(specs: CollectionSpec[]): Promise<void> {
    for (const s of specs) this.coll(s.name);
  }

  async get<T = Doc>(collection: string, id: string): Promise<T | null> {
    const raw = this.coll(collection).get(id);
    return raw === undefined ? null : (JSON.parse(raw) as T);
  }

  async getMany<T = Doc>(collection: string, ids: string[]): Promise<Map<string, T>> {
    const result = new Map<string, T>();
    for (const id of ids) {
      const doc = await this.get<T>(collection, id);
      if (doc !== null) result.set(id, doc);
    }
    return result;
  }

  async find<T = Doc>(collection: string, filter: Filter, options: FindOptions = {}): Promise<Array<Stored<T>>> {
    const rows = [...this.coll(collection).entries()]
      .map(([id, raw]) => ({ id, doc: JSON.parse(raw) as Doc }))
      .filter((r) => matches(r.doc, filter) && (options.afterId === undefined || r.id > options.afterId))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return rows.slice(0, options.limit ?? rows.length) as Array<Stored<T>>;
  }

  async commit(writes: WriteSet): Promise<void> {
    for (const p of writes.puts) this.coll(p.collection).set(p.id, JSON.stringify(p.doc));
    for (const d of writes.deletes) this.coll(d.collection).delete(d.id);
    for (const c of writes.checkpoints) this.checkpoints.set(c.name, c.position);
  }

  async checkpoint(name: string): Promise<bigint | null> {
    return this.checkpoints.get(name) ?? null;
  }

  async reset(collections: string[], checkpoints: string[]): Promise<void> {
    for (const c of collections) this.coll(c).clear();
    for (const n of checkpoints) this.checkpoints.delete(n);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}
}
