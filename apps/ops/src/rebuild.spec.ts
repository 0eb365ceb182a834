import { EVENT_STORE, type EventStore } from '@mam/event-store';
import { GENERATIONS, READ_STORE, type GenerationalReadStore, type GenerationDoc } from '@mam/read-store';
import { TestApp } from '../../api/test/test-app';
import { ALL_PROJECTIONS } from '../../api/src/projections/projection-registry';
import { rebuild } from './rebuild';

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
    const rebuilding = rebuild(events, readStore, ALL_PROJECTIONS, (l) => lines.push(l));

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
