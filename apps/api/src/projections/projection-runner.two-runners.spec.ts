import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { InMemoryEventStore, type NewEvent } from '@mam/event-store';
import { InMemoryReadStore, SqliteReadStore, type ReadStore } from '@mam/read-store';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';

/**
 * Two processes that both run the projections on one store (a misconfigured
 * split, or an ops rebuild still running after the service took over) must
 * not apply an event twice: each commit expects its checkpoint where its
 * runner left it, and the loser resumes from the stored one.
 */
const ev = (): NewEvent => ({ id: randomUUID(), type: 'Counted', data: { key: 'k' }, metadata: { at: '2026-11-01T00:00:00Z' } });

/** Not idempotent on purpose: an event applied twice counts twice. */
const counting: Projection = {
  name: 'counting',
  collections: [{ name: 'counts', indexes: [] }],
  eventTypes: new Set(['Counted']),
  async apply(_event, tx) {
    const doc = (await tx.get<{ n: number }>('counts', 'k')) ?? { n: 0 };
    tx.put('counts', 'k', { n: doc.n + 1 });
  },
};

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('two projection runners on one read store', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mam-two-runners-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const stores: Array<[string, () => [ReadStore, ReadStore]]> = [
    ['one shared store', () => { const s = new InMemoryReadStore(); return [s, s]; }],
    ['two SQLite connections to one file (two processes)', () => [new SqliteReadStore(join(dir, 'rm.db')), new SqliteReadStore(join(dir, 'rm.db'))]],
  ];

  it.each(stores)('given both running while events arrive (%s), then every event is counted exactly once', async (_name, open) => {
    const events = new InMemoryEventStore();
    const [a, b] = open();
    const first = new ProjectionRunner('first', events, a, [counting], { batchSize: 7 });
    const second = new ProjectionRunner('second', events, b, [counting], { batchSize: 7 });
    await Promise.all([first.start(), second.start()]);
    let revision: bigint | 'no_stream' = 'no_stream';
    for (let i = 0; i < 30; i++) {
      revision = (await events.append('s', [ev(), ev(), ev(), ev(), ev()], revision)).nextRevision;
      await new Promise((r) => setImmediate(r));
    }
    const head = (await events.headPosition())!;
    await until(async () => (await a.checkpoint('counting')) === head, 20_000);
    await Promise.all([first.stop(), second.stop()]);

    expect(await a.get('counts', 'k')).toEqual({ n: 150 });
    await a.close();
    if (b !== a) await b.close();
  }, 30_000);
});
