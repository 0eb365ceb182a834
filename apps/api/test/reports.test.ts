import { stepUp, TestApp, type Answer } from './test-app';
import { eligibleAccounts, eventually, features, ok, orgHeaders, postOrganization, uid, type Connection, type Eligible } from './fixtures';

/**
 * Multi-account reports (R1–R6) through the real app: commands, their
 * rejections (nothing appended), results that follow the data with
 * read-your-writes, exclusions, and R3 access.
 */
describe('Multi-account reports (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await TestApp.start()));
  afterAll(() => t.close());

  const oneWay = (from: string, to: string): Connection => ({ accounts: [from, to], direction: 'one-way', from, features: features({ reporting: true }) });
  const as = (user: string, acting?: string) => ({ 'x-actor-user-id': user, ...(acting ? { 'x-acting-account-id': acting } : {}) });

  async function rejects(send: () => Promise<Answer>, status: number, code: string): Promise<void> {
    const before = await t.eventCount();
    const res = await send();
    expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await t.eventCount()).toBe(before);
  }

  const putContact = (account: string, id: string, properties: Record<string, string> = {}) =>
    ok(t.request('PUT', `/v1/accounts/${account}/contacts/${id}`, { body: { email: `${id}@x.test`, properties } }));

  interface World extends Eligible {
    organizationId: string;
    a: string;
    b: string;
    position: string;
  }

  /** P, a, b in one organization with reporting flows a → P and b → P; contacts with a `color` in P and a. */
  async function world(prefix: string): Promise<World> {
    const e = await eligibleAccounts(t, 3, prefix);
    const [a, b] = e.others;
    const org = await ok(
      postOrganization(t, e.user, { primaryAccountId: e.primary, additionalAccountIds: [a, b], connections: [oneWay(a, e.primary), oneWay(b, e.primary)] }),
      201,
    );
    await putContact(e.primary, 'p1', { color: 'red' });
    await putContact(e.primary, 'p2', { color: 'blue' });
    await putContact(a, 'a1', { color: 'red' });
    await putContact(a, 'a2', {});
    const last = await putContact(b, 'b1', {});
    return { ...e, a, b, organizationId: org.organizationId, position: last.position };
  }

  const byColor = (w: World, overrides: Record<string, unknown> = {}) => ({
    name: 'By color',
    destinationAccountId: w.primary,
    sourceAccountIds: [w.a],
    object: 'contacts',
    groupBy: ['account', 'property:color'],
    measures: ['count'],
    ...overrides,
  });
  const post = async (w: World, body: object, headers?: Record<string, string>) =>
    t.request('POST', `/v1/organizations/${w.organizationId}/reports`, { body, headers: headers ?? (await orgHeaders(w.user)) });
  const results = (w: World, reportId: string, position?: string, user = w.user) => t.read(`/v1/reports/${reportId}/results`, position, as(user));

  it('R1 POST answers 201 { reportId, position }; results count the destination and its sources, grouped, null for a missing property', async () => {
    const w = await world('rp-ok');
    const reportId = uid('report');
    const res = await post(w, { reportId, ...byColor(w) });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ reportId, position: expect.stringMatching(/^\d+$/) });
    const got = await results(w, reportId, res.body.position);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      reportId,
      accounts: [w.primary, w.a],
      excluded: [],
      rows: [
        { dimensions: { account: w.a, 'property:color': null }, count: 1 },
        { dimensions: { account: w.a, 'property:color': 'red' }, count: 1 },
        { dimensions: { account: w.primary, 'property:color': 'blue' }, count: 1 },
        { dimensions: { account: w.primary, 'property:color': 'red' }, count: 1 },
      ].sort((x, y) => (x.dimensions.account < y.dimensions.account ? -1 : x.dimensions.account > y.dimensions.account ? 1 : 0)),
    });
    const list = await t.read(`/v1/organizations/${w.organizationId}/reports`, res.body.position, as(w.user, w.primary));
    expect(list.body).toEqual({ items: [{ reportId, ...byColor(w), filters: [] }] });
    const history = await t.read(`/v1/organizations/${w.organizationId}/history`, res.body.position, as(w.user, w.primary));
    expect(history.body.items.at(-1)).toEqual(
      expect.objectContaining({ type: 'ReportDefined', actorUserId: w.user, verification: 'otp', details: { reportId, definition: { ...byColor(w), filters: [] } } }),
    );
  });

  it('R6 a source edit or deletion shows at the next read with X-Min-Position; rows are ascending with null first', async () => {
    const w = await world('rp-follow');
    const { reportId } = await ok(post(w, byColor(w, { groupBy: ['property:color'] })), 201);
    await putContact(w.a, 'a2', { color: 'blue' });
    const deleted = await ok(t.request('DELETE', `/v1/accounts/${w.primary}/contacts/p1`));
    const got = await results(w, reportId, deleted.position);
    expect(got.body.rows).toEqual([
      { dimensions: { 'property:color': 'blue' }, count: 2 },
      { dimensions: { 'property:color': 'red' }, count: 1 },
    ]);
    const added = await putContact(w.primary, 'p9');
    expect((await results(w, reportId, added.position)).body.rows[0]).toEqual({ dimensions: { 'property:color': null }, count: 1 });
  });

  it('R1 NO_FLOW for a source without a reporting flow into the destination; NOT_A_MEMBER for an outsider', async () => {
    const w = await world('rp-noflow');
    await rejects(async () => post(w, byColor(w, { destinationAccountId: w.a, sourceAccountIds: [w.primary] })), 422, 'NO_FLOW');
    await rejects(async () => post(w, byColor(w, { sourceAccountIds: ['nobody-here'] })), 422, 'NOT_A_MEMBER');
  });

  it('R5 PROPERTY_NOT_SHARED when contacts of fewer than two of the report accounts carry the property (dimension or filter)', async () => {
    const w = await world('rp-shared');
    await rejects(async () => post(w, byColor(w, { sourceAccountIds: [w.b] })), 422, 'PROPERTY_NOT_SHARED');
    await rejects(async () => post(w, byColor(w, { groupBy: ['account'], filters: [{ field: 'property:size', equals: 'L' }] })), 422, 'PROPERTY_NOT_SHARED');
    // A property written just before the command is seen (the command waits for the projection).
    await putContact(w.b, 'b2', { color: 'green' });
    expect((await post(w, byColor(w, { sourceAccountIds: [w.b] }))).status).toBe(201);
  });

  it.each([
    ['four dimensions', { groupBy: ['account', 'property:a', 'property:b', 'property:c'] }],
    ['an unknown measure', { measures: ['max:amount'] }],
    ['sum:amount for contacts', { measures: ['count', 'sum:amount'] }],
    ['stage for contacts', { groupBy: ['stage'] }],
    ['a filter on account', { filters: [{ field: 'account', equals: 'x' }] }],
    ['an unknown field', { colour: 'red' }],
    ['no measure', { measures: [] }],
  ])('400 VALIDATION_FAILED for %s', async (_what, overrides) => {
    const w = await world(uid('rp-400'));
    await rejects(async () => post(w, byColor(w, overrides)), 400, 'VALIDATION_FAILED');
  });

  it('R2 needs a fresh step-up, spent only by a command that succeeds, and a Super Admin in every member', async () => {
    const w = await world('rp-r2');
    await rejects(async () => post(w, byColor(w), await orgHeaders(w.user, { stepUp: null })), 403, 'STEP_UP_REQUIRED');
    const token = await stepUp(w.user);
    await rejects(async () => post(w, byColor(w, { sourceAccountIds: [w.b] }), { ...as(w.user), 'x-step-up': token }), 422, 'PROPERTY_NOT_SHARED');
    expect((await post(w, byColor(w), { ...as(w.user), 'x-step-up': token })).status).toBe(201);
    await rejects(async () => post(w, byColor(w), { ...as(w.user), 'x-step-up': token }), 403, 'STEP_UP_REQUIRED');
    await ok(t.request('DELETE', `/v1/accounts/${w.b}/users/${w.user}`));
    await rejects(async () => post(w, byColor(w)), 403, 'NOT_SUPER_ADMIN');
  });

  it('R2 PUT edits the whole definition (recounted at once); DELETE removes it (404 afterwards); an id is taken once', async () => {
    const w = await world('rp-edit');
    const { reportId } = await ok(post(w, byColor(w)), 201);
    await rejects(async () => post(w, { reportId, ...byColor(w) }), 409, 'ALREADY_EXISTS');
    const edited = await ok(
      t.request('PUT', `/v1/organizations/${w.organizationId}/reports/${reportId}`, { body: byColor(w, { groupBy: ['account'], sourceAccountIds: [w.a, w.b] }), headers: await orgHeaders(w.user) }),
    );
    expect(edited).toEqual({ position: expect.stringMatching(/^\d+$/) });
    expect((await results(w, reportId, edited.position)).body.rows).toEqual(
      [
        { dimensions: { account: w.primary }, count: 2 },
        { dimensions: { account: w.a }, count: 2 },
        { dimensions: { account: w.b }, count: 1 },
      ].sort((x, y) => (x.dimensions.account < y.dimensions.account ? -1 : 1)),
    );
    const removed = await ok(t.request('DELETE', `/v1/organizations/${w.organizationId}/reports/${reportId}`, { headers: await orgHeaders(w.user) }));
    expect((await results(w, reportId, removed.position)).status).toBe(404);
    await rejects(async () => t.request('DELETE', `/v1/organizations/${w.organizationId}/reports/${reportId}`, { headers: await orgHeaders(w.user) }), 404, 'NOT_FOUND');
    await rejects(
      async () => t.request('PUT', `/v1/organizations/${w.organizationId}/reports/${reportId}`, { body: byColor(w), headers: await orgHeaders(w.user) }),
      404,
      'NOT_FOUND',
    );
  });

  it('R3 results and the listing are for Super Admins of the destination only; they need no role in the sources', async () => {
    const w = await world('rp-r3');
    const { reportId, position } = await ok(post(w, byColor(w)), 201);
    const viewer = uid('rp-viewer');
    await ok(t.request('PUT', `/v1/accounts/${w.primary}/users/${viewer}`, { body: { roles: ['super-admin'], seats: [] } }));
    const sourceAdmin = uid('rp-source-admin');
    const last = await ok(t.request('PUT', `/v1/accounts/${w.a}/users/${sourceAdmin}`, { body: { roles: ['super-admin'], seats: [] } }));
    expect((await results(w, reportId, last.position, viewer)).status).toBe(200);
    await rejects(async () => results(w, reportId, last.position, sourceAdmin), 403, 'FORBIDDEN');
    const list = (user: string, acting: string) => t.read(`/v1/organizations/${w.organizationId}/reports`, position, as(user, acting));
    expect((await list(viewer, w.primary)).body.items).toHaveLength(1);
    expect((await list(w.user, w.a)).body.items).toEqual([]);
    await rejects(async () => list(sourceAdmin, w.primary), 403, 'FORBIDDEN');
    await rejects(async () => list(uid('stranger'), w.primary), 404, 'NOT_FOUND');
    await rejects(async () => results(w, 'no-such-report'), 404, 'NOT_FOUND');
  });

  it('R6 a revoked flow (C4) removes the source rows at once and lists it as no-flow; the report stays', async () => {
    const w = await world('rp-revoked');
    const { reportId } = await ok(post(w, byColor(w, { groupBy: ['account'] })), 201);
    await ok(t.request('PUT', `/v1/accounts/${w.a}/sensitive-data`, { body: { enabled: true } }));
    const got = await eventually(() => results(w, reportId), (r) => r.body.excluded?.length > 0);
    expect(got.body).toEqual({ reportId, accounts: [w.primary], excluded: [{ accountId: w.a, reason: 'no-flow' }], rows: [{ dimensions: { account: w.primary }, count: 2 }] });
  });

  it('R6 a departed account is listed as left-organization; an account without the grouped property as property-missing', async () => {
    const w = await world('rp-left');
    const { reportId, position } = await ok(post(w, byColor(w, { sourceAccountIds: [w.a, w.b] })), 201);
    const first = await results(w, reportId, position);
    expect(first.body.excluded).toEqual([{ accountId: w.b, reason: 'property-missing' }]);
    expect(first.body.accounts).toEqual([w.primary, w.a]);
    const changed = await ok(t.request('PUT', `/v1/organizations/${w.organizationId}/members`, { body: { accountIds: [w.primary, w.b] }, headers: await orgHeaders(w.user, { acting: w.primary }) }));
    const got = await results(w, reportId, changed.position);
    expect(got.body.excluded).toEqual([
      { accountId: w.a, reason: 'left-organization' },
      { accountId: w.b, reason: 'property-missing' },
    ]);
    const colored = await putContact(w.b, 'b1', { color: 'red' });
    expect((await results(w, reportId, colored.position)).body).toEqual(
      expect.objectContaining({ accounts: [w.primary, w.b], excluded: [{ accountId: w.a, reason: 'left-organization' }] }),
    );
  });

  it('deals: count, sum and average of the amount, exact through repeated edits', async () => {
    const w = await world('rp-deals');
    const body = { ...byColor(w), object: 'deals', groupBy: ['stage'], measures: ['count', 'sum:amount', 'avg:amount'] };
    const { reportId } = await ok(post(w, body), 201);
    const deal = (account: string, id: string, stage: string, amount?: number) =>
      ok(t.request('PUT', `/v1/accounts/${account}/deals/${id}`, { body: { name: id, stage, contactIds: [], ...(amount !== undefined ? { amount } : {}) } }));
    for (let i = 0; i < 10; i++) await deal(w.primary, 'd1', i % 2 ? 'won' : 'open', 0.1);
    await deal(w.a, 'd2', 'won', 0.2);
    const last = await deal(w.a, 'd3', 'won');
    expect((await results(w, reportId, last.position)).body.rows).toEqual([{ dimensions: { stage: 'won' }, count: 3, sumAmount: 0.3, avgAmount: 0.15 }]);
  });

  it('R6 deleting the organization deletes its reports (404)', async () => {
    const w = await world('rp-orgdel');
    const { reportId } = await ok(post(w, byColor(w)), 201);
    const deleted = await ok(t.request('DELETE', `/v1/organizations/${w.organizationId}`, { headers: await orgHeaders(w.user, { acting: w.primary }) }));
    await rejects(async () => results(w, reportId, deleted.position), 404, 'NOT_FOUND');
    await rejects(async () => post(w, byColor(w)), 422, 'ORGANIZATION_DELETED');
  });
});
