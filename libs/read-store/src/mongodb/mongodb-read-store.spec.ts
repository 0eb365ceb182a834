import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { readStoreContract } from '@mam/testing';
import { MongoReadStore } from './mongodb-read-store';

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
