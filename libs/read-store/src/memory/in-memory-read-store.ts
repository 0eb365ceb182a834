import type { CollectionSpec, Doc, Filter, FindOptions, ReadStore, Stored, WriteSet } from '../read-store.port';
import { checkExpected, inRange, matches } from '../read-store.port';

// The SQLite and MongoDB adapters' rule: a test double that accepted other
// names would pass unit tests that fail against the real stores.
const NAME = /^[A-Za-z0-9_]+$/;

/** For unit tests only. Docs are kept as JSON text so callers never share objects with the store. */
export class InMemoryReadStore implements ReadStore {
  private readonly collections = new Map<string, Map<string, string>>();
  private readonly checkpoints = new Map<string, bigint>();

  private coll(name: string): Map<string, string> {
    if (!NAME.test(name)) throw new Error(`invalid collection name ${name}`);
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
      .filter((r) => matches(r.doc, filter) && inRange(r.id, options))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return rows.slice(0, options.limit ?? rows.length) as Array<Stored<T>>;
  }

  async commit(writes: WriteSet): Promise<void> {
    // Everything that can throw (names, JSON.stringify) runs before the first
    // change, so a failing commit applies nothing, as the port requires.
    const puts = writes.puts.map((p) => ({ coll: this.coll(p.collection), id: p.id, raw: JSON.stringify(p.doc) }));
    const deletes = writes.deletes.map((d) => ({ coll: this.coll(d.collection), id: d.id }));
    for (const c of writes.checkpoints) checkExpected(c, this.checkpoints.get(c.name) ?? null);
    for (const p of puts) p.coll.set(p.id, p.raw);
    for (const d of deletes) d.coll.delete(d.id);
    for (const c of writes.checkpoints) this.checkpoints.set(c.name, c.position);
  }

  async checkpoint(name: string): Promise<bigint | null> {
    return this.checkpoints.get(name) ?? null;
  }

  async reset(collections: string[], checkpoints: string[]): Promise<void> {
    for (const c of collections.map((name) => this.coll(name))) c.clear();
    for (const n of checkpoints) this.checkpoints.delete(n);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}
}
