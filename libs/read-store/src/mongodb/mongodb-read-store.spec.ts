import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { readStoreContract } from '@mam/testing';
import { MongoReadStore } from './mongodb-read-store';
import { DocumentTooLargeError } from '../errors';

const url = process.env.MONGODB_URL;

if (url) {
  // A fresh database per test, dropped afterwards, so runs never see each other's data.
  readStoreContract(
    'MongoReadStore',
    async () => {
      const dbName = `rs_contract_${randomBytes(6).toString('hex')}`;
      return {
        store: await MongoReadStore.connect(url, dbName),
        reopen: () => MongoReadStore.connect(url, dbName),
        cleanup: async () => {
          const client = await new MongoClient(url, { serverSelectionTimeoutMS: 5000 }).connect();
          try {
            await client.db(dbName).dropDatabase();
          } finally {
            await client.close();
          }
        },
      };
    },
    { durable: true },
  );

  describe('MongoReadStore on a server', () => {
    const dbName = `rs_adapter_${randomBytes(6).toString('hex')}`;
    let store: MongoReadStore;
    let client: MongoClient;
    beforeAll(async () => {
      store = await MongoReadStore.connect(url, dbName);
      client = await new MongoClient(url).connect();
    });
    afterAll(async () => {
      await store.close();
      await client.db(dbName).dropDatabase();
      await client.close();
    });

    it('creates the checkpoints collection up front, so no first commit creates one inside a transaction', async () => {
      await store.ensureCollections([{ name: 'items', indexes: [['kind']] }]);
      const names = (await client.db(dbName).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
      expect(names).toEqual(expect.arrayContaining(['checkpoints', 'rm_items']));
    });

    it('reset drops and recreates a collection with its indexes, outside any transaction', async () => {
      await store.ensureCollections([{ name: 'items', indexes: [['kind'], ['owner.org', 'active']] }]);
      const before = (await client.db(dbName).collection('rm_items').indexes()).map((i) => i.name).sort();
      await store.commit({ puts: [{ collection: 'items', id: 'a', doc: { kind: 'k' } }], deletes: [], checkpoints: [{ name: 'p', position: 1n }] });
      await store.reset(['items'], ['p']);
      expect((await client.db(dbName).collection('rm_items').indexes()).map((i) => i.name).sort()).toEqual(before);
      expect(await store.find('items', {})).toEqual([]);
      expect(await store.checkpoint('p')).toBeNull();
    });
  });
} else {
  const title = 'MongoDB contract (MONGODB_URL not set: no server here; docker compose up starts one)';
  console.info(`skipped: ${title}`);
  describe.skip(title, () => {
    it('runs the ReadStore contract against MongoDB', () => undefined);
  });
}

// Needs no server: nothing listens on port 1, so connecting must fail, and quickly.
describe('MongoReadStore.connect', () => {
  it('fails fast with an error naming the host but not the credentials', async () => {
    const started = Date.now();
    const error = await MongoReadStore.connect('mongodb://reader:s3cret@127.0.0.1:1/app', undefined, 300).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toContain('cannot reach 127.0.0.1:1');
    expect(error!.message).not.toContain('s3cret');
    expect(error!.message).not.toContain('reader');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('MongoReadStore.checkDocument (no server: BSON sizes only)', () => {
  // The size check needs no connection: a store without one is enough.
  const store = Object.create(MongoReadStore.prototype) as MongoReadStore;

  it('given a document over 16 MiB of BSON, then it is refused as too large, naming it', () => {
    const error = (() => {
      try {
        store.checkDocument('contacts', 'c1', { text: 'x'.repeat(16 * 1024 * 1024) });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DocumentTooLargeError);
    expect(error).toMatchObject({ collection: 'contacts', id: 'c1' });
  });

  it('given a document well under the limit, then it passes', () => {
    expect(() => store.checkDocument('contacts', 'c1', { text: 'x'.repeat(15 * 1024 * 1024) })).not.toThrow();
  });
});

describe('MongoReadStore.commit failing (a driver double, no server)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { BSON, MongoNetworkError } = require('mongodb') as typeof import('mongodb');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ReadStoreUnavailableError } = require('../errors') as typeof import('../errors');

  /** A store whose collections serialize each operation as the driver does, or fail with `failure`. */
  function storeWith(failure?: Error): MongoReadStore {
    const coll = {
      collectionName: 'rm_items',
      bulkWrite: async (ops: object[]) => {
        if (failure) throw failure;
        for (const op of ops) BSON.serialize(op);
      },
    };
    const client = { startSession: () => ({ withTransaction: async (fn: () => Promise<void>) => fn(), endSession: async () => undefined }) };
    return Object.assign(Object.create(MongoReadStore.prototype) as MongoReadStore, { db: { collection: () => coll }, client });
  }
  const writes = (doc: Record<string, unknown>) => ({ puts: [{ collection: 'items', id: 'a', doc: { small: true } }, { collection: 'items', id: 'huge', doc }], deletes: [], checkpoints: [] });

  it('given a document past 17 MiB (BSON fails with a RangeError), then the commit fails as too large, naming it', async () => {
    const error = await storeWith()
      .commit(writes({ text: 'x'.repeat(17 * 1024 * 1024) }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentTooLargeError);
    expect(error).toMatchObject({ collection: 'items', id: 'huge' });
  });

  it('given a lost connection, then the commit fails as an outage (waited out, never parked)', async () => {
    const error = await storeWith(new MongoNetworkError('connection 2 to mongodb:27017 closed'))
      .commit(writes({ ok: true }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadStoreUnavailableError);
  });

  it('given any other failure, then it is rethrown as it was', async () => {
    const failure = new Error('E11000 duplicate key');
    expect(await storeWith(failure).commit(writes({ ok: true })).catch((e: unknown) => e)).toBe(failure);
  });
});
