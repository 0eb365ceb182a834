import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStoreContract } from '@mam/testing';
import { SqliteReadStore } from './sqlite-read-store';

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
