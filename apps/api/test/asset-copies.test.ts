import { SagasService } from '../src/sagas/sagas.service';
import { TestApp, type Answer } from './test-app';
import { eligibleAccounts, eventually, features, givenOrganization, ok, orgHeaders, uid, type Connection, type Eligible } from './fixtures';

/**
 * Assets and asset copies through the real app on the embedded store: PUT
 * and GET assets, the copy request's synchronous checks (nothing appended
 * when refused), and the process manager carrying the copy out in the
 * background from the event store's subscription.
 */
describe('assets and asset copies through the real app (AC1–AC4)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await TestApp.start()));
  afterAll(() => t.close());

  const oneWay = (from: string, to: string, on: Partial<Connection['features']> = { assetCopying: true }): Connection => ({
    accounts: [from, to],
    direction: 'one-way',
    from,
    features: features(on),
  });

  interface Setup extends Eligible {
    organizationId: string;
    source: string;
    target: string;
  }

  /** Source and target (and the primary) in one organization, the actor a Super Admin of all, with a copying flow source → target. */
  async function setup(prefix: string, connection?: (s: string, t: string) => Connection): Promise<Setup> {
    const e = await eligibleAccounts(t, 3, prefix);
    const [source, target] = e.others;
    const { organizationId } = await givenOrganization(t, e, { connections: [(connection ?? oneWay)(source, target)] });
    return { ...e, organizationId, source, target };
  }

  const put = (accountId: string, assetId: string, body: Record<string, unknown>) => t.request('PUT', `/v1/accounts/${accountId}/assets/${assetId}`, { body });
  const putOk = async (accountId: string, assetId: string, body: Record<string, unknown>) => (await ok(put(accountId, assetId, body))).position as string;
  const email = (references: string[], extra: Record<string, unknown> = {}) => ({ type: 'marketing-email', name: 'Welcome', automated: true, content: { subject: 'Hi' }, references, ...extra });
  const list = { type: 'list', name: 'Subscribers' };
  const form = { type: 'form', name: 'Sign-up', content: { fields: ['email'] } };

  /** l1, f1, and e1 → [l1, f1] in the source. */
  async function givenEmailWithListAndForm(s: Setup): Promise<string> {
    await putOk(s.source, 'l1', list);
    await putOk(s.source, 'f1', form);
    return putOk(s.source, 'e1', email(['l1', 'f1']));
  }

  const requestCopy = (s: Setup, body: Record<string, unknown>, user = s.user) =>
    t.request('POST', `/v1/organizations/${s.organizationId}/asset-copies`, { body: { sourceAccountId: s.source, targetAccountId: s.target, ...body }, headers: { 'x-actor-user-id': user } });
  const getCopy = (copyId: string, user: string, position?: string) => t.read(`/v1/asset-copies/${copyId}`, position, { 'x-actor-user-id': user });
  const settled = (copyId: string, user: string) => eventually(async () => (await getCopy(copyId, user)).body, (b) => b?.status === 'completed' || b?.status === 'failed');
  const assetsOf = async (accountId: string) => (await ok(t.request('GET', `/v1/accounts/${accountId}/assets`))).items as any[];

  /** Until the sagas and process managers have reacted to everything in the log (they append in the background). */
  async function quiet(): Promise<void> {
    const runners = t.app.get(SagasService).runners;
    for (;;) {
      const head = await t.headPosition();
      await eventually(async () => runners.every((r) => r.reached(head)), (reached) => reached);
      if ((await t.headPosition()) === head) return;
    }
  }

  /** A refusal appends nothing: the log's length is unchanged. */
  async function refused(request: () => Promise<Answer>, status: number, code: string) {
    await quiet();
    const before = await t.eventCount();
    const res = await request();
    expect({ status: res.status, code: res.body.code, type: res.headers['content-type'] }).toEqual({ status, code, type: expect.stringContaining('application/problem+json') });
    expect(await t.eventCount()).toBe(before);
  }

  describe('assets', () => {
    it('AC1 PUT stores an email, a list and a form (drafts too); GET lists them with references, one GET gives the content', async () => {
      const s = await setup('assets');
      await putOk(s.source, 'l1', list);
      await putOk(s.source, 'f1', form);
      const position = await putOk(s.source, 'e1', email(['l1', 'f1'], { draft: true }));

      const listed = await t.read(`/v1/accounts/${s.source}/assets`, position);
      expect(listed.status).toBe(200);
      expect(listed.body.items).toEqual([
        { assetId: 'e1', type: 'marketing-email', name: 'Welcome', automated: true, draft: true, references: ['l1', 'f1'] },
        { assetId: 'f1', type: 'form', name: 'Sign-up', automated: false, draft: false, references: [] },
        { assetId: 'l1', type: 'list', name: 'Subscribers', automated: false, draft: false, references: [] },
      ]);
      const one = await t.read(`/v1/accounts/${s.source}/assets/f1`, position);
      expect(one.body).toEqual({ assetId: 'f1', type: 'form', name: 'Sign-up', automated: false, draft: false, references: [], content: { fields: ['email'] } });
    });

    it('AC3 a reference to an asset the account does not have is 422 REFERENCE_NOT_FOUND and stores nothing', async () => {
      const s = await setup('refs');
      await putOk(s.source, 'l1', list);
      await putOk(s.target, 'other', list);
      await refused(() => put(s.source, 'e1', email(['l1', 'missing'])), 422, 'REFERENCE_NOT_FOUND');
      // Another account's asset is no reference either.
      await refused(() => put(s.source, 'e1', email(['other'])), 422, 'REFERENCE_NOT_FOUND');
    });

    it('A2 a deactivated account takes no assets (422 ACCOUNT_DEACTIVATED); an unknown account is 404', async () => {
      const s = await setup('assets-a2');
      await ok(t.request('POST', `/v1/accounts/${s.source}/deactivation`, { body: {} }));
      await refused(() => put(s.source, 'l1', list), 422, 'ACCOUNT_DEACTIVATED');
      await refused(() => put(uid('nobody'), 'l1', list), 404, 'NOT_FOUND');
      expect((await t.request('GET', `/v1/accounts/${uid('nobody')}/assets`)).status).toBe(404);
    });

    it('AC1 content over 256 KB, an unknown type or field is 400 VALIDATION_FAILED', async () => {
      const s = await setup('assets-400');
      await refused(() => put(s.source, 'big', { ...list, content: { blob: 'x'.repeat(256 * 1024) } }), 400, 'VALIDATION_FAILED');
      await refused(() => put(s.source, 'x', { type: 'landing-page', name: 'x' }), 400, 'VALIDATION_FAILED');
      await refused(() => put(s.source, 'x', { ...list, extra: true }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('copy requests', () => {
    it('AC1 AC3 AC4 a copy answers 202 { copyId, position }, is pending, then completed: the email, its list and form copied with references to the copies', async () => {
      const s = await setup('copy');
      await givenEmailWithListAndForm(s);
      const res = await requestCopy(s, { copyId: uid('copy'), assetIds: ['e1'] });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ copyId: expect.any(String), position: expect.stringMatching(/^\d+$/) });

      const first = await getCopy(res.body.copyId, s.user, res.body.position);
      expect(first.status).toBe(200);
      expect(['pending', 'completed']).toContain(first.body.status);

      const done = await settled(res.body.copyId, s.user);
      expect(done).toMatchObject({ copyId: res.body.copyId, status: 'completed', sourceAccountId: s.source, targetAccountId: s.target, assetIds: ['e1'] });
      expect(done.error).toBeUndefined();
      const ids = Object.fromEntries(done.items.map((i: any) => [i.sourceAssetId, i.targetAssetId]));
      expect(done.items.map((i: any) => [i.sourceAssetId, i.type])).toEqual([['e1', 'marketing-email'], ['l1', 'list'], ['f1', 'form']]);

      const copies = await assetsOf(s.target);
      expect(copies).toHaveLength(3);
      const copyOfEmail = copies.find((c) => c.assetId === ids.e1);
      expect(copyOfEmail).toEqual({
        assetId: ids.e1,
        type: 'marketing-email',
        name: 'Welcome',
        automated: true,
        draft: false,
        references: [ids.l1, ids.f1],
        copiedFrom: { accountId: s.source, assetId: 'e1', copyId: res.body.copyId },
      });
      // AC2: new ids in the target, the source untouched.
      expect(Object.values(ids)).not.toContain('e1');
      expect((await assetsOf(s.source)).map((a) => a.assetId)).toEqual(['e1', 'f1', 'l1']);
    });

    it('AC3 two requested emails sharing a list copy it once', async () => {
      const s = await setup('shared');
      await givenEmailWithListAndForm(s);
      await putOk(s.source, 'e2', email(['l1']));
      const { copyId } = await ok(requestCopy(s, { assetIds: ['e1', 'e2'] }), 202);
      const done = await settled(copyId, s.user);
      expect(done.items.map((i: any) => i.sourceAssetId)).toEqual(['e1', 'e2', 'l1', 'f1']);
      const copies = await assetsOf(s.target);
      expect(copies.filter((c) => c.type === 'list')).toHaveLength(1);
      const listCopy = copies.find((c) => c.type === 'list')!.assetId;
      expect(copies.filter((c) => c.type === 'marketing-email').every((c) => c.references.includes(listCopy))).toBe(true);
    });

    it('AC3 a cycle of references is copied once around, each copy referencing the other copy', async () => {
      const s = await setup('cycle');
      await putOk(s.source, 'a', list);
      await putOk(s.source, 'b', { ...form, references: ['a'] });
      await putOk(s.source, 'a', { ...list, references: ['b'] });
      const { copyId } = await ok(requestCopy(s, { assetIds: ['a'] }), 202);
      const done = await settled(copyId, s.user);
      const ids = Object.fromEntries(done.items.map((i: any) => [i.sourceAssetId, i.targetAssetId]));
      expect(Object.keys(ids).sort()).toEqual(['a', 'b']);
      const copies = await assetsOf(s.target);
      expect(copies.map((c) => [c.assetId, c.references])).toEqual(expect.arrayContaining([[ids.a, [ids.b]], [ids.b, [ids.a]]]));
      expect(copies).toHaveLength(2);
    });

    it('AC4 a repeated copyId answers with the first copy and appends nothing, whatever the body', async () => {
      const s = await setup('repeat');
      await givenEmailWithListAndForm(s);
      const copyId = uid('copy');
      await ok(requestCopy(s, { copyId, assetIds: ['e1'] }), 202);
      await settled(copyId, s.user);
      await quiet();
      const before = await t.eventCount();
      const again = await requestCopy(s, { copyId, assetIds: ['f1'], targetAccountId: s.primary });
      expect(again.status).toBe(202);
      expect(again.body.copyId).toBe(copyId);
      expect(await t.eventCount()).toBe(before);
      expect(await assetsOf(s.target)).toHaveLength(3);
    });

    it('AC1 without an asset-copying flow source → target (also the wrong way round, or a non-member): 422 NO_FLOW, nothing appended', async () => {
      const s = await setup('noflow', (a, b) => oneWay(b, a));
      await givenEmailWithListAndForm(s);
      await refused(() => requestCopy(s, { assetIds: ['e1'] }), 422, 'NO_FLOW');
      const outsider = (await eligibleAccounts(t, 1, 'outsider')).primary;
      await refused(() => requestCopy(s, { assetIds: ['e1'], targetAccountId: outsider }), 422, 'NO_FLOW');
    });

    it('AC4 an actor who is not a Super Admin of both accounts: 403 NOT_SUPER_ADMIN, nothing appended', async () => {
      const s = await setup('admin');
      await givenEmailWithListAndForm(s);
      await ok(t.request('PUT', `/v1/accounts/${s.target}/users/${s.user}`, { body: { roles: ['partner-admin'], seats: [] } }));
      await refused(() => requestCopy(s, { assetIds: ['e1'] }), 403, 'NOT_SUPER_ADMIN');
    });

    it('AC1 an asset the source does not have is 422 ASSET_NOT_FOUND; an email that is not automated 422 ASSET_NOT_COPYABLE', async () => {
      const s = await setup('unknown');
      await givenEmailWithListAndForm(s);
      await putOk(s.source, 'manual', email([], { automated: false }));
      await refused(() => requestCopy(s, { assetIds: ['e1', 'nope'] }), 422, 'ASSET_NOT_FOUND');
      await refused(() => requestCopy(s, { assetIds: ['manual'] }), 422, 'ASSET_NOT_COPYABLE');
      await refused(() => requestCopy(s, { assetIds: [] }), 400, 'VALIDATION_FAILED');
    });

    it('AC4 the status is shown to Super Admins of the source or target only (404 to anyone else)', async () => {
      const s = await setup('status');
      await givenEmailWithListAndForm(s);
      const { copyId, position } = await ok(requestCopy(s, { assetIds: ['e1'] }), 202);
      expect((await getCopy(copyId, uid('stranger'), position)).status).toBe(404);
      expect((await getCopy(uid('no-such-copy'), s.user)).status).toBe(404);
    });
  });
});

/**
 * What happens between the request and the copy: with the process stopped
 * (RUN_SAGAS=false), the request is stored and stays pending; the source is
 * edited, or the target leaves; then the service restarts with the process.
 */
describe('asset copies carried out after the request (AC2, AC1)', () => {
  /** A restarted service catches up from its checkpoints first; on a loaded machine that takes seconds. */
  const RESTARTED_MS = 20_000;
  jest.setTimeout(60_000);
  let t: TestApp;
  beforeEach(async () => (t = await TestApp.start({ RUN_SAGAS: 'false' })));
  afterEach(() => t.close());

  async function pendingCopy(prefix: string) {
    const e = await eligibleAccounts(t, 3, prefix);
    const [source, target] = e.others;
    const connection: Connection = { accounts: [source, target], direction: 'one-way', from: source, features: features({ assetCopying: true }) };
    const { organizationId } = await givenOrganization(t, e, { connections: [connection] });
    await ok(t.request('PUT', `/v1/accounts/${source}/assets/l1`, { body: { type: 'list', name: 'Before', content: { v: 1 } } }));
    await ok(t.request('PUT', `/v1/accounts/${source}/assets/e1`, { body: { type: 'marketing-email', name: 'Before', automated: true, content: { v: 1 }, references: ['l1'] } }));
    const copy = await ok(
      t.request('POST', `/v1/organizations/${organizationId}/asset-copies`, { body: { sourceAccountId: source, targetAccountId: target, assetIds: ['e1'] }, headers: { 'x-actor-user-id': e.user } }),
      202,
    );
    const status = await t.read(`/v1/asset-copies/${copy.copyId}`, copy.position, { 'x-actor-user-id': e.user });
    expect(status.body.status).toBe('pending');
    return { ...e, source, target, organizationId, copyId: copy.copyId as string };
  }

  const settled = (copyId: string, user: string) =>
    eventually(async () => (await t.request('GET', `/v1/asset-copies/${copyId}`, { headers: { 'x-actor-user-id': user } })).body, (b) => b?.status === 'completed' || b?.status === 'failed', RESTARTED_MS);

  it('AC2 the copy is the source as it stood at the request: an edit made while the copy was pending does not reach it', async () => {
    const c = await pendingCopy('snapshot');
    await ok(t.request('PUT', `/v1/accounts/${c.source}/assets/l1`, { body: { type: 'list', name: 'After', content: { v: 2 } } }));
    await ok(t.request('PUT', `/v1/accounts/${c.source}/assets/f-new`, { body: { type: 'form', name: 'Added later' } }));
    await ok(t.request('PUT', `/v1/accounts/${c.source}/assets/e1`, { body: { type: 'marketing-email', name: 'After', automated: true, content: { v: 2 }, references: ['l1', 'f-new'] } }));
    await t.restart({ RUN_SAGAS: 'true' });

    const done = await settled(c.copyId, c.user);
    expect(done.status).toBe('completed');
    expect(done.items.map((i: any) => i.sourceAssetId)).toEqual(['e1', 'l1']);
    for (const item of done.items) {
      const copy = await ok(t.request('GET', `/v1/accounts/${c.target}/assets/${item.targetAssetId}`));
      expect({ name: copy.name, content: copy.content }).toEqual({ name: 'Before', content: { v: 1 } });
    }
  });

  it('AC1 a target that leaves the organization while the copy is pending: failed with target-left-organization, nothing written into it', async () => {
    const c = await pendingCopy('leaves');
    await ok(
      t.request('PUT', `/v1/organizations/${c.organizationId}/members`, { body: { accountIds: [c.primary, c.source] }, headers: await orgHeaders(c.user, { acting: c.primary }) }),
    );
    await t.restart({ RUN_SAGAS: 'true' });

    const done = await settled(c.copyId, c.user);
    expect(done).toMatchObject({ status: 'failed', items: [], error: { reason: 'target-left-organization', detail: expect.stringContaining(c.target) } });
    expect((await t.events.readAll({ after: null, limit: 100_000 })).filter((e) => e.type === 'AssetCopied')).toEqual([]);
    expect((await ok(t.request('GET', `/v1/accounts/${c.target}/assets`))).items).toEqual([]);
  });

  it('AC1 a flow revoked while the copy is pending: failed with flow-revoked; a new request after turning it on again completes', async () => {
    const c = await pendingCopy('revoked');
    const connections = (assetCopying: boolean) => ({
      connections: [{ accounts: [c.source, c.target], direction: 'one-way', from: c.source, features: features({ assetCopying, dataMirroring: !assetCopying }) }],
    });
    await ok(t.request('PUT', `/v1/organizations/${c.organizationId}/connections`, { body: connections(false), headers: await orgHeaders(c.user, { acting: c.primary }) }));
    await t.restart({ RUN_SAGAS: 'true' });
    expect(await settled(c.copyId, c.user)).toMatchObject({ status: 'failed', error: { reason: 'flow-revoked' } });

    await ok(t.request('PUT', `/v1/organizations/${c.organizationId}/connections`, { body: connections(true), headers: await orgHeaders(c.user, { acting: c.primary }) }));
    const retry = await ok(
      t.request('POST', `/v1/organizations/${c.organizationId}/asset-copies`, { body: { sourceAccountId: c.source, targetAccountId: c.target, assetIds: ['e1'] }, headers: { 'x-actor-user-id': c.user } }),
      202,
    );
    expect(await settled(retry.copyId, c.user)).toMatchObject({ status: 'completed' });
  });

  it('AC1 a copy larger than one append may be (ASSET_COPY_MAX_BYTES; KurrentDB caps appends): failed with too-large, nothing written', async () => {
    const c = await pendingCopy('too-large');
    await t.restart({ RUN_SAGAS: 'true', ASSET_COPY_MAX_BYTES: '300' });
    const done = await settled(c.copyId, c.user);
    expect(done).toMatchObject({ status: 'failed', items: [], error: { reason: 'too-large', detail: expect.stringContaining('fewer assets') } });
    expect((await ok(t.request('GET', `/v1/accounts/${c.target}/assets`))).items).toEqual([]);
  });
});
