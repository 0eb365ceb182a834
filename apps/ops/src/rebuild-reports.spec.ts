import { EVENT_STORE, type EventStore } from '@mam/event-store';
import { READ_STORE, type GenerationalReadStore } from '@mam/read-store';
import { TestApp } from '../../api/test/test-app';
import { eligibleAccounts, features, ok, orgHeaders, postOrganization } from '../../api/test/fixtures';
import { reportsProjection } from '../../api/src/reports/report.projection';
import { rebuild } from './rebuild';

/** Reports are read models like the others: `ops rebuild reports` recounts them from the first event. */
describe('ops rebuild of the reports', () => {
  let t: TestApp;
  beforeAll(async () => (t = await TestApp.start({ RUN_SAGAS: 'false' })));
  afterAll(() => t.close());

  it('given a report whose contacts moved between groups, when the reports are rebuilt, then the results are the same and keep following the data', async () => {
    const e = await eligibleAccounts(t, 2, 'rebuild-rpt');
    const [a] = e.others;
    const reporting = { accounts: [a, e.primary] as [string, string], direction: 'one-way' as const, from: a, features: features({ reporting: true }) };
    const org = await ok(postOrganization(t, e.user, { primaryAccountId: e.primary, additionalAccountIds: [a], connections: [reporting] }), 201);
    const put = (account: string, id: string, color: string) =>
      ok(t.request('PUT', `/v1/accounts/${account}/contacts/${id}`, { body: { email: `${id}@x.test`, properties: { color } } }));
    await put(e.primary, 'c1', 'red');
    await put(a, 'c2', 'red');
    const body = { name: 'r', destinationAccountId: e.primary, sourceAccountIds: [a], object: 'contacts', groupBy: ['property:color'], measures: ['count'] };
    const { reportId } = await ok(t.request('POST', `/v1/organizations/${org.organizationId}/reports`, { body, headers: await orgHeaders(e.user) }), 201);
    const moved = await put(a, 'c2', 'blue');
    const url = `/v1/reports/${reportId}/results`;
    const before = (await t.read(url, moved.position, { 'x-actor-user-id': e.user })).body;
    expect(before.rows).toEqual([
      { dimensions: { 'property:color': 'blue' }, count: 1 },
      { dimensions: { 'property:color': 'red' }, count: 1 },
    ]);

    const readStore = t.app.get<GenerationalReadStore>(READ_STORE);
    await rebuild(t.app.get<EventStore>(EVENT_STORE), readStore, [reportsProjection], () => undefined);
    const deadline = Date.now() + 5000;
    while (readStore.generationOf(reportsProjection.name) !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(readStore.generationOf(reportsProjection.name)).toBe(1);

    expect((await t.read(url, moved.position, { 'x-actor-user-id': e.user })).body).toEqual(before);
    const later = await put(e.primary, 'c1', 'blue');
    expect((await t.read(url, later.position, { 'x-actor-user-id': e.user })).body.rows).toEqual([{ dimensions: { 'property:color': 'blue' }, count: 2 }]);
  });
});
