import { EVENT_STORE, type EventStore } from '@mam/event-store';
import { GENERATIONS, READ_STORE, type GenerationalReadStore, type GenerationDoc } from '@mam/read-store';
import { TestApp } from '../../api/test/test-app';
import { ALL_PROJECTIONS } from '../../api/src/projections/projection-registry';
import { rebuild } from './rebuild';
import { retryParked } from './retry-parked';
import { PARKED_COLLECTION, parkedEntry } from '../../api/src/projections/parked-events';
import { SagasService } from '../../api/src/sagas/sagas.service';
import { lineProgress } from './progress';

const quiet = lineProgress({ write: () => undefined });

const account = (accountId: string) => ({
  accountId,
  name: `Account ${accountId}`,
  hostingLocation: 'na1',
  subscriptions: [{ hub: 'sales', tier: 'professional' }],
});

async function until(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ops rebuild while the service serves', () => {
  let t: TestApp;
  beforeAll(async () => (t = await TestApp.start({ RUN_SAGAS: 'false' })));
  afterAll(() => t.close());

  it('given a running service, when every read model is rebuilt, then it switches to the new generation, keeps answering the same, and the old one is emptied', async () => {
    for (const id of ['r1', 'r2', 'r3']) expect((await t.request('POST', '/v1/accounts', { body: account(id) })).status).toBe(201);
    const last = await t.request('PUT', '/v1/accounts/r2/users/u1', { body: { roles: ['super-admin'], seats: ['sales'] } });
    const before = (await t.read('/v1/accounts/r2', last.body.position)).body;

    // The CLI's own stores (another process in real life) on the same files.
    const events = t.app.get<EventStore>(EVENT_STORE);
    const readStore = t.app.get<GenerationalReadStore>(READ_STORE);
    const lines: string[] = [];
    const rebuilding = rebuild(events, readStore, ALL_PROJECTIONS, (l) => lines.push(l), quiet);

    // The service keeps taking commands and answering queries during the rebuild.
    const during = await t.request('POST', '/v1/accounts', { body: account('r4') });
    expect(during.status).toBe(201);
    await rebuilding;

    expect(lines.join('\n')).toMatch(/generation 1 .* is now the one served/);
    await until(async () => readStore.generationOf('accounts') === 1);
    const docs = await readStore.inner.find<GenerationDoc>(GENERATIONS, {});
    expect(docs.map((d) => d.doc.generation)).toEqual(ALL_PROJECTIONS.map(() => 1));
    expect(docs.every((d) => d.doc.previous === null)).toBe(true);

    // Same answers from the new generation, including what was written during the rebuild.
    expect((await t.read('/v1/accounts/r2', last.body.position)).body).toEqual(before);
    expect((await t.read('/v1/accounts/r4', during.body.position)).status).toBe(200);
    const after = await t.request('PUT', '/v1/accounts/r3/users/u2', { body: { roles: [], seats: ['service'] } });
    expect((await t.read('/v1/accounts/r3', after.body.position)).body.users).toEqual([{ userId: 'u2', roles: [], seats: ['service'] }]);

    // The old generation is empty.
    expect(await readStore.inner.find('accounts', {})).toEqual([]);
    expect((await readStore.inner.find('accounts__g1', {})).length).toBe(4);
  });
});

describe('ops rebuild and the switch, edge cases', () => {
  let t: TestApp;
  let readStore: GenerationalReadStore;
  beforeAll(async () => {
    t = await TestApp.start({ RUN_SAGAS: 'false' });
    readStore = t.app.get<GenerationalReadStore>(READ_STORE);
  });
  afterAll(() => t.close());

  const flip = (projection: string, generation: number, previous: number) =>
    readStore.inner.commit({ puts: [{ collection: GENERATIONS, id: projection, doc: { projection, generation, previous } satisfies GenerationDoc }], deletes: [], checkpoints: [] });

  it('given appends while the rebuild runs, then the generation it flips to has reached the head as it was at the flip, not as it was at the start', async () => {
    expect((await t.request('POST', '/v1/accounts', { body: account('h1') })).status).toBe(201);
    const generation = readStore.generationOf('accounts') + 1;
    let appended: Promise<unknown> | null = null;
    // Accounts registered while the rebuild applies its first event.
    const accounts = ALL_PROJECTIONS.find((p) => p.name === 'accounts')!;
    const during = { ...accounts, apply: (e: Parameters<typeof accounts.apply>[0], tx: Parameters<typeof accounts.apply>[1]) => {
      appended ??= Promise.all(['h2', 'h3', 'h4'].map((id) => t.request('POST', '/v1/accounts', { body: account(id) })));
      return appended.then(() => accounts.apply(e, tx));
    } };
    const inner = readStore.inner;
    const commit = inner.commit.bind(inner);
    let atFlip: bigint | null | undefined;
    inner.commit = async (writes) => {
      if (atFlip === undefined && writes.puts.some((p) => p.collection === GENERATIONS)) atFlip = await inner.checkpoint(`accounts@g${generation}`);
      return commit(writes);
    };
    try {
      await rebuild(t.events, readStore, [during], () => undefined, quiet);
    } finally {
      inner.commit = commit;
    }
    expect(atFlip).toBe(await t.headPosition());
  });

  it('given readers switched to a generation that is behind, then a read with X-Min-Position waits for that generation instead of answering from it at once', async () => {
    const created = await t.request('POST', '/v1/accounts', { body: account('s1') });
    expect((await t.read('/v1/accounts/s1', created.body.position)).status).toBe(200);
    // A generation with nothing in it yet, and the old one's emptying held up.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const reset = readStore.resetGeneration.bind(readStore);
    readStore.resetGeneration = async (...args) => {
      await gate;
      return reset(...args);
    };
    const current = readStore.generationOf('accounts');
    try {
      await flip('accounts', current + 1, current);
      await until(async () => readStore.generationOf('accounts') === current + 1);
      const read = await t.read('/v1/accounts/s1', created.body.position);
      expect({ status: read.status, accountId: read.body.accountId }).toEqual({ status: 200, accountId: 's1' });
    } finally {
      release();
      readStore.resetGeneration = reset;
    }
  });

  it('given a switch that fails part-way (the store busy when the runner restarts), then it is taken up again and the read models go on', async () => {
    const ensure = readStore.ensureCollections.bind(readStore);
    let failures = 1;
    readStore.ensureCollections = async (specs) => {
      if (failures-- > 0) throw new Error('database is locked');
      return ensure(specs);
    };
    const current = readStore.generationOf('accounts');
    try {
      await flip('accounts', current + 1, current);
      await until(async () => readStore.generationOf('accounts') === current + 1);
      const created = await t.request('POST', '/v1/accounts', { body: account('f1') });
      const read = await t.read('/v1/accounts/f1', created.body.position);
      expect({ status: read.status, accountId: read.body.accountId }).toEqual({ status: 200, accountId: 'f1' });
    } finally {
      readStore.ensureCollections = ensure;
    }
  });

  it('given a parked projection event, when its retry fails before the new generation is served, then it stays parked', async () => {
    const created = await t.request('POST', '/v1/accounts', { body: account('p1') });
    const [event] = await t.events.readStream('account-p1');
    const entry = parkedEntry('accounts', event, new Error('cannot handle this one'));
    await readStore.commit({ puts: [{ collection: PARKED_COLLECTION, id: entry.id, doc: { ...entry } }], deletes: [], checkpoints: [] });
    const broken = Object.assign(Object.create(t.events) as EventStore, { headPosition: async () => Promise.reject(new Error('the store went away')) });
    await expect(retryParked([entry], broken, readStore, t.app.get(SagasService), () => undefined)).rejects.toThrow('the store went away');
    expect(await readStore.get(PARKED_COLLECTION, entry.id)).toEqual(entry);
    expect(created.status).toBe(201);
  });
});
