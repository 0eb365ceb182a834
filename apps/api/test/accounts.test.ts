import { TestApp, type Answer } from './test-app';

/** api.md "Account facts" and domain.md A1–A2, through the real HTTP pipeline and the accounts projection. */

const MHE = { hub: 'marketing', tier: 'enterprise' };

const registration = (accountId: string, extra: Record<string, unknown> = {}) => ({
  accountId,
  name: `Account ${accountId}`,
  hostingLocation: 'na1',
  subscriptions: [MHE],
  ...extra,
});

function expectProblem(res: Answer, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
}

const paths = (res: Answer): string[] => (res.body?.errors ?? []).map((e: { path: string }) => e.path);

describe('account facts (api.md "Account facts")', () => {
  let t: TestApp;
  beforeAll(async () => (t = await TestApp.start()));
  afterAll(() => t.close());

  /** A request that must be refused with `status`/`code` and append nothing. */
  async function rejected(method: string, url: string, body: unknown, status: number, code: string): Promise<Answer> {
    const before = await t.eventCount();
    const res = await t.request(method, url, body === undefined ? {} : { body });
    expectProblem(res, status, code);
    expect(await t.eventCount()).toBe(before);
    return res;
  }

  async function ok(method: string, url: string, body?: unknown, status = 200): Promise<Answer> {
    const res = await t.request(method, url, body === undefined ? {} : { body });
    expect({ status: res.status, body: res.body }).toEqual({ status, body: expect.objectContaining({ position: expect.stringMatching(/^\d+$/) }) });
    return res;
  }

  async function register(accountId: string, extra: Record<string, unknown> = {}): Promise<Answer> {
    return ok('POST', '/v1/accounts', registration(accountId, extra), 201);
  }

  /** GET /v1/accounts/{id} after the projection has reached `position`. */
  async function account(accountId: string, position: string): Promise<any> {
    const res = await t.read(`/v1/accounts/${accountId}`, position);
    expect(res.status).toBe(200);
    return res.body;
  }

  describe('POST /v1/accounts', () => {
    it('given a new account, then 201 {accountId, position} and GET answers exactly api.md’s shape', async () => {
      const res = await t.request('POST', '/v1/accounts', {
        body: registration('acc-new', { name: 'Acme EU', hostingLocation: 'eu1', sandbox: false, subscriptions: [MHE, { hub: 'sales', tier: 'professional' }] }),
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ accountId: 'acc-new', position: expect.stringMatching(/^\d+$/) });
      const got = await t.read('/v1/accounts/acc-new', res.body.position);
      expect(got.status).toBe(200);
      expect(got.body).toStrictEqual({
        accountId: 'acc-new',
        name: 'Acme EU',
        hostingLocation: 'eu1',
        sandbox: false,
        status: 'active',
        sensitiveData: false,
        subscriptions: [MHE, { hub: 'sales', tier: 'professional' }],
        users: [],
        organizationId: null,
      });
    });

    it('given sandbox and sensitiveData in the registration, then GET shows them', async () => {
      const res = await register('acc-flags', { sandbox: true, sensitiveData: true, subscriptions: [] });
      const got = await account('acc-flags', res.body.position);
      expect({ sandbox: got.sandbox, sensitiveData: got.sensitiveData, subscriptions: got.subscriptions }).toEqual({
        sandbox: true,
        sensitiveData: true,
        subscriptions: [],
      });
    });

    it('given an account registered twice, then 409 ALREADY_EXISTS and the first one is kept', async () => {
      const first = await register('acc-twice');
      await rejected('POST', '/v1/accounts', registration('acc-twice', { name: 'Other' }), 409, 'ALREADY_EXISTS');
      expect((await account('acc-twice', first.body.position)).name).toBe('Account acc-twice');
    });

    it('given a registration with a missing field or an unknown hub/tier, then 400 naming it', async () => {
      for (const field of ['accountId', 'name', 'hostingLocation', 'subscriptions']) {
        const body: Record<string, unknown> = registration('acc-missing');
        delete body[field];
        const res = await rejected('POST', '/v1/accounts', body, 400, 'VALIDATION_FAILED');
        expect(paths(res)).toContain(field);
      }
      await rejected('POST', '/v1/accounts', registration('acc-bad-hub', { subscriptions: [{ hub: 'finance', tier: 'pro' }] }), 400, 'VALIDATION_FAILED');
      expect((await t.request('GET', '/v1/accounts/acc-missing')).status).toBe(404);
    });
  });

  describe('PUT /v1/accounts/{accountId}/subscriptions', () => {
    it('given a new set, then it replaces the whole set and answers 200 {position}', async () => {
      await register('acc-subs', { subscriptions: [MHE, { hub: 'content', tier: 'starter' }] });
      const subscriptions = [
        { hub: 'sales', tier: 'professional' },
        { hub: 'service', tier: 'free' },
      ];
      const res = await ok('PUT', '/v1/accounts/acc-subs/subscriptions', { subscriptions });
      expect(Object.keys(res.body)).toEqual(['position']);
      expect((await account('acc-subs', res.body.position)).subscriptions).toEqual(subscriptions);

      const emptied = await ok('PUT', '/v1/accounts/acc-subs/subscriptions', { subscriptions: [] });
      expect((await account('acc-subs', emptied.body.position)).subscriptions).toEqual([]);
    });

    it('given an unknown hub or tier, then 400 and nothing changes', async () => {
      const created = await register('acc-subs-bad');
      for (const s of [{ hub: 'finance', tier: 'enterprise' }, { hub: 'sales', tier: 'platinum' }, { hub: 'sales' }, { tier: 'free' }]) {
        const res = await rejected('PUT', '/v1/accounts/acc-subs-bad/subscriptions', { subscriptions: [s] }, 400, 'VALIDATION_FAILED');
        expect(paths(res).every((p) => p.startsWith('subscriptions'))).toBe(true);
      }
      await rejected('PUT', '/v1/accounts/acc-subs-bad/subscriptions', { subscriptions: MHE }, 400, 'VALIDATION_FAILED');
      for (const subscriptions of [[null], [1], ['marketing'], [[MHE]], [[]]]) {
        await rejected('PUT', '/v1/accounts/acc-subs-bad/subscriptions', { subscriptions }, 400, 'VALIDATION_FAILED');
      }
      await rejected('PUT', '/v1/accounts/acc-subs-bad/subscriptions', {}, 400, 'VALIDATION_FAILED');
      expect((await account('acc-subs-bad', created.body.position)).subscriptions).toEqual([MHE]);
    });

    it('given the same hub twice, then 400 (one subscription per hub)', async () => {
      await register('acc-subs-dup');
      await rejected(
        'PUT',
        '/v1/accounts/acc-subs-dup/subscriptions',
        { subscriptions: [{ hub: 'sales', tier: 'starter' }, { hub: 'sales', tier: 'enterprise' }] },
        400,
        'VALIDATION_FAILED',
      );
      await rejected('POST', '/v1/accounts', registration('acc-reg-dup', { subscriptions: [MHE, MHE] }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('PUT /v1/accounts/{accountId}/hosting-location', () => {
    it('given a new location, then 200 and GET shows it', async () => {
      await register('acc-host');
      const res = await ok('PUT', '/v1/accounts/acc-host/hosting-location', { hostingLocation: 'ap1' });
      expect((await account('acc-host', res.body.position)).hostingLocation).toBe('ap1');
    });

    it('given a missing or malformed location, then 400', async () => {
      await register('acc-host-bad');
      for (const body of [{}, { hostingLocation: 7 }, { hostingLocation: '' }, { hostingLocation: 'NA 1' }]) {
        await rejected('PUT', '/v1/accounts/acc-host-bad/hosting-location', body, 400, 'VALIDATION_FAILED');
      }
    });
  });

  describe('PUT /v1/accounts/{accountId}/sensitive-data (A1)', () => {
    it('given {enabled:true}, then 200 and GET shows sensitiveData true', async () => {
      await register('acc-sens');
      const res = await ok('PUT', '/v1/accounts/acc-sens/sensitive-data', { enabled: true });
      expect((await account('acc-sens', res.body.position)).sensitiveData).toBe(true);
    });

    it('A1 given sensitive data on, when {enabled:false}, then 422 SENSITIVE_DATA_IRREVERSIBLE and it stays on', async () => {
      await register('acc-sens-off');
      const on = await ok('PUT', '/v1/accounts/acc-sens-off/sensitive-data', { enabled: true });
      await rejected('PUT', '/v1/accounts/acc-sens-off/sensitive-data', { enabled: false }, 422, 'SENSITIVE_DATA_IRREVERSIBLE');
      expect((await account('acc-sens-off', on.body.position)).sensitiveData).toBe(true);
    });

    it('A1 given sensitive data never on, when {enabled:false}, then 422 SENSITIVE_DATA_IRREVERSIBLE too', async () => {
      await register('acc-sens-never');
      await rejected('PUT', '/v1/accounts/acc-sens-never/sensitive-data', { enabled: false }, 422, 'SENSITIVE_DATA_IRREVERSIBLE');
    });

    it('given a non-boolean enabled, then 400', async () => {
      await register('acc-sens-type');
      for (const body of [{}, { enabled: 'true' }, { enabled: 1 }]) {
        const res = await rejected('PUT', '/v1/accounts/acc-sens-type/sensitive-data', body, 400, 'VALIDATION_FAILED');
        expect(paths(res)).toContain('enabled');
      }
    });
  });

  describe('POST /v1/accounts/{accountId}/deactivation (A2)', () => {
    it('given {}, then 200 and GET shows status deactivated', async () => {
      await register('acc-deact-body');
      const res = await ok('POST', '/v1/accounts/acc-deact-body/deactivation', {});
      expect((await account('acc-deact-body', res.body.position)).status).toBe('deactivated');
    });

    it('given no body at all, then 200 too', async () => {
      await register('acc-deact-nobody');
      const res = await t.request('POST', '/v1/accounts/acc-deact-nobody/deactivation');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ position: expect.stringMatching(/^\d+$/) });
      expect((await account('acc-deact-nobody', res.body.position)).status).toBe('deactivated');
    });

    it('given an empty JSON body with a JSON content type, then 200 too', async () => {
      await register('acc-deact-empty');
      const res = await t.request('POST', '/v1/accounts/acc-deact-empty/deactivation', { payload: '', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(200);
    });

    it('A2 given a deactivated account, then every change is 422 ACCOUNT_DEACTIVATED, appends nothing, and GET still answers', async () => {
      await register('acc-a2', { subscriptions: [MHE, { hub: 'sales', tier: 'professional' }] });
      await ok('PUT', '/v1/accounts/acc-a2/users/u-a2', { roles: ['super-admin'], seats: ['sales'] });
      const before = await t.read('/v1/accounts/acc-a2', (await t.headPosition()).toString());
      const deactivated = await ok('POST', '/v1/accounts/acc-a2/deactivation', {});
      const changes: Array<[string, string, unknown]> = [
        ['PUT', '/v1/accounts/acc-a2/subscriptions', { subscriptions: [{ hub: 'sales', tier: 'starter' }] }],
        ['PUT', '/v1/accounts/acc-a2/subscriptions', { subscriptions: [MHE, { hub: 'sales', tier: 'professional' }] }],
        ['PUT', '/v1/accounts/acc-a2/hosting-location', { hostingLocation: 'eu1' }],
        ['PUT', '/v1/accounts/acc-a2/hosting-location', { hostingLocation: 'na1' }],
        ['PUT', '/v1/accounts/acc-a2/sensitive-data', { enabled: true }],
        ['PUT', '/v1/accounts/acc-a2/sensitive-data', { enabled: false }],
        ['POST', '/v1/accounts/acc-a2/deactivation', {}],
        ['PUT', '/v1/accounts/acc-a2/users/u-a2', { roles: [], seats: [] }],
        ['PUT', '/v1/accounts/acc-a2/users/u-a2', { roles: ['super-admin'], seats: ['sales'] }],
        ['PUT', '/v1/accounts/acc-a2/users/u-other', { roles: ['partner-admin'], seats: [] }],
        ['DELETE', '/v1/accounts/acc-a2/users/u-a2', undefined],
      ];
      for (const [method, url, body] of changes) await rejected(method, url, body, 422, 'ACCOUNT_DEACTIVATED');
      const after = await t.read('/v1/accounts/acc-a2', deactivated.body.position);
      expect(after.status).toBe(200);
      expect(after.body).toEqual({ ...before.body, status: 'deactivated' });
    });

    it('given a body with a field, then 400 (deactivation takes {})', async () => {
      await register('acc-deact-field');
      const res = await rejected('POST', '/v1/accounts/acc-deact-field/deactivation', { reason: 'churn' }, 400, 'VALIDATION_FAILED');
      expect(paths(res)).toContain('reason');
    });
  });

  describe('PUT and DELETE /v1/accounts/{accountId}/users/{userId}', () => {
    it('given roles and seats, then 200 and GET lists the user; a second PUT replaces them', async () => {
      await register('acc-users');
      await ok('PUT', '/v1/accounts/acc-users/users/u-b', { roles: ['partner-admin'], seats: [] });
      const set = await ok('PUT', '/v1/accounts/acc-users/users/u-a', { roles: ['super-admin', 'partner-admin'], seats: ['sales', 'service', 'marketing', 'content', 'data', 'commerce'] });
      expect((await account('acc-users', set.body.position)).users).toEqual([
        { userId: 'u-a', roles: ['super-admin', 'partner-admin'], seats: ['sales', 'service', 'marketing', 'content', 'data', 'commerce'] },
        { userId: 'u-b', roles: ['partner-admin'], seats: [] },
      ]);
      const replaced = await ok('PUT', '/v1/accounts/acc-users/users/u-a', { roles: [], seats: ['sales'] });
      expect((await account('acc-users', replaced.body.position)).users[0]).toEqual({ userId: 'u-a', roles: [], seats: ['sales'] });
    });

    it('given DELETE, then 200 and the user is gone; a second DELETE is 404', async () => {
      await register('acc-users-del');
      await ok('PUT', '/v1/accounts/acc-users-del/users/u-del', { roles: ['super-admin'], seats: ['marketing'] });
      const removed = await ok('DELETE', '/v1/accounts/acc-users-del/users/u-del');
      expect((await account('acc-users-del', removed.body.position)).users).toEqual([]);
      await rejected('DELETE', '/v1/accounts/acc-users-del/users/u-del', undefined, 404, 'NOT_FOUND');
    });

    it('given an unknown role or seat, then 400 naming it and nothing changes', async () => {
      await register('acc-users-bad');
      const bodies = [
        { roles: ['owner'], seats: [] },
        { roles: ['super-admin'], seats: ['finance'] },
        { roles: 'super-admin', seats: [] },
        { roles: ['super-admin'] },
        { seats: ['sales'] },
        { roles: ['super-admin', 'super-admin'], seats: [] },
        { roles: [], seats: [], admin: true },
        { roles: [null], seats: [] },
        { roles: [], seats: [{ hub: 'sales' }] },
      ];
      for (const body of bodies) await rejected('PUT', '/v1/accounts/acc-users-bad/users/u-x', body, 400, 'VALIDATION_FAILED');
      const role = await rejected('PUT', '/v1/accounts/acc-users-bad/users/u-x', { roles: ['owner'], seats: [] }, 400, 'VALIDATION_FAILED');
      expect(paths(role).some((p) => p.startsWith('roles'))).toBe(true);
      const seat = await rejected('PUT', '/v1/accounts/acc-users-bad/users/u-x', { roles: [], seats: ['finance'] }, 400, 'VALIDATION_FAILED');
      expect(paths(seat).some((p) => p.startsWith('seats'))).toBe(true);
      expect((await account('acc-users-bad', (await t.headPosition()).toString())).users).toEqual([]);
    });
  });

  describe('PUT /v1/users/{userId}/two-factor', () => {
    it('given {enabled}, then 200 {position}; the same value again appends nothing', async () => {
      const on = await ok('PUT', '/v1/users/u-2fa/two-factor', { enabled: true });
      expect(Object.keys(on.body)).toEqual(['position']);
      const before = await t.eventCount();
      const again = await ok('PUT', '/v1/users/u-2fa/two-factor', { enabled: true });
      expect(again.body.position).toBe((await t.headPosition()).toString());
      expect(await t.eventCount()).toBe(before);
      const off = await ok('PUT', '/v1/users/u-2fa/two-factor', { enabled: false });
      expect(BigInt(off.body.position)).toBeGreaterThan(BigInt(on.body.position));
    });

    it('given a missing or non-boolean enabled, then 400', async () => {
      for (const body of [{}, { enabled: 'yes' }, { enabled: true, method: 'otp' }]) {
        await rejected('PUT', '/v1/users/u-2fa-bad/two-factor', body, 400, 'VALIDATION_FAILED');
      }
    });
  });

  describe('unknown account', () => {
    it('given an account that was never registered, then GET and every command are 404 NOT_FOUND and append nothing', async () => {
      expectProblem(await t.request('GET', '/v1/accounts/acc-ghost'), 404, 'NOT_FOUND');
      const commands: Array<[string, string, unknown]> = [
        ['PUT', '/v1/accounts/acc-ghost/subscriptions', { subscriptions: [MHE] }],
        ['PUT', '/v1/accounts/acc-ghost/hosting-location', { hostingLocation: 'eu1' }],
        ['PUT', '/v1/accounts/acc-ghost/sensitive-data', { enabled: true }],
        ['POST', '/v1/accounts/acc-ghost/deactivation', {}],
        ['PUT', '/v1/accounts/acc-ghost/users/u1', { roles: ['super-admin'], seats: [] }],
        ['DELETE', '/v1/accounts/acc-ghost/users/u1', undefined],
      ];
      for (const [method, url, body] of commands) await rejected(method, url, body, 404, 'NOT_FOUND');
    });
  });

  describe('GET /v1/accounts/{accountId}', () => {
    it('answers exactly api.md’s shape after a history of facts, through the projection', async () => {
      await register('acc-shape', { subscriptions: [MHE] });
      await ok('PUT', '/v1/accounts/acc-shape/users/u-z', { roles: [], seats: ['data'] });
      await ok('PUT', '/v1/accounts/acc-shape/users/u-y', { roles: ['super-admin'], seats: ['marketing', 'sales'] });
      await ok('PUT', '/v1/accounts/acc-shape/users/u-gone', { roles: ['partner-admin'], seats: [] });
      await ok('DELETE', '/v1/accounts/acc-shape/users/u-gone');
      await ok('PUT', '/v1/accounts/acc-shape/subscriptions', { subscriptions: [MHE, { hub: 'service', tier: 'professional' }] });
      await ok('PUT', '/v1/accounts/acc-shape/hosting-location', { hostingLocation: 'eu1' });
      const last = await ok('PUT', '/v1/accounts/acc-shape/sensitive-data', { enabled: true });
      const got = await t.read('/v1/accounts/acc-shape', last.body.position);
      expect(got.status).toBe(200);
      expect(String(got.headers['content-type'])).toMatch(/^application\/json/);
      expect(got.body).toStrictEqual({
        accountId: 'acc-shape',
        name: 'Account acc-shape',
        hostingLocation: 'eu1',
        sandbox: false,
        status: 'active',
        sensitiveData: true,
        subscriptions: [MHE, { hub: 'service', tier: 'professional' }],
        users: [
          { userId: 'u-y', roles: ['super-admin'], seats: ['marketing', 'sales'] },
          { userId: 'u-z', roles: [], seats: ['data'] },
        ],
        organizationId: null,
      });
    });
  });
});
