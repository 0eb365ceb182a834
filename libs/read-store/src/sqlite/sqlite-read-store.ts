import Database from 'better-sqlite3';
import { WalCheckpointer } from './sqlite-checkpointer';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkExpected, prefixEnd, type CollectionSpec, type Doc, type Filter, type FindOptions, type ReadStore, type Stored, type WriteSet } from '../read-store.port';

const NAME = /^[A-Za-z0-9_]+$/;
const PATH = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;
/**
 * json_extract turns true/false into 1/0 and objects/arrays into JSON text, so
 * equality alone would let `true` match 1 and a string match an object's text;
 * the json_type check keeps equality type-strict like the other adapters.
 */
const JSON_KIND: Record<string, string> = {
  string: "= 'text'",
  number: "IN ('integer', 'real')",
  boolean: "IN ('true', 'false')",
};

/**
 * The embedded read store: one table per collection `(id, doc JSON)`, with
 * expression indexes on the JSON fields that queries filter by. Checkpoints
 * live in the same file and are written in the same transaction as the
 * changes. WAL lets HTTP reads go on while a projection commits.
 */
export class SqliteReadStore implements ReadStore {
  private readonly db: Database.Database;
  private readonly known = new Set<string>();
  private readonly stmtCache = new Map<string, Database.Statement>();
  /** WAL checkpoints off the event loop, started at the first commit; none for an in-memory database. */
  private checkpointer: WalCheckpointer | null = null;
  private readonly checkpointOnThread: boolean;

  /**
   * `walCheckpoints`: 'thread' (default) for a process whose event loop
   * serves requests; 'inline' (SQLite's automatic checkpoints) for batch
   * work such as a rebuild, where a stall costs nothing and a thread costs memory.
   */
  constructor(
    private readonly file: string,
    options: { walCheckpoints?: 'thread' | 'inline' } = {},
  ) {
    this.checkpointOnThread = file !== ':memory:' && (options.walCheckpoints ?? 'thread') === 'thread';
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // Read models can always be rebuilt from the event store, and the checkpoint
    // commits with the data, so NORMAL (no fsync per commit) loses nothing.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    // A rebuild rewrites the same documents many times: keep the hot B-tree pages in memory (32 MiB).
    this.db.pragma('cache_size = -32768');
    if (this.checkpointOnThread) this.db.pragma('wal_autocheckpoint = 0');
    this.db.exec('CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL)');
  }

  async ensureCollections(specs: CollectionSpec[]): Promise<void> {
    for (const spec of specs) this.ensure(spec.name, spec.indexes);
  }

  private ensure(name: string, indexes: string[][] = []): void {
    if (!NAME.test(name)) throw new Error(`invalid collection name ${name}`);
    if (!this.known.has(name)) {
      // WITHOUT ROWID: a collection is read in id order (pages, prefixes, a report's back-fill of
      // a million contacts), which a table keyed by the id serves in one B-tree walk; as a rowid
      // table with a unique id every such row was an index lookup plus a table lookup, and the
      // back-fill took 1.45x as long, for 13% less CPU in a rebuild. Tables created as rowid
      // tables keep working (every statement here works on both).
      this.db.exec(`CREATE TABLE IF NOT EXISTS "rm_${name}" (id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID`);
      this.known.add(name);
    }
    for (const fields of indexes) {
      for (const f of fields) if (!PATH.test(f)) throw new Error(`invalid field path ${f}`);
      // ':' and ',' cannot occur in names or paths, so distinct indexes get distinct
      // names (joining with '_' made ix_a_b_c both a(b_c) and a_b(c), and the second was skipped).
      const indexName = `ix:${name}:${fields.join(',')}`;
      const columns = fields.map((f) => `json_extract(doc, '$.${f}')`).join(', ');
      this.db.exec(`CREATE INDEX IF NOT EXISTS "${indexName}" ON "rm_${name}" (${columns}, id)`);
    }
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmtCache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmtCache.set(sql, s);
    }
    return s;
  }

  async get<T = Doc>(collection: string, id: string): Promise<T | null> {
    this.ensure(collection);
    const row = this.stmt(`SELECT doc FROM "rm_${collection}" WHERE id = ?`).get(id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as T) : null;
  }

  async getMany<T = Doc>(collection: string, ids: string[]): Promise<Map<string, T>> {
    this.ensure(collection);
    const result = new Map<string, T>();
    // Chunks keep under SQLite's bound-parameter limit.
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const sql = `SELECT id, doc FROM "rm_${collection}" WHERE id IN (${chunk.map(() => '?').join(',')})`;
      for (const row of this.stmt(sql).all(...chunk) as Array<{ id: string; doc: string }>) {
        result.set(row.id, JSON.parse(row.doc) as T);
      }
    }
    return result;
  }

  async find<T = Doc>(collection: string, filter: Filter, options: FindOptions = {}): Promise<Array<Stored<T>>> {
    this.ensure(collection);
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [path, value] of Object.entries(filter)) {
      if (!PATH.test(path)) throw new Error(`invalid field path ${path}`);
      if (value === null) where.push(`json_extract(doc, '$.${path}') IS NULL`);
      else {
        // The equality on json_extract comes first so the expression index is used.
        where.push(`json_extract(doc, '$.${path}') = ? AND json_type(doc, '$.${path}') ${JSON_KIND[typeof value]}`);
        params.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
      }
    }
    if (options.afterId !== undefined) {
      where.push('id > ?');
      params.push(options.afterId);
    }
    if (options.idPrefix) {
      where.push('id >= ? AND id < ?');
      params.push(options.idPrefix, prefixEnd(options.idPrefix));
    }
    for (const f of options.fields ?? []) if (!NAME.test(f)) throw new Error(`invalid field name ${f}`);
    // `->` keeps a field's JSON type; json_extract would turn true/false into 1/0.
    const docColumn = options.fields ? `json_object(${options.fields.map((f) => `'${f}', doc -> '$.${f}'`).join(', ')})` : 'doc';
    let sql = `SELECT id, ${docColumn} AS doc FROM "rm_${collection}"`;
    if (where.length) sql += ` WHERE ${where.join(' AND ')}`;
    sql += ' ORDER BY id';
    if (options.limit !== undefined) {
      sql += ' LIMIT ?';
      params.push(options.limit);
    }
    return (this.stmt(sql).all(...params) as Array<{ id: string; doc: string }>).map((row) => ({
      id: row.id,
      doc: JSON.parse(row.doc) as T,
    }));
  }

  async commit(writes: WriteSet): Promise<void> {
    if (!this.checkpointer && this.checkpointOnThread) this.startCheckpointer();
    // Statements per collection, looked up once per commit rather than once per document.
    const puts = new Map<string, Database.Statement>();
    const deletes = new Map<string, Database.Statement>();
    for (const p of writes.puts) {
      if (!puts.has(p.collection)) {
        this.ensure(p.collection);
        // An upsert updates the row in place (OR REPLACE would delete it and insert a new one, touching every index twice).
        puts.set(p.collection, this.stmt(`INSERT INTO "rm_${p.collection}" (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`));
      }
    }
    for (const d of writes.deletes) {
      if (!deletes.has(d.collection)) {
        this.ensure(d.collection);
        deletes.set(d.collection, this.stmt(`DELETE FROM "rm_${d.collection}" WHERE id = ?`));
      }
    }
    // IMMEDIATE: the write lock is taken before the checkpoints are compared, so another
    // process cannot commit between the comparison and the writes.
    this.db.transaction(() => {
      for (const c of writes.checkpoints) if (c.expected !== undefined) checkExpected(c, this.storedCheckpoint(c.name));
      for (const p of writes.puts) puts.get(p.collection)!.run(p.id, JSON.stringify(p.doc));
      for (const d of writes.deletes) deletes.get(d.collection)!.run(d.id);
      for (const c of writes.checkpoints) {
        this.stmt('INSERT OR REPLACE INTO checkpoints (name, position) VALUES (?, ?)').run(c.name, c.position.toString());
      }
    }).immediate();
  }

  async checkpoint(name: string): Promise<bigint | null> {
    return this.storedCheckpoint(name);
  }

  private storedCheckpoint(name: string): bigint | null {
    const row = this.stmt('SELECT position FROM checkpoints WHERE name = ?').get(name) as
      | { position: string }
      | undefined;
    return row ? BigInt(row.position) : null;
  }

  async reset(collections: string[], checkpoints: string[]): Promise<void> {
    for (const c of collections) this.ensure(c);
    this.db.transaction(() => {
      for (const c of collections) this.db.prepare(`DELETE FROM "rm_${c}"`).run();
      for (const name of checkpoints) this.stmt('DELETE FROM checkpoints WHERE name = ?').run(name);
    })();
  }

  async ping(): Promise<boolean> {
    this.db.prepare('SELECT 1').get();
    return true;
  }

  private startCheckpointer(): void {
    this.checkpointer = new WalCheckpointer(this.file, (reason) => {
      // Back to SQLite's own checkpoints (on this thread): slower commits, but a bounded WAL.
      if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
      process.emitWarning(`read store WAL checkpointer failed, checkpointing inline: ${reason}`);
    });
  }

  async close(): Promise<void> {
    await this.checkpointer?.close();
    if (this.db.open) this.db.close();
  }
}
