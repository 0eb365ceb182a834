import { mkdtempSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStoreContract } from '@mam/testing';
import { SqliteReadStore } from './sqlite-read-store';
import { WalCheckpointer } from './sqlite-checkpointer';

readStoreContract(
  'SqliteReadStore',
  async () => {
    // A real file, not :memory:, so reopen reads what close left on disk (WAL included).
    const dir = mkdtempSync(join(tmpdir(), 'read-store-'));
    const file = join(dir, 'nested', 'read.db');
    return {
      store: new SqliteReadStore(file),
      reopen: async () => new SqliteReadStore(file),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  { durable: true },
);

describe('SqliteReadStore WAL checkpoints', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tempFile = () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-store-wal-'));
    dirs.push(dir);
    return join(dir, 'read.db');
  };

  it('given commits on the event loop, then a worker thread copies the WAL into the database file', async () => {
    const file = tempFile();
    const store = new SqliteReadStore(file);
    await store.ensureCollections([{ name: 'docs', indexes: [['group']] }]);
    const sizeBefore = statSync(file).size;
    // Far fewer than SQLite's 1000-page automatic checkpoint, which is off on this connection anyway.
    for (let batch = 0; batch < 20; batch++) {
      const puts = Array.from({ length: 50 }, (_, i) => ({ collection: 'docs', id: `d${batch}-${i}`, doc: { group: `g${i % 7}`, text: 'x'.repeat(200) } }));
      await store.commit({ puts, deletes: [], checkpoints: [{ name: 'p', position: BigInt(batch) }] });
    }
    let grown = false;
    for (let i = 0; i < 100 && !grown; i++) {
      await new Promise((r) => setTimeout(r, 50));
      grown = statSync(file).size > sizeBefore;
    }
    expect(grown).toBe(true);
    expect((await store.find('docs', { group: 'g3' })).length).toBeGreaterThan(0);
    await store.close();
  });

  it('given a checkpointer that cannot open the file, then it reports the failure (the store falls back to inline checkpoints)', async () => {
    const reasons: string[] = [];
    const checkpointer = new WalCheckpointer(join(tempFile(), 'missing-dir', 'read.db'), (reason) => reasons.push(reason), 10);
    for (let i = 0; i < 100 && reasons.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(reasons.length).toBe(1);
    await checkpointer.close();
  });
});

describe('SqliteReadStore tables created by an earlier release', () => {
  it('given a collection stored as a rowid table with a unique id, when the store opens it, then it reads, upserts, finds by index and deletes in it as before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-store-legacy-'));
    const file = join(dir, 'read.db');
    const legacy = new Database(file);
    legacy.exec('CREATE TABLE "rm_docs" (id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)');
    legacy.prepare('INSERT INTO "rm_docs" (id, doc) VALUES (?, ?)').run('a', JSON.stringify({ group: 'g1', n: 1 }));
    legacy.close();
    const store = new SqliteReadStore(file);
    try {
      await store.ensureCollections([{ name: 'docs', indexes: [['group']] }]);
      expect(await store.get('docs', 'a')).toEqual({ group: 'g1', n: 1 });
      await store.commit({ puts: [{ collection: 'docs', id: 'a', doc: { group: 'g2', n: 2 } }, { collection: 'docs', id: 'b', doc: { group: 'g2', n: 3 } }], deletes: [], checkpoints: [] });
      expect(await store.find('docs', { group: 'g2' })).toEqual([
        { id: 'a', doc: { group: 'g2', n: 2 } },
        { id: 'b', doc: { group: 'g2', n: 3 } },
      ]);
      expect(await store.find('docs', { group: 'g1' })).toEqual([]);
      await store.commit({ puts: [], deletes: [{ collection: 'docs', id: 'a' }], checkpoints: [] });
      expect([...(await store.getMany('docs', ['a', 'b'])).keys()]).toEqual(['b']);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('given a new collection, then its table is keyed by the id (WITHOUT ROWID: reads in id order walk one B-tree)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-store-shape-'));
    const file = join(dir, 'read.db');
    const store = new SqliteReadStore(file);
    await store.ensureCollections([{ name: 'docs', indexes: [] }]);
    await store.close();
    const db = new Database(file, { readonly: true });
    const sql = (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'rm_docs'").pluck().get() as string) ?? '';
    db.close();
    rmSync(dir, { recursive: true, force: true });
    expect(sql).toContain('PRIMARY KEY');
    expect(sql).toContain('WITHOUT ROWID');
  });
});
