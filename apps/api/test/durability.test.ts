import { READ_STORE, type ReadStore } from '@mam/read-store';
import { stepUp, TestApp, type Answer } from './test-app';

// Each test restarts the app (and its stores) several times: on a loaded machine that alone
// takes longer than the suite's default 20 s, and a timeout there says nothing about the rule.
jest.setTimeout(60_000);

/**
 * Restart durability on the embedded stores: a second app on the same
 * DATA_DIR sees the same data, appends after it, resumes its projections from
 * their checkpoints and remembers used step-up `jti`s (O6).
 */

const MHE = { hub: 'marketing', tier: 'enterprise' };
const ADMIN = 'dur-admin';
const ORG = 'dur-org';

async function ok(res: Promise<Answer>, status = 200): Promise<Answer> {
  const answer = await res;
  if (answer.status !== status) throw new Error(`expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  expect(answer.body.position).toMatch(/^\d+$/);
  return answer;
}

const asAdmin = (acting?: string) => ({ 'x-actor-user-id': ADMIN, ...(acting ? { 'x-acting-account-id': acting } : {}) });

const READS: Array<[string, Record<string, string>]> = [
  ['/v1/accounts/dur-1', {}],
  ['/v1/accounts/dur-2', {}],
  ['/v1/accounts/dur-3', {}],
  [`/v1/organizations/${ORG}`, asAdmin('dur-1')],
  [`/v1/organizations/${ORG}/history`, asAdmin('dur-1')],
  ['/v1/accounts/dur-1/organization', asAdmin()],
  ['/v1/organization-candidates?primaryAccountId=dur-1', asAdmin()],
];

describe('durability across a restart on the same DATA_DIR', () => {
  let first: TestApp;
  let second: TestApp;
  /** The assertion that created the organization (its jti is used). */
  let usedAssertion: string;
  let usedJti: string;
  const before: Record<string, Answer> = {};
  let eventsBefore: number;
  let headBefore: bigint;
  let keyedAnswer: Answer;
  const KEYED_BODY = { accountId: 'dur-keyed', name: 'Keyed', hostingLocation: 'na1', subscriptions: [] };

  beforeAll(async () => {
    first = await TestApp.start();
    const t = first;
    // Accounts: an MHE primary on na1, a Sales Pro account with sensitive data, a deactivated one.
    await ok(t.request('POST', '/v1/accounts', { body: { accountId: 'dur-1', name: 'Primary', hostingLocation: 'na1', subscriptions: [MHE] } }), 201);
    await ok(t.request('POST', '/v1/accounts', { body: { accountId: 'dur-2', name: 'Second', hostingLocation: 'na1', subscriptions: [{ hub: 'content', tier: 'starter' }] } }), 201);
    await ok(t.request('POST', '/v1/accounts', { body: { accountId: 'dur-3', name: 'Third', hostingLocation: 'eu1', subscriptions: [] } }), 201);
    await ok(t.request('PUT', '/v1/accounts/dur-2/subscriptions', { body: { subscriptions: [{ hub: 'sales', tier: 'professional' }] } }));
    await ok(t.request('PUT', '/v1/accounts/dur-2/sensitive-data', { body: { enabled: true } }));
    await ok(t.request('PUT', '/v1/accounts/dur-3/hosting-location', { body: { hostingLocation: 'ap1' } }));
    await ok(t.request('POST', '/v1/accounts/dur-3/deactivation'));
    // Users: the admin everywhere, a user set and then removed, a user whose roles were replaced.
    for (const a of ['dur-1', 'dur-2']) {
      await ok(t.request('PUT', `/v1/accounts/${a}/users/${ADMIN}`, { body: { roles: ['super-admin'], seats: ['marketing', 'sales'] } }));
    }
    await ok(t.request('PUT', '/v1/accounts/dur-1/users/dur-gone', { body: { roles: ['partner-admin'], seats: ['sales'] } }));
    await ok(t.request('DELETE', '/v1/accounts/dur-1/users/dur-gone'));
    await ok(t.request('PUT', '/v1/accounts/dur-2/users/dur-changed', { body: { roles: ['super-admin'], seats: [] } }));
    await ok(t.request('PUT', '/v1/accounts/dur-2/users/dur-changed', { body: { roles: [], seats: ['service'] } }));
    await ok(t.request('PUT', `/v1/users/${ADMIN}/two-factor`, { body: { enabled: true } }));
    keyedAnswer = await ok(t.request('POST', '/v1/accounts', { body: KEYED_BODY, headers: { 'idempotency-key': 'dur-key' } }), 201);
    // O1/O5/O6/O7: the organization, created with a fresh step-up assertion.
    usedJti = 'dur-jti-1';
    usedAssertion = await stepUp(ADMIN, { jti: usedJti });
    const created = await ok(
      t.request('POST', '/v1/organizations', {
        body: { organizationId: ORG, name: 'Durable', primaryAccountId: 'dur-1', additionalAccountIds: [], acknowledgeImpact: true, acknowledgeBeta: true },
        headers: { ...asAdmin(), 'x-step-up': usedAssertion },
      }),
      201,
    );
    expect(created.body.organizationId).toBe(ORG);

    headBefore = await t.headPosition();
    for (const [url, headers] of READS) {
      before[url] = await t.read(url, headBefore.toString(), headers);
      expect(before[url].status).toBe(200);
    }
    expect(before['/v1/accounts/dur-1'].body.organizationId).toBe(ORG);
    // The lifecycle saga too has seen everything before the first app stops.
    const deadline = Date.now() + 5000;
    while ((await t.request('GET', '/v1/ops/projections')).body.items.some((i: { position: string | null }) => i.position !== headBefore.toString())) {
      if (Date.now() > deadline) throw new Error('projections did not reach the head before the restart');
      await new Promise((r) => setTimeout(r, 20));
    }
    eventsBefore = await t.eventCount();
    await first.close({ keepData: true });
    second = await TestApp.start({}, first.dataDir);
  });

  afterAll(async () => {
    await second?.close();
  });

  it('given a restart, then nothing is appended by starting up and the log is the same', async () => {
    expect(await second.eventCount()).toBe(eventsBefore);
    expect(await second.headPosition()).toBe(headBefore);
  });

  it('given a restart, then every projection resumes from its stored checkpoint at the head', async () => {
    const readStore = second.app.get<ReadStore>(READ_STORE);
    for (const name of ['accounts', 'account-users', 'organizations', 'organization-history']) {
      expect(await readStore.checkpoint(name)).toBe(headBefore);
    }
    const res = await second.request('GET', '/v1/ops/projections');
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThanOrEqual(4);
    for (const item of res.body.items) expect({ name: item.name, position: item.position, lag: item.lag }).toEqual({ name: item.name, position: headBefore.toString(), lag: '0' });
  });

  it('given a restart, then every GET answers exactly as before', async () => {
    for (const [url, headers] of READS) {
      const now = await second.request('GET', url, { headers });
      expect({ url, status: now.status, body: now.body }).toEqual({ url, status: 200, body: before[url].body });
    }
  });

  it('given a user set and then removed before the restart, then it stays removed, and nothing is re-applied twice', async () => {
    const account = await second.request('GET', '/v1/accounts/dur-1');
    expect(account.body.users.map((u: { userId: string }) => u.userId)).toEqual([ADMIN]);
    const changed = await second.request('GET', '/v1/accounts/dur-2');
    expect(changed.body.users).toContainEqual({ userId: 'dur-changed', roles: [], seats: ['service'] });
    expect((await second.request('DELETE', '/v1/accounts/dur-1/users/dur-gone')).status).toBe(404);
    const history = await second.request('GET', `/v1/organizations/${ORG}/history`, { headers: asAdmin('dur-1') });
    expect(history.body.items.map((i: { type: string }) => i.type)).toEqual(['OrganizationCreated']);
    expect(history.body.items[0].verification).toBe('otp');
  });

  it('given a restart, then new commands append after the old head and the projections apply them', async () => {
    const set = await ok(second.request('PUT', '/v1/accounts/dur-1/users/dur-new', { body: { roles: ['partner-admin'], seats: ['data'] } }));
    expect(BigInt(set.body.position)).toBeGreaterThan(headBefore);
    const registered = await ok(
      second.request('POST', '/v1/accounts', { body: { accountId: 'dur-4', name: 'Fourth', hostingLocation: 'na1', subscriptions: [] } }),
      201,
    );
    expect(BigInt(registered.body.position)).toBeGreaterThan(BigInt(set.body.position));
    const got = await second.read('/v1/accounts/dur-1', registered.body.position);
    expect(got.body.users.map((u: { userId: string }) => u.userId)).toEqual([ADMIN, 'dur-new']);
    expect((await second.read('/v1/accounts/dur-4', registered.body.position)).body.name).toBe('Fourth');
    // A1/A2 still hold on the facts from before the restart.
    expect((await second.request('PUT', '/v1/accounts/dur-2/sensitive-data', { body: { enabled: false } })).body.code).toBe('SENSITIVE_DATA_IRREVERSIBLE');
    expect((await second.request('PUT', '/v1/accounts/dur-3/users/x', { body: { roles: [], seats: [] } })).body.code).toBe('ACCOUNT_DEACTIVATED');
    expect((await second.request('POST', '/v1/accounts', { body: { accountId: 'dur-1', name: 'Again', hostingLocation: 'na1', subscriptions: [] } })).status).toBe(409);
  });

  it('given an Idempotency-Key used before the restart, then a repeat after it gets the first answer and appends nothing; another body is 422', async () => {
    const count = await second.eventCount();
    const headers = { 'idempotency-key': 'dur-key' };
    const again = await second.request('POST', '/v1/accounts', { body: KEYED_BODY, headers });
    expect({ status: again.status, body: again.body }).toEqual({ status: 201, body: keyedAnswer.body });
    const other = await second.request('POST', '/v1/accounts', { body: { ...KEYED_BODY, name: 'Other' }, headers });
    expect({ status: other.status, code: other.body.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await second.eventCount()).toBe(count);
  });

  it('O6 given a step-up assertion used before the restart, when it is sent again after it, then 403 STEP_UP_REQUIRED and nothing is appended', async () => {
    const headers = { ...asAdmin('dur-1'), 'x-step-up': usedAssertion };
    const count = await second.eventCount();
    const reused = await second.request('DELETE', `/v1/organizations/${ORG}`, { headers });
    expect({ status: reused.status, code: reused.body.code }).toEqual({ status: 403, code: 'STEP_UP_REQUIRED' });
    expect(String(reused.headers['content-type'])).toMatch(/^application\/problem\+json/);
    // A new token that carries the used jti is just as used.
    const sameJti = await stepUp(ADMIN, { jti: usedJti, iat: Math.floor(Date.now() / 1000) - 1 });
    const again = await second.request('DELETE', `/v1/organizations/${ORG}`, { headers: { ...headers, 'x-step-up': sameJti } });
    expect({ status: again.status, code: again.body.code }).toEqual({ status: 403, code: 'STEP_UP_REQUIRED' });
    expect(await second.eventCount()).toBe(count);

    // The refusal was about the jti alone: a fresh assertion deletes the organization.
    const deleted = await ok(second.request('DELETE', `/v1/organizations/${ORG}`, { headers: { ...headers, 'x-step-up': await stepUp(ADMIN) } }));
    const org = await second.read(`/v1/organizations/${ORG}`, deleted.body.position, asAdmin('dur-1'));
    expect(org.body.status).toBe('deleted');
    expect((await second.read('/v1/accounts/dur-1', deleted.body.position)).body.organizationId).toBeNull();
  });
});
