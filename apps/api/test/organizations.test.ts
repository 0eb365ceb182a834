import { stepUp, TestApp, type Answer } from './test-app';
import {
  CONTENT_PRO,
  createBody,
  eligibleAccounts,
  eventually,
  features,
  givenAccounts,
  givenOrganization,
  MHE,
  ok,
  orgHeaders,
  postOrganization,
  SALES_PRO,
  sub,
  uid,
  type Connection,
  type Eligible,
} from './fixtures';

/**
 * The Organizations endpoints of api.md through the real app (embedded
 * store): every success, every rule's rejection with its status and code, and
 * that a rejection appends nothing.
 */
describe('Organizations (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await TestApp.start()));
  afterAll(() => t.close());

  /** Read headers: actor and, where O10 needs it, the acting account. */
  const as = (user: string, acting?: string): Record<string, string> => ({
    'x-actor-user-id': user,
    ...(acting ? { 'x-acting-account-id': acting } : {}),
  });

  /** The request fails with `status` + `code` as problem+json and appends nothing. */
  async function rejects(send: () => Promise<Answer>, status: number, code: string): Promise<Answer> {
    const before = await t.eventCount();
    const res = await send();
    expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual(expect.objectContaining({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) }));
    expect(await t.eventCount()).toBe(before);
    return res;
  }

  const putMembers = async (orgId: string, user: string, acting: string, accountIds: string[], stepUpToken?: string | null) =>
    t.request('PUT', `/v1/organizations/${orgId}/members`, {
      body: { accountIds },
      headers: await orgHeaders(user, { acting, stepUp: stepUpToken }),
    });
  const putConnections = async (orgId: string, user: string, acting: string, connections: Connection[], stepUpToken?: string | null) =>
    t.request('PUT', `/v1/organizations/${orgId}/connections`, {
      body: { connections },
      headers: await orgHeaders(user, { acting, stepUp: stepUpToken }),
    });
  const deleteOrg = async (orgId: string, user: string, acting: string, stepUpToken?: string | null) =>
    t.request('DELETE', `/v1/organizations/${orgId}`, { headers: await orgHeaders(user, { acting, stepUp: stepUpToken }) });

  const twoWay = (a: string, b: string, on: Partial<Connection['features']> = { dataMirroring: true }): Connection => ({
    accounts: [a, b],
    direction: 'two-way',
    features: features(on),
  });
  const oneWay = (from: string, to: string, on: Partial<Connection['features']> = { dataMirroring: true }): Connection => ({
    accounts: [from, to],
    direction: 'one-way',
    from,
    features: features(on),
  });

  describe('successes', () => {
    it('POST /v1/organizations answers 201 { organizationId, position }; GET shows members and connections with flows', async () => {
      const e = await eligibleAccounts(t, 3, 'create');
      const [a, b] = e.others;
      const organizationId = uid('org');
      const res = await postOrganization(t, e.user, {
        organizationId,
        name: 'Acme group',
        primaryAccountId: e.primary,
        additionalAccountIds: [a, b],
        connections: [twoWay(e.primary, a, { dataMirroring: true, workflows: true }), oneWay(b, a, { assetCopying: true })],
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ organizationId, position: expect.stringMatching(/^[0-9]+$/) });
      // The position of the last event appended: nothing came after it.
      expect(BigInt(res.body.position)).toBe(await t.headPosition());

      const got = await t.read(`/v1/organizations/${organizationId}`, res.body.position, as(e.user, e.primary));
      expect(got.status).toBe(200);
      expect(got.body).toEqual({
        organizationId,
        name: 'Acme group',
        primaryAccountId: e.primary,
        hostingLocation: 'na1',
        status: 'active',
        members: [e.primary, a, b].map((id) => ({ accountId: id, name: `Account ${id}`, joinedAt: expect.any(String) })),
        connections: [
          {
            accounts: [e.primary, a],
            direction: 'two-way',
            features: { dataMirroring: true, assetCopying: false, workflows: true, reporting: false },
            flows: {
              dataMirroring: [{ from: e.primary, to: a }, { from: a, to: e.primary }],
              assetCopying: [],
              workflows: [{ from: e.primary, to: a }, { from: a, to: e.primary }],
              reporting: [],
            },
            revoked: [],
          },
          {
            accounts: [b, a],
            direction: 'one-way',
            from: b,
            features: { dataMirroring: false, assetCopying: true, workflows: false, reporting: false },
            flows: { dataMirroring: [], assetCopying: [{ from: b, to: a }], workflows: [], reporting: [] },
            revoked: [],
          },
        ],
      });
      expect(new Date(got.body.members[0].joinedAt).toISOString()).toBe(got.body.members[0].joinedAt);

      // O4: the accounts know their organization.
      for (const id of [e.primary, a, b]) {
        expect((await t.read(`/v1/accounts/${id}`, res.body.position)).body.organizationId).toBe(organizationId);
      }
    });

    it('POST /v1/organizations without organizationId generates one; a connection without direction is two-way', async () => {
      const e = await eligibleAccounts(t, 2, 'gen');
      const res = await t.request('POST', '/v1/organizations', {
        body: {
          name: 'Generated',
          primaryAccountId: e.primary,
          additionalAccountIds: e.others,
          connections: [{ accounts: [e.primary, e.others[0]], features: features({ assetCopying: true }) }],
          acknowledgeImpact: true,
          acknowledgeBeta: true,
        },
        headers: await orgHeaders(e.user),
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ organizationId: expect.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/), position: expect.stringMatching(/^[0-9]+$/) });
      const got = await t.read(`/v1/organizations/${res.body.organizationId}`, res.body.position, as(e.user, e.primary));
      expect(got.status).toBe(200);
      expect(got.body.organizationId).toBe(res.body.organizationId);
      expect(got.body.connections).toEqual([
        expect.objectContaining({
          direction: 'two-way',
          flows: { dataMirroring: [], assetCopying: [{ from: e.primary, to: e.others[0] }, { from: e.others[0], to: e.primary }], workflows: [], reporting: [] },
        }),
      ]);
    });

    it('an organization of the primary alone can be created', async () => {
      const e = await eligibleAccounts(t, 1, 'alone');
      const created = await ok(postOrganization(t, e.user, { primaryAccountId: e.primary }), 201);
      const got = await t.read(`/v1/organizations/${created.organizationId}`, created.position, as(e.user, e.primary));
      expect(got.body.members).toEqual([{ accountId: e.primary, name: `Account ${e.primary}`, joinedAt: expect.any(String) }]);
    });

    it('PUT members answers 200 { position }: added accounts join, removed ones leave with their connections', async () => {
      const e = await eligibleAccounts(t, 4, 'members');
      const [a, b, c] = e.others;
      const org = await givenOrganization(t, e, { members: [a, b], connections: [twoWay(e.primary, a), twoWay(a, b)] });
      const before = (await t.read(`/v1/organizations/${org.organizationId}`, org.position, as(e.user, e.primary))).body;

      const res = await putMembers(org.organizationId, e.user, e.primary, [e.primary, a, c]);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ position: expect.stringMatching(/^[0-9]+$/) });
      expect(BigInt(res.body.position)).toBeGreaterThan(BigInt(org.position));

      const got = await t.read(`/v1/organizations/${org.organizationId}`, res.body.position, as(e.user, e.primary));
      expect(got.body.members).toEqual([
        before.members[0],
        before.members[1],
        { accountId: c, name: `Account ${c}`, joinedAt: expect.any(String) },
      ]);
      expect(got.body.members[2].joinedAt >= before.members[0].joinedAt).toBe(true);
      expect(got.body.connections.map((x: Connection) => x.accounts)).toEqual([[e.primary, a]]);
      expect((await t.read(`/v1/accounts/${b}`, res.body.position)).body.organizationId).toBeNull();
      expect((await t.read(`/v1/accounts/${c}`, res.body.position)).body.organizationId).toBe(org.organizationId);
    });

    it('O2 four additional accounts (five members) are allowed', async () => {
      const e = await eligibleAccounts(t, 5, 'five');
      const created = await ok(postOrganization(t, e.user, { primaryAccountId: e.primary, additionalAccountIds: e.others }), 201);
      const got = await t.read(`/v1/organizations/${created.organizationId}`, created.position, as(e.user, e.primary));
      expect(got.body.members).toHaveLength(5);
    });

    it('O9 PUT connections answers 200 { position } from any member, also one without Marketing Hub Enterprise', async () => {
      const e = await eligibleAccounts(t, 3, 'conns');
      const [a, b] = e.others;
      const org = await givenOrganization(t, e, { connections: [twoWay(e.primary, a)] });
      const res = await putConnections(org.organizationId, e.user, a, [oneWay(a, b, { dataMirroring: true, workflows: true }), twoWay(e.primary, b, { assetCopying: true })]);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ position: expect.stringMatching(/^[0-9]+$/) });
      const got = await t.read(`/v1/organizations/${org.organizationId}`, res.body.position, as(e.user, b));
      expect(got.body.connections).toEqual([
        {
          accounts: [a, b],
          direction: 'one-way',
          from: a,
          features: { dataMirroring: true, assetCopying: false, workflows: true, reporting: false },
          flows: { dataMirroring: [{ from: a, to: b }], assetCopying: [], workflows: [{ from: a, to: b }], reporting: [] },
          revoked: [],
        },
        {
          accounts: [e.primary, b],
          direction: 'two-way',
          features: { dataMirroring: false, assetCopying: true, workflows: false, reporting: false },
          flows: { dataMirroring: [], assetCopying: [{ from: e.primary, to: b }, { from: b, to: e.primary }], workflows: [], reporting: [] },
          revoked: [],
        },
      ]);
    });

    it('C2 a one-way connection into a sensitive-data account is fine', async () => {
      const user = uid('c2ok-user');
      const [p, s] = [uid('c2ok-p'), uid('c2ok-s')];
      await givenAccounts(t, user, [{ id: p, subscriptions: [MHE, SALES_PRO] }, { id: s, sensitiveData: true }]);
      const res = await postOrganization(t, user, {
        primaryAccountId: p,
        additionalAccountIds: [s],
        connections: [oneWay(p, s, { dataMirroring: true, workflows: true, assetCopying: true })],
      });
      expect(res.status).toBe(201);
      const conn = twoWay(p, s, { assetCopying: true });
      expect((await putConnections(res.body.organizationId, user, s, [conn])).status).toBe(200);
    });

    it('C4 revocations by the lifecycle policy show in flows and revoked, and in the history with the reason', async () => {
      const e = await eligibleAccounts(t, 3, 'revoke');
      const [a, b] = e.others;
      const org = await givenOrganization(t, e, {
        connections: [twoWay(e.primary, a, { dataMirroring: true, workflows: true, assetCopying: true }), twoWay(a, b, { assetCopying: true })],
      });
      await ok(t.request('PUT', `/v1/accounts/${a}/sensitive-data`, { body: { enabled: true } }));
      const got = await eventually(
        () => t.read(`/v1/organizations/${org.organizationId}`, undefined, as(e.user, e.primary)),
        (r) => r.body.connections?.[0]?.revoked?.length > 0,
      );
      expect(got.body.connections[0]).toEqual({
        accounts: [e.primary, a],
        direction: 'two-way',
        features: { dataMirroring: true, assetCopying: true, workflows: true, reporting: false },
        flows: {
          dataMirroring: [{ from: e.primary, to: a }],
          assetCopying: [{ from: e.primary, to: a }, { from: a, to: e.primary }],
          workflows: [{ from: e.primary, to: a }],
          reporting: [],
        },
        revoked: [
          { feature: 'dataMirroring', from: a, to: e.primary, reason: 'sensitive-data' },
          { feature: 'workflows', from: a, to: e.primary, reason: 'sensitive-data' },
        ],
      });
      expect(got.body.connections[1].revoked).toEqual([]);
      const history = await eventually(
        () => t.read(`/v1/organizations/${org.organizationId}/history`, undefined, as(e.user, e.primary)),
        (r) => r.body.items?.length === 2,
      );
      expect(history.body.items[1]).toEqual({
        position: expect.any(String),
        at: expect.any(String),
        type: 'FlowsRevoked',
        reason: 'sensitive-data',
        causationId: expect.any(String),
        details: { accountId: a, revoked: got.body.connections[0].revoked },
      });
    });

    it('GET /v1/accounts/{accountId}/organization answers the organization of the account; 404 when it is in none', async () => {
      const e = await eligibleAccounts(t, 3, 'ofacc');
      const [a, b] = e.others;
      const org = await givenOrganization(t, e, { members: [a], connections: [twoWay(e.primary, a)] });
      const direct = await t.read(`/v1/organizations/${org.organizationId}`, org.position, as(e.user, e.primary));
      const ofAccount = await t.read(`/v1/accounts/${a}/organization`, org.position, as(e.user));
      expect(ofAccount.status).toBe(200);
      expect(ofAccount.body).toEqual(direct.body);
      await rejects(() => t.read(`/v1/accounts/${b}/organization`, org.position, as(e.user)), 404, 'NOT_FOUND');
      await rejects(() => t.read(`/v1/accounts/${uid('nobody')}/organization`, org.position, as(e.user)), 404, 'NOT_FOUND');
    });

    it('DELETE answers 200 { position }: the organization reads as deleted, its accounts are released and may join another', async () => {
      const e = await eligibleAccounts(t, 3, 'delete');
      const [a, b] = e.others;
      const org = await givenOrganization(t, e, { connections: [twoWay(e.primary, a)] });
      const res = await deleteOrg(org.organizationId, e.user, e.primary);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ position: expect.stringMatching(/^[0-9]+$/) });

      const got = await t.read(`/v1/organizations/${org.organizationId}`, res.body.position, as(e.user, a));
      expect(got.status).toBe(200);
      expect(got.body.status).toBe('deleted');
      expect(got.body.members.map((m: { accountId: string }) => m.accountId)).toEqual([e.primary, a, b]);
      for (const id of [e.primary, a, b]) {
        expect((await t.read(`/v1/accounts/${id}`, res.body.position)).body.organizationId).toBeNull();
      }
      await rejects(() => t.read(`/v1/accounts/${a}/organization`, res.body.position, as(e.user)), 404, 'NOT_FOUND');

      const history = await t.read(`/v1/organizations/${org.organizationId}/history`, res.body.position, as(e.user, e.primary));
      expect(history.body.items.map((i: { type: string }) => i.type)).toEqual(['OrganizationCreated', 'OrganizationDeleted']);
      expect(history.body.items[1]).toEqual(expect.objectContaining({ actorUserId: e.user, actingAccountId: e.primary, verification: 'otp' }));

      // P8: released accounts may join another organization.
      expect((await postOrganization(t, e.user, { primaryAccountId: e.primary, additionalAccountIds: [a, b] })).status).toBe(201);
    });

    it('GET history lists every change oldest first, with actor, acting account and verification ("otp" / "passkey")', async () => {
      const e = await eligibleAccounts(t, 4, 'history');
      const [a, b, c] = e.others;
      const created = await givenOrganization(t, e, { members: [a, b] });
      const members = await ok(putMembers(created.organizationId, e.user, e.primary, [e.primary, a, c], await stepUp(e.user, { amr: ['hwk'] })));
      const connections = await ok(putConnections(created.organizationId, e.user, c, [twoWay(a, c)], await stepUp(e.user, { amr: ['pwd', 'swk'] })));
      const deleted = await ok(deleteOrg(created.organizationId, e.user, e.primary, await stepUp(e.user, { amr: ['otp', 'hwk'] })));

      const res = await t.read(`/v1/organizations/${created.organizationId}/history`, deleted.position, as(e.user, a));
      expect(res.status).toBe(200);
      const actor = { actorUserId: e.user, at: expect.any(String), position: expect.stringMatching(/^[0-9]+$/) };
      expect(res.body.items).toEqual([
        {
          ...actor,
          type: 'OrganizationCreated',
          actingAccountId: e.primary,
          verification: 'otp',
          details: expect.objectContaining({ name: 'Org', primaryAccountId: e.primary, memberIds: [e.primary, a, b], hostingLocation: 'na1', connections: [] }),
        },
        { ...actor, type: 'MembersChanged', actingAccountId: e.primary, verification: 'passkey', details: { added: [c], removed: [b] } },
        { ...actor, type: 'ConnectionsConfigured', actingAccountId: c, verification: 'passkey', details: { connections: [{ ...twoWay(a, c), features: { ...twoWay(a, c).features, reporting: false } }] } },
        { ...actor, type: 'OrganizationDeleted', actingAccountId: e.primary, verification: 'otp', details: { releasedAccountIds: [e.primary, a, c] } },
      ]);
      // Oldest first, each entry at its event's position: after the previous command, up to its own.
      const positions = res.body.items.map((i: { position: string }) => BigInt(i.position));
      const commands = [created, members, connections, deleted].map((x) => BigInt(x.position));
      positions.forEach((p: bigint, i: number) => {
        expect(p).toBeLessThanOrEqual(commands[i]);
        if (i > 0) expect(p).toBeGreaterThan(commands[i - 1]);
      });
      for (const item of res.body.items) expect(new Date(item.at).toISOString()).toBe(item.at);
    });

    it('O12 GET organization-candidates lists every account of the Super Admin with every reason; primary first, sensitive data is no reason', async () => {
      const user = uid('cand-user');
      const other = uid('cand-other');
      const id = (name: string) => uid(`cand-${name}`);
      const [p, okId, sens, sand, eu, low, deact, inOrg, multi, partner, p2, foreign] = [
        'p', 'ok', 'sens', 'sand', 'eu', 'low', 'deact', 'inorg', 'multi', 'partner', 'p2', 'foreign',
      ].map(id);
      await givenAccounts(t, user, [
        { id: p, name: 'Primary', subscriptions: [MHE] },
        { id: okId, name: 'Fine' },
        { id: sens, name: 'Sensitive', sensitiveData: true },
        { id: sand, name: 'Sandbox', sandbox: true },
        { id: eu, name: 'Europe', hostingLocation: 'eu1' },
        { id: low, name: 'Starter', subscriptions: [sub('marketing', 'starter'), sub('sales', 'free')] },
        { id: deact, name: 'Gone', deactivated: true },
        { id: inOrg, name: 'Taken' },
        { id: multi, name: 'Many', sandbox: true, hostingLocation: 'ap1', subscriptions: [] },
        { id: p2, name: 'Other primary', subscriptions: [MHE] },
      ]);
      await givenAccounts(t, null, [
        { id: partner, name: 'Partner only', users: { [user]: ['partner-admin'] } },
        { id: foreign, name: 'Not mine', users: { [other]: ['super-admin'] } },
      ]);
      const taken = await ok(postOrganization(t, user, { primaryAccountId: p2, additionalAccountIds: [inOrg] }), 201);

      const res = await t.read(`/v1/organization-candidates?primaryAccountId=${p}`, taken.position, as(user));
      expect(res.status).toBe(200);
      const expected = [
        { accountId: okId, name: 'Fine', eligible: true, reasons: [] },
        { accountId: sens, name: 'Sensitive', eligible: true, reasons: [] },
        { accountId: sand, name: 'Sandbox', eligible: false, reasons: ['ACCOUNT_SANDBOX'] },
        { accountId: eu, name: 'Europe', eligible: false, reasons: ['HOSTING_MISMATCH'] },
        { accountId: low, name: 'Starter', eligible: false, reasons: ['ACCOUNT_BELOW_PROFESSIONAL'] },
        { accountId: deact, name: 'Gone', eligible: false, reasons: ['ACCOUNT_DEACTIVATED'] },
        { accountId: inOrg, name: 'Taken', eligible: false, reasons: ['ALREADY_IN_ORGANIZATION'] },
        { accountId: multi, name: 'Many', eligible: false, reasons: ['ACCOUNT_SANDBOX', 'ACCOUNT_BELOW_PROFESSIONAL', 'HOSTING_MISMATCH'] },
        { accountId: p2, name: 'Other primary', eligible: false, reasons: ['ALREADY_IN_ORGANIZATION'] },
      ].sort((x, y) => (x.accountId < y.accountId ? -1 : 1));
      expect(res.body).toEqual({ items: [{ accountId: p, name: 'Primary', eligible: true, reasons: [] }, ...expected] });

      // Judged against the primary's hosting: from an eu1 primary, the na1 accounts mismatch.
      const euPrimary = uid('cand-eup');
      const pos = await givenAccounts(t, user, [{ id: euPrimary, hostingLocation: 'eu1', subscriptions: [MHE] }]);
      const fromEu = await t.read(`/v1/organization-candidates?primaryAccountId=${euPrimary}`, pos, as(user));
      const byId = new Map(fromEu.body.items.map((i: { accountId: string }) => [i.accountId, i]));
      expect(fromEu.body.items[0].accountId).toBe(euPrimary);
      expect(byId.get(eu)).toEqual({ accountId: eu, name: 'Europe', eligible: true, reasons: [] });
      expect(byId.get(okId)).toEqual({ accountId: okId, name: 'Fine', eligible: false, reasons: ['HOSTING_MISMATCH'] });
    });

    it('O12 candidates need an actor and a valid primaryAccountId', async () => {
      const e = await eligibleAccounts(t, 1, 'candbad');
      await rejects(() => t.read(`/v1/organization-candidates?primaryAccountId=${e.primary}`, e.position), 400, 'VALIDATION_FAILED');
      await rejects(() => t.read('/v1/organization-candidates', e.position, as(e.user)), 400, 'VALIDATION_FAILED');
      await rejects(() => t.read('/v1/organization-candidates?primaryAccountId=bad%20id', e.position, as(e.user)), 400, 'VALIDATION_FAILED');
    });
  });

  describe('business rules', () => {
    let e: Eligible;
    /** Fresh eligible accounts for each test: P (MHE) and a, b. */
    beforeEach(async () => (e = await eligibleAccounts(t, 3, 'rule')));
    const org = (options: Parameters<typeof givenOrganization>[2] = {}) => givenOrganization(t, e, options);

    it('O1 rejects a primary without Marketing Hub Enterprise', async () => {
      await rejects(() => postOrganization(t, e.user, { primaryAccountId: e.others[0], additionalAccountIds: [e.primary] }), 422, 'PRIMARY_NOT_MARKETING_ENTERPRISE');
      const mpro = uid('rule-mpro');
      await givenAccounts(t, e.user, [{ id: mpro, subscriptions: [sub('marketing', 'professional'), sub('sales', 'enterprise')] }]);
      await rejects(() => postOrganization(t, e.user, { primaryAccountId: mpro }), 422, 'PRIMARY_NOT_MARKETING_ENTERPRISE');
    });

    it('O2 rejects a fifth additional account, on create and on edit', async () => {
      const more = await givenAccountsOf(e.user, 3);
      await rejects(
        () => postOrganization(t, e.user, { primaryAccountId: e.primary, additionalAccountIds: [...e.others, ...more] }),
        422,
        'MEMBER_LIMIT',
      );
      const o = await org();
      await rejects(() => putMembers(o.organizationId, e.user, e.primary, [e.primary, ...e.others, ...more]), 422, 'MEMBER_LIMIT');
    });

    it.each([
      ['ACCOUNT_SANDBOX', { sandbox: true }],
      ['ACCOUNT_BELOW_PROFESSIONAL', { subscriptions: [sub('sales', 'starter'), sub('marketing', 'free')] }],
      ['HOSTING_MISMATCH', { hostingLocation: 'eu1' }],
      ['ACCOUNT_DEACTIVATED', { deactivated: true }],
    ])('O3 rejects a member that is not eligible: %s, on create and on edit', async (code, setup) => {
      const bad = uid('rule-bad');
      await givenAccounts(t, e.user, [{ id: bad, ...setup }]);
      await rejects(() => postOrganization(t, e.user, { primaryAccountId: e.primary, additionalAccountIds: [e.others[0], bad] }), 422, code);
      const o = await org();
      await rejects(() => putMembers(o.organizationId, e.user, e.primary, [e.primary, bad]), 422, code);
    });

    it('O3 rejects a primary whose own hosting or plan disqualifies it (sandbox primary)', async () => {
      const sandboxPrimary = uid('rule-sbp');
      await givenAccounts(t, e.user, [{ id: sandboxPrimary, sandbox: true, subscriptions: [MHE] }]);
      await rejects(() => postOrganization(t, e.user, { primaryAccountId: sandboxPrimary }), 422, 'ACCOUNT_SANDBOX');
    });

    it('O4 rejects an account that is already in an organization, on create and on edit', async () => {
      const o = await org({ members: [e.others[0]] });
      const second = await eligibleAccounts(t, 2, 'rule2');
      // The same user administers both sets' accounts: make e.user a Super Admin of the second set.
      for (const id of [second.primary, ...second.others]) {
        await ok(t.request('PUT', `/v1/accounts/${id}/users/${e.user}`, { body: { roles: ['super-admin'], seats: [] } }));
      }
      await rejects(
        () => postOrganization(t, e.user, { primaryAccountId: second.primary, additionalAccountIds: [e.others[0]] }),
        422,
        'ALREADY_IN_ORGANIZATION',
      );
      await rejects(() => postOrganization(t, e.user, { primaryAccountId: e.primary }), 422, 'ALREADY_IN_ORGANIZATION');
      const o2 = await ok(postOrganization(t, e.user, { primaryAccountId: second.primary }), 201);
      await rejects(() => putMembers(o2.organizationId, e.user, second.primary, [second.primary, e.others[0]]), 422, 'ALREADY_IN_ORGANIZATION');
      await rejects(() => putMembers(o.organizationId, e.user, e.primary, [e.primary, e.others[0], second.others[0], second.primary]), 422, 'ALREADY_IN_ORGANIZATION');
    });

    it('O5 rejects a user who is not a Super Admin of every chosen account (403 NOT_SUPER_ADMIN)', async () => {
      const partnerOnly = uid('rule-po');
      await givenAccounts(t, null, [{ id: partnerOnly, users: { [e.user]: ['partner-admin'] } }]);
      await rejects(
        () => postOrganization(t, e.user, { primaryAccountId: e.primary, additionalAccountIds: [e.others[0], partnerOnly] }),
        403,
        'NOT_SUPER_ADMIN',
      );
      // Also the primary.
      const stranger = uid('rule-stranger');
      await givenAccounts(t, stranger, []);
      await rejects(() => postOrganization(t, stranger, { primaryAccountId: e.primary }), 403, 'NOT_SUPER_ADMIN');
    });

    it('O5 edits need a Super Admin of every member, old and new (403 NOT_SUPER_ADMIN)', async () => {
      const o = await org({ members: [e.others[0]] });
      // A new member where the user is a Partner Admin only.
      const partnerOnly = uid('rule-po');
      await givenAccounts(t, null, [{ id: partnerOnly, users: { [e.user]: ['partner-admin'] } }]);
      await rejects(() => putMembers(o.organizationId, e.user, e.primary, [e.primary, e.others[0], partnerOnly]), 403, 'NOT_SUPER_ADMIN');
      // An old member (also one being removed) where the user lost the role.
      await ok(t.request('PUT', `/v1/accounts/${e.others[0]}/users/${e.user}`, { body: { roles: ['partner-admin'], seats: [] } }));
      await rejects(() => putMembers(o.organizationId, e.user, e.primary, [e.primary]), 403, 'NOT_SUPER_ADMIN');
      await rejects(() => putConnections(o.organizationId, e.user, e.primary, [twoWay(e.primary, e.others[0])]), 403, 'NOT_SUPER_ADMIN');
      await rejects(() => deleteOrg(o.organizationId, e.user, e.primary), 403, 'NOT_SUPER_ADMIN');
    });

    it('O6 rejects a user without two-factor set up, even with a valid assertion (422 TWO_FACTOR_REQUIRED)', async () => {
      const user = uid('rule-no2fa');
      const p = uid('rule-no2fa-p');
      await givenAccounts(t, user, [{ id: p, subscriptions: [MHE] }], { twoFactor: false });
      await rejects(() => postOrganization(t, user, { primaryAccountId: p }), 422, 'TWO_FACTOR_REQUIRED');
      // Edits too: the org's Super Admin turns two-factor off.
      const o = await org();
      await ok(t.request('PUT', `/v1/users/${e.user}/two-factor`, { body: { enabled: false } }));
      await rejects(() => putMembers(o.organizationId, e.user, e.primary, [e.primary]), 422, 'TWO_FACTOR_REQUIRED');
      await rejects(() => putConnections(o.organizationId, e.user, e.primary, []), 422, 'TWO_FACTOR_REQUIRED');
      await rejects(() => deleteOrg(o.organizationId, e.user, e.primary), 422, 'TWO_FACTOR_REQUIRED');
    });

    const now = () => Math.floor(Date.now() / 1000);
    it.each<[string, (user: string) => Promise<string | null>]>([
      ['missing', async () => null],
      ['signed with another key', (user) => stepUp(user, { secret: 'not-the-secret' })],
      ['expired', (user) => stepUp(user, { iat: now() - 400, exp: now() - 100 })],
      ['expired a few seconds ago (more than 5 minutes old)', (user) => stepUp(user, { iat: now() - 305, exp: now() - 5 })],
      ['valid for more than 300 s (exp - iat = 301)', (user) => stepUp(user, { iat: now(), exp: now() + 301 })],
      ['for another audience', (user) => stepUp(user, { aud: 'another-service' })],
      ['for another user', (user) => stepUp(user, { sub: `${user}-other` })],
      ['without a second factor or passkey in amr', (user) => stepUp(user, { amr: ['pwd'] })],
      ['without amr', (user) => stepUp(user, { amr: [] })],
      ['not a JWT', async () => 'not-a-jwt'],
      ['issued a minute in the future', (user) => stepUp(user, { iat: now() + 60, exp: now() + 300 })],
    ])('O6 rejects a step-up assertion that is %s (403 STEP_UP_REQUIRED)', async (_name, token) => {
      await rejects(
        async () => postOrganization(t, e.user, { primaryAccountId: e.primary }, await orgHeaders(e.user, { stepUp: await token(e.user) })),
        403,
        'STEP_UP_REQUIRED',
      );
    });

    it('O6 accepts an assertion still within its 5 minutes, and one whose issuer clock runs a few seconds ahead', async () => {
      const old = await stepUp(e.user, { iat: now() - 290, exp: now() + 10 });
      const o = await ok(postOrganization(t, e.user, { primaryAccountId: e.primary }, await orgHeaders(e.user, { stepUp: old })), 201);
      const skewed = await stepUp(e.user, { iat: now() + 20, exp: now() + 320 });
      expect((await putMembers(o.organizationId, e.user, e.primary, [e.primary, e.others[0]], skewed)).status).toBe(200);
    });

    it('O6 every changing command needs a step-up (403 STEP_UP_REQUIRED)', async () => {
      const o = await org();
      await rejects(() => putMembers(o.organizationId, e.user, e.primary, [e.primary], null), 403, 'STEP_UP_REQUIRED');
      await rejects(() => putConnections(o.organizationId, e.user, e.primary, [], null), 403, 'STEP_UP_REQUIRED');
      await rejects(() => deleteOrg(o.organizationId, e.user, e.primary, null), 403, 'STEP_UP_REQUIRED');
      await rejects(
        async () => putMembers(o.organizationId, e.user, e.primary, [e.primary], await stepUp(e.user, { iat: now() - 400, exp: now() - 100 })),
        403,
        'STEP_UP_REQUIRED',
      );
    });

    it('O6 an assertion is used once only: a second use is rejected (403 STEP_UP_REQUIRED)', async () => {
      const token = await stepUp(e.user);
      const o = await ok(postOrganization(t, e.user, { primaryAccountId: e.primary }, await orgHeaders(e.user, { stepUp: token })), 201);
      await rejects(() => putMembers(o.organizationId, e.user, e.primary, [e.primary, e.others[0]], token), 403, 'STEP_UP_REQUIRED');
      await rejects(() => deleteOrg(o.organizationId, e.user, e.primary, token), 403, 'STEP_UP_REQUIRED');
      // A fresh one works.
      expect((await putMembers(o.organizationId, e.user, e.primary, [e.primary, e.others[0]])).status).toBe(200);
    });

    it('O6 a command that fails for another reason does not use up the assertion', async () => {
      const token = await stepUp(e.user, { amr: ['hwk'] });
      const headers = await orgHeaders(e.user, { stepUp: token });
      await rejects(() => postOrganization(t, e.user, { primaryAccountId: e.primary, acknowledgeBeta: false }, headers), 422, 'ACKNOWLEDGEMENT_REQUIRED');
      await rejects(() => postOrganization(t, e.user, { primaryAccountId: e.others[0] }, headers), 422, 'PRIMARY_NOT_MARKETING_ENTERPRISE');
      const created = await postOrganization(t, e.user, { primaryAccountId: e.primary }, headers);
      expect(created.status).toBe(201);
      const history = await t.read(`/v1/organizations/${created.body.organizationId}/history`, created.body.position, as(e.user, e.primary));
      expect(history.body.items[0].verification).toBe('passkey');
      // Now it is used.
      await rejects(() => deleteOrg(created.body.organizationId, e.user, e.primary, token), 403, 'STEP_UP_REQUIRED');
    });

    it.each([
      ['the impact notice', { acknowledgeImpact: false }],
      ['the beta terms', { acknowledgeBeta: false }],
      ['both', { acknowledgeImpact: false, acknowledgeBeta: false }],
    ])('O7 rejects a creation without acknowledging %s', async (_name, acks) => {
      await rejects(() => postOrganization(t, e.user, { primaryAccountId: e.primary, ...acks }), 422, 'ACKNOWLEDGEMENT_REQUIRED');
    });

    it('O8 adding/removing accounts and deleting need an acting member with Marketing Hub Enterprise', async () => {
      const o = await org();
      const [a, b] = e.others;
      await rejects(() => putMembers(o.organizationId, e.user, a, [e.primary, a]), 422, 'ACTING_ACCOUNT_NOT_MARKETING_ENTERPRISE');
      await rejects(() => deleteOrg(o.organizationId, e.user, b), 422, 'ACTING_ACCOUNT_NOT_MARKETING_ENTERPRISE');
      // An MHE account that is not a member is no better.
      const outsider = uid('rule-mhe-out');
      await givenAccounts(t, e.user, [{ id: outsider, subscriptions: [MHE] }]);
      await rejects(() => putMembers(o.organizationId, e.user, outsider, [e.primary, a]), 422, 'ACTING_ACCOUNT_NOT_MARKETING_ENTERPRISE');
      await rejects(() => deleteOrg(o.organizationId, e.user, outsider), 422, 'ACTING_ACCOUNT_NOT_MARKETING_ENTERPRISE');
    });

    it('O9 connections are managed from a member account only (403 FORBIDDEN from a non-member)', async () => {
      const o = await org();
      const outsider = uid('rule-out');
      await givenAccounts(t, e.user, [{ id: outsider, subscriptions: [MHE] }]);
      await rejects(() => putConnections(o.organizationId, e.user, outsider, [twoWay(e.primary, e.others[0])]), 403, 'FORBIDDEN');
    });

    it('rejects a member set without the primary with PRIMARY_ACCOUNT_REQUIRED (api.md: primary included)', async () => {
      const o = await org();
      await rejects(() => putMembers(o.organizationId, e.user, e.primary, e.others), 422, 'PRIMARY_ACCOUNT_REQUIRED');
    });

    it('O11 rejects an edit that leaves no member with Marketing Hub Enterprise', async () => {
      const o = await org();
      const [mhe] = e.others;
      // Another member takes over Marketing Hub Enterprise, then the primary steps down to Professional (P6 holds: one is left).
      const up = await t.request('PUT', `/v1/accounts/${mhe}/subscriptions`, { body: { subscriptions: [MHE, SALES_PRO] } });
      expect(up.status).toBe(200);
      const down = await t.request('PUT', `/v1/accounts/${e.primary}/subscriptions`, {
        body: { subscriptions: [{ hub: 'marketing', tier: 'professional' }, SALES_PRO] },
      });
      expect(down.status).toBe(200);
      const others = e.others.filter((id) => id !== mhe);
      await rejects(() => putMembers(o.organizationId, e.user, mhe, [e.primary, ...others]), 422, 'MARKETING_ENTERPRISE_REQUIRED');
    });

    it('C1 rejects a connection with a non-member (NOT_A_MEMBER), on create and on edit', async () => {
      const outsider = uid('rule-nm');
      await givenAccounts(t, e.user, [{ id: outsider }]);
      await rejects(
        () => postOrganization(t, e.user, { primaryAccountId: e.primary, additionalAccountIds: [e.others[0]], connections: [twoWay(e.others[0], e.others[1])] }),
        422,
        'NOT_A_MEMBER',
      );
      const o = await org();
      await rejects(() => putConnections(o.organizationId, e.user, e.primary, [twoWay(e.primary, outsider)]), 422, 'NOT_A_MEMBER');
    });

    it('C1 rejects two connections of one pair (DUPLICATE_CONNECTION), on create and on edit', async () => {
      const [a] = e.others;
      const twice = [twoWay(e.primary, a), oneWay(a, e.primary, { assetCopying: true })];
      await rejects(
        () => postOrganization(t, e.user, { primaryAccountId: e.primary, additionalAccountIds: e.others, connections: twice }),
        422,
        'DUPLICATE_CONNECTION',
      );
      const o = await org();
      await rejects(() => putConnections(o.organizationId, e.user, e.primary, twice), 422, 'DUPLICATE_CONNECTION');
    });

    it('C2 rejects a sensitive-data account as a source of mirroring or workflows', async () => {
      const s = uid('rule-sens');
      await givenAccounts(t, e.user, [{ id: s, sensitiveData: true }]);
      for (const connection of [
        twoWay(e.primary, s, { dataMirroring: true }),
        twoWay(s, e.primary, { workflows: true }),
        oneWay(s, e.primary, { dataMirroring: true }),
      ]) {
        await rejects(
          () => postOrganization(t, e.user, { primaryAccountId: e.primary, additionalAccountIds: [s], connections: [connection] }),
          422,
          'SENSITIVE_DATA_SOURCE',
        );
      }
      const o = await org({ members: [s] });
      await rejects(() => putConnections(o.organizationId, e.user, s, [oneWay(s, e.primary, { workflows: true })]), 422, 'SENSITIVE_DATA_SOURCE');
    });

    it('C3 rejects data mirroring into a target without Sales or Service Hub Professional', async () => {
      const content = uid('rule-content');
      await givenAccounts(t, e.user, [{ id: content, subscriptions: [CONTENT_PRO, sub('sales', 'starter')] }]);
      await rejects(
        () =>
          postOrganization(t, e.user, { primaryAccountId: e.primary, additionalAccountIds: [content], connections: [twoWay(e.primary, content)] }),
        422,
        'MIRRORING_TARGET_INELIGIBLE',
      );
      const o = await org({ members: [content] });
      await rejects(() => putConnections(o.organizationId, e.user, e.primary, [oneWay(e.primary, content)]), 422, 'MIRRORING_TARGET_INELIGIBLE');
      // Out of it is fine.
      expect((await putConnections(o.organizationId, e.user, e.primary, [oneWay(content, e.primary)])).status).toBe(200);
    });

    it('ORGANIZATION_DELETED: commands on a deleted organization are rejected', async () => {
      const o = await org();
      await ok(deleteOrg(o.organizationId, e.user, e.primary));
      await rejects(() => putMembers(o.organizationId, e.user, e.primary, [e.primary]), 422, 'ORGANIZATION_DELETED');
      await rejects(() => putConnections(o.organizationId, e.user, e.primary, []), 422, 'ORGANIZATION_DELETED');
      await rejects(() => deleteOrg(o.organizationId, e.user, e.primary), 422, 'ORGANIZATION_DELETED');
      // Its id stays taken.
      await rejects(() => postOrganization(t, e.user, { organizationId: o.organizationId, primaryAccountId: e.primary }), 409, 'ALREADY_EXISTS');
    });

    it('rejects an organization id that exists (409 ALREADY_EXISTS) and unknown organizations or accounts (404)', async () => {
      const o = await org({ members: [] });
      await rejects(
        () => postOrganization(t, e.user, { organizationId: o.organizationId, primaryAccountId: e.others[0] }),
        409,
        'ALREADY_EXISTS',
      );
      const missing = uid('missing');
      await rejects(() => putMembers(missing, e.user, e.primary, [e.primary]), 404, 'NOT_FOUND');
      await rejects(() => putConnections(missing, e.user, e.primary, []), 404, 'NOT_FOUND');
      await rejects(() => deleteOrg(missing, e.user, e.primary), 404, 'NOT_FOUND');
      await rejects(() => postOrganization(t, e.user, { primaryAccountId: e.primary, additionalAccountIds: [uid('ghost')] }), 404, 'NOT_FOUND');
    });

    it('an edit that changes nothing appends nothing but the used assertion, and answers a position', async () => {
      const o = await org();
      const [head, count] = [await t.headPosition(), await t.eventCount()];
      const res = await putMembers(o.organizationId, e.user, e.primary, [e.others[1], e.primary, e.others[0]]);
      expect(res.status).toBe(200);
      // One event: the step-up assertion used up; the answer is its position.
      expect(await t.eventCount()).toBe(count + 1);
      const appended = await t.events.readAll({ after: head, limit: 10 });
      expect(appended.map((ev) => ev.type)).toEqual(['StepUpAssertionUsed']);
      expect(res.body.position).toBe(appended[0].position.toString());
      const history = await t.read(`/v1/organizations/${o.organizationId}/history`, res.body.position, as(e.user, e.primary));
      expect(history.body.items.map((i: { type: string }) => i.type)).toEqual(['OrganizationCreated']);
    });
  });

  describe('input validation (400 VALIDATION_FAILED, nothing appended)', () => {
    let e: Eligible;
    let organizationId: string;
    beforeAll(async () => {
      e = await eligibleAccounts(t, 3, 'input');
      organizationId = (await givenOrganization(t, e)).organizationId;
    });
    const bad = (res: Answer) => {
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.any(String), message: expect.any(String) })]));
    };

    it('requires X-Actor-User-Id', async () => {
      const headers = await orgHeaders(e.user, { acting: e.primary });
      delete headers['x-actor-user-id'];
      bad(await rejects(() => t.request('POST', '/v1/organizations', { body: createBody({ primaryAccountId: e.primary }), headers }), 400, 'VALIDATION_FAILED'));
      await rejects(() => t.request('PUT', `/v1/organizations/${organizationId}/members`, { body: { accountIds: [e.primary] }, headers }), 400, 'VALIDATION_FAILED');
      await rejects(() => t.request('PUT', `/v1/organizations/${organizationId}/connections`, { body: { connections: [] }, headers }), 400, 'VALIDATION_FAILED');
      await rejects(() => t.request('DELETE', `/v1/organizations/${organizationId}`, { headers }), 400, 'VALIDATION_FAILED');
      await rejects(() => t.request('GET', `/v1/organizations/${organizationId}`, { headers }), 400, 'VALIDATION_FAILED');
      await rejects(() => t.request('GET', `/v1/organizations/${organizationId}/history`, { headers }), 400, 'VALIDATION_FAILED');
      await rejects(() => t.request('GET', `/v1/accounts/${e.primary}/organization`, { headers }), 400, 'VALIDATION_FAILED');
    });

    it('requires X-Acting-Account-Id where O8–O10 apply', async () => {
      const headers = await orgHeaders(e.user);
      await rejects(() => t.request('PUT', `/v1/organizations/${organizationId}/members`, { body: { accountIds: [e.primary] }, headers }), 400, 'VALIDATION_FAILED');
      await rejects(() => t.request('PUT', `/v1/organizations/${organizationId}/connections`, { body: { connections: [] }, headers }), 400, 'VALIDATION_FAILED');
      await rejects(() => t.request('DELETE', `/v1/organizations/${organizationId}`, { headers }), 400, 'VALIDATION_FAILED');
      await rejects(() => t.request('GET', `/v1/organizations/${organizationId}`, { headers: as(e.user) }), 400, 'VALIDATION_FAILED');
      await rejects(() => t.request('GET', `/v1/organizations/${organizationId}/history`, { headers: as(e.user) }), 400, 'VALIDATION_FAILED');
    });

    it('rejects bad ids in headers, paths and bodies', async () => {
      const headers = await orgHeaders(e.user, { acting: e.primary });
      await rejects(
        () => t.request('POST', '/v1/organizations', { body: createBody({ primaryAccountId: e.primary }), headers: { ...headers, 'x-actor-user-id': 'bad id' } }),
        400,
        'VALIDATION_FAILED',
      );
      await rejects(
        () => t.request('PUT', `/v1/organizations/${organizationId}/members`, { body: { accountIds: [e.primary] }, headers: { ...headers, 'x-acting-account-id': 'x'.repeat(65) } }),
        400,
        'VALIDATION_FAILED',
      );
      await rejects(() => t.request('PUT', '/v1/organizations/bad%20id/members', { body: { accountIds: [e.primary] }, headers }), 400, 'VALIDATION_FAILED');
      await rejects(() => t.request('DELETE', '/v1/organizations/bad%2Fid', { headers }), 400, 'VALIDATION_FAILED');
      await rejects(() => t.request('GET', '/v1/organizations/a%24b', { headers }), 400, 'VALIDATION_FAILED');
      await rejects(() => t.request('GET', '/v1/accounts/a%24b/organization', { headers }), 400, 'VALIDATION_FAILED');
      await rejects(() => t.request('GET', '/v1/organizations/a%24b/history', { headers }), 400, 'VALIDATION_FAILED');
      for (const body of [
        createBody({ primaryAccountId: 'bad id' }),
        createBody({ primaryAccountId: e.primary, organizationId: 'x'.repeat(65) }),
        createBody({ primaryAccountId: e.primary, additionalAccountIds: ['ok', 'not/ok'] }),
        createBody({ primaryAccountId: e.primary, connections: [{ accounts: [e.primary, 'no way'], features: features() }] }),
      ]) {
        await rejects(async () => t.request('POST', '/v1/organizations', { body, headers: await orgHeaders(e.user) }), 400, 'VALIDATION_FAILED');
      }
      await rejects(() => t.request('PUT', `/v1/organizations/${organizationId}/members`, { body: { accountIds: ['bad id'] }, headers }), 400, 'VALIDATION_FAILED');
    });

    it('rejects an account listed twice', async () => {
      const headers = await orgHeaders(e.user, { acting: e.primary });
      await rejects(
        () => postOrganization(t, e.user, { primaryAccountId: e.primary, additionalAccountIds: [e.others[0], e.others[0]] }, headers),
        400,
        'VALIDATION_FAILED',
      );
      await rejects(() => postOrganization(t, e.user, { primaryAccountId: e.primary, additionalAccountIds: [e.primary] }, headers), 400, 'VALIDATION_FAILED');
      await rejects(() => putMembers(organizationId, e.user, e.primary, [e.primary, e.others[0], e.others[0]]), 400, 'VALIDATION_FAILED');
      await rejects(() => putMembers(organizationId, e.user, e.primary, []), 400, 'VALIDATION_FAILED');
    });

    it('rejects a connection of an account with itself and a malformed direction', async () => {
      const [a, b] = e.others;
      for (const connection of [
        { accounts: [a, a], features: features({ dataMirroring: true }) },
        { accounts: [a], features: features() },
        { accounts: [a, b, e.primary], features: features() },
        { accounts: [a, b], direction: 'one-way', features: features() },
        { accounts: [a, b], direction: 'one-way', from: e.primary, features: features() },
        { accounts: [a, b], direction: 'two-way', from: a, features: features() },
        { accounts: [a, b], direction: 'sideways', features: features() },
        { accounts: [a, b] },
        { accounts: [a, b], features: { dataMirroring: true } },
        { accounts: [a, b], features: { ...features(), dataMirroring: 'yes' } },
      ]) {
        await rejects(() => putConnections(organizationId, e.user, e.primary, [connection as Connection]), 400, 'VALIDATION_FAILED');
      }
      await rejects(
        () => postOrganization(t, e.user, { primaryAccountId: e.primary, additionalAccountIds: [a], connections: [{ accounts: [a, a], features: features() }] }),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('rejects unknown fields, at the top and nested', async () => {
      const headers = () => orgHeaders(e.user, { acting: e.primary });
      await rejects(
        async () => t.request('POST', '/v1/organizations', { body: { ...createBody({ primaryAccountId: e.primary }), color: 'red' }, headers: await headers() }),
        400,
        'VALIDATION_FAILED',
      );
      await rejects(
        async () => t.request('PUT', `/v1/organizations/${organizationId}/members`, { body: { accountIds: [e.primary], force: true }, headers: await headers() }),
        400,
        'VALIDATION_FAILED',
      );
      await rejects(
        async () =>
          t.request('PUT', `/v1/organizations/${organizationId}/connections`, {
            body: { connections: [{ ...twoWay(e.primary, e.others[0]), features: { ...features(), reports: true } }] },
            headers: await headers(),
          }),
        400,
        'VALIDATION_FAILED',
      );
      await rejects(
        async () =>
          t.request('PUT', `/v1/organizations/${organizationId}/connections`, {
            body: { connections: [{ ...twoWay(e.primary, e.others[0]), note: 'x' }] },
            headers: await headers(),
          }),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('rejects missing or mistyped required fields and malformed JSON', async () => {
      const post = async (payload: unknown, raw?: string) =>
        t.request('POST', '/v1/organizations', { ...(raw !== undefined ? { payload: raw } : { body: payload }), headers: await orgHeaders(e.user) });
      const valid = createBody({ primaryAccountId: e.primary });
      const { name: _n, ...noName } = valid;
      const { acknowledgeImpact: _a, ...noAck } = valid;
      const { additionalAccountIds: _x, ...noAdditional } = valid;
      for (const body of [noName, noAck, noAdditional, { ...valid, name: '' }, { ...valid, acknowledgeBeta: 'true' }, { ...valid, additionalAccountIds: 'a' }, [], 'x']) {
        await rejects(() => post(body), 400, 'VALIDATION_FAILED');
      }
      await rejects(() => post(undefined, '{"name": '), 400, 'VALIDATION_FAILED');
    });

    it('requires the bearer token (401)', async () => {
      await rejects(
        async () => t.request('POST', '/v1/organizations', { body: createBody({ primaryAccountId: e.primary }), headers: await orgHeaders(e.user), token: null }),
        401,
        'UNAUTHENTICATED',
      );
      await rejects(() => t.request('GET', `/v1/organizations/${organizationId}`, { headers: as(e.user, e.primary), token: 'wrong' }), 401, 'UNAUTHENTICATED');
    });
  });

  describe('O10 who may see an organization', () => {
    let e: Eligible;
    let a: string;
    let b: string;
    let organizationId: string;
    let position: string;
    let partner: string;
    let seatOnly: string;
    let outsider: string;
    let notMember: string;

    beforeAll(async () => {
      e = await eligibleAccounts(t, 3, 'o10');
      [a, b] = e.others;
      partner = uid('o10-partner');
      seatOnly = uid('o10-seat');
      outsider = uid('o10-outsider');
      notMember = uid('o10-nonmember');
      await ok(t.request('PUT', `/v1/accounts/${a}/users/${partner}`, { body: { roles: ['partner-admin'], seats: ['sales'] } }));
      await ok(t.request('PUT', `/v1/accounts/${b}/users/${seatOnly}`, { body: { roles: [], seats: ['sales', 'service'] } }));
      // The Super Admin (and the outsider, as a Super Admin) of an account outside the organization.
      await givenAccounts(t, e.user, [{ id: notMember, subscriptions: [MHE], users: { [outsider]: ['super-admin'] } }]);
      ({ organizationId, position } = await givenOrganization(t, e, { connections: [twoWay(e.primary, a)] }));
    });

    const paths = () => [`/v1/organizations/${organizationId}`, `/v1/organizations/${organizationId}/history`];

    it('a Super Admin of a member sees the organization and its history from any member account', async () => {
      for (const acting of [e.primary, a, b]) {
        for (const path of paths()) expect((await t.read(path, position, as(e.user, acting))).status).toBe(200);
      }
      expect((await t.read(`/v1/accounts/${b}/organization`, position, as(e.user))).status).toBe(200);
    });

    it('a Partner Admin of a member sees it from that member', async () => {
      const org = await t.read(paths()[0], position, as(partner, a));
      expect(org.status).toBe(200);
      expect(org.body.connections).toHaveLength(1);
      const history = await t.read(paths()[1], position, as(partner, a));
      expect(history.status).toBe(200);
      expect(history.body.items).toHaveLength(1);
      // By any member account's id: the partner is an admin of a member.
      for (const id of [a, e.primary]) expect((await t.read(`/v1/accounts/${id}/organization`, position, as(partner))).status).toBe(200);
    });

    it('a user with no admin role in any member gets 404, exactly as for a missing organization', async () => {
      const missing = uid('org-missing');
      const missingAnswer = await t.read(`/v1/organizations/${missing}`, position, as(seatOnly, b));
      expect(missingAnswer.status).toBe(404);
      for (const [user, acting] of [
        [seatOnly, b],
        [outsider, notMember],
        [uid('o10-stranger'), e.primary],
      ]) {
        const res = await rejects(() => t.read(paths()[0], position, as(user, acting)), 404, 'NOT_FOUND');
        expect({ ...res.body, detail: res.body.detail.replace(organizationId, '<id>') }).toEqual({
          ...missingAnswer.body,
          detail: missingAnswer.body.detail.replace(missing, '<id>'),
        });
        await rejects(() => t.read(paths()[1], position, as(user, acting)), 404, 'NOT_FOUND');
        for (const id of [e.primary, a, b]) await rejects(() => t.read(`/v1/accounts/${id}/organization`, position, as(user)), 404, 'NOT_FOUND');
      }
    });

    it('an admin of a member asking from a non-member account, or from a member where they are no admin, gets 403', async () => {
      for (const path of paths()) {
        await rejects(() => t.read(path, position, as(e.user, notMember)), 403, 'FORBIDDEN');
        await rejects(() => t.read(path, position, as(e.user, uid('unknown-account'))), 403, 'FORBIDDEN');
        await rejects(() => t.read(path, position, as(partner, e.primary)), 403, 'FORBIDDEN');
      }
    });

    it('a deleted organization answers 200 with status "deleted" to admins of its former members, with its history ending in the deletion', async () => {
      // The shared organization, deleted last in this describe.
      const deleted = await ok(deleteOrg(organizationId, e.user, e.primary));
      for (const [user, acting] of [
        [e.user, e.primary],
        [partner, a],
      ]) {
        const org = await t.read(paths()[0], deleted.position, as(user, acting));
        expect(org.status).toBe(200);
        expect(org.body.status).toBe('deleted');
        const history = await t.read(paths()[1], deleted.position, as(user, acting));
        expect(history.status).toBe(200);
        expect(history.body.items.at(-1)).toEqual(
          expect.objectContaining({ type: 'OrganizationDeleted', actorUserId: e.user, actingAccountId: e.primary, verification: 'otp' }),
        );
      }
      await rejects(() => t.read(paths()[0], deleted.position, as(seatOnly, b)), 404, 'NOT_FOUND');
      await rejects(() => t.read(paths()[0], deleted.position, as(e.user, notMember)), 403, 'FORBIDDEN');
    });
  });

  /** `n` more eligible accounts administered by `user`. */
  async function givenAccountsOf(user: string, n: number): Promise<string[]> {
    const ids = Array.from({ length: n }, () => uid('more'));
    await givenAccounts(t, user, ids.map((id) => ({ id })));
    return ids;
  }
});
