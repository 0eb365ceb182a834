import { TestApp, type Answer } from './test-app';
import { eligibleAccounts, eventually, features, givenAccounts, MHE, ok, orgHeaders, postOrganization, SALES_PRO, uid, type Connection } from './fixtures';

/** The `reporting` connection feature (api.md "Organizations", C2, C4) through the real app. */
describe('reporting connection feature (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await TestApp.start()));
  afterAll(() => t.close());

  const as = (user: string, acting: string) => ({ 'x-actor-user-id': user, 'x-acting-account-id': acting });
  const conn = (from: string, to: string, on: Partial<Connection['features']>, direction: 'one-way' | 'two-way' = 'one-way'): Connection => ({
    accounts: [from, to],
    direction,
    ...(direction === 'one-way' ? { from } : {}),
    features: features(on),
  });

  async function rejects(send: () => Promise<Answer>, status: number, code: string): Promise<void> {
    const before = await t.eventCount();
    const res = await send();
    expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
    expect(await t.eventCount()).toBe(before);
  }

  it('a request without `reporting` means it off; answers always carry it, with its flows', async () => {
    const e = await eligibleAccounts(t, 3, 'rf');
    const [a, b] = e.others;
    const created = await ok(
      postOrganization(t, e.user, {
        primaryAccountId: e.primary,
        additionalAccountIds: [a, b],
        connections: [conn(a, e.primary, { assetCopying: true }), conn(b, e.primary, { reporting: true }, 'two-way')],
      }),
      201,
    );
    const got = await t.read(`/v1/organizations/${created.organizationId}`, created.position, as(e.user, e.primary));
    expect(got.body.connections).toEqual([
      {
        accounts: [a, e.primary],
        direction: 'one-way',
        from: a,
        features: { dataMirroring: false, assetCopying: true, workflows: false, reporting: false },
        flows: { dataMirroring: [], assetCopying: [{ from: a, to: e.primary }], workflows: [], reporting: [] },
        revoked: [],
      },
      {
        accounts: [b, e.primary],
        direction: 'two-way',
        features: { dataMirroring: false, assetCopying: false, workflows: false, reporting: true },
        flows: {
          dataMirroring: [],
          assetCopying: [],
          workflows: [],
          reporting: [
            { from: b, to: e.primary },
            { from: e.primary, to: b },
          ],
        },
        revoked: [],
      },
    ]);
  });

  it('`reporting` that is not a boolean is a 400', async () => {
    const e = await eligibleAccounts(t, 2, 'rf400');
    await rejects(
      () =>
        postOrganization(t, e.user, {
          primaryAccountId: e.primary,
          additionalAccountIds: e.others,
          connections: [{ ...conn(e.others[0], e.primary, {}), features: { ...features(), reporting: 'yes' as unknown as boolean } }],
        }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('R4/C2 a sensitive-data account is no reporting source (one-way from it, or two-way); one-way into it is fine', async () => {
    const user = uid('rf-c2-user');
    const [p, s] = [uid('rf-c2-p'), uid('rf-c2-s')];
    await givenAccounts(t, user, [{ id: p, subscriptions: [MHE, SALES_PRO] }, { id: s, sensitiveData: true }]);
    for (const c of [conn(s, p, { reporting: true }), conn(p, s, { reporting: true }, 'two-way')]) {
      await rejects(() => postOrganization(t, user, { primaryAccountId: p, additionalAccountIds: [s], connections: [c] }), 422, 'SENSITIVE_DATA_SOURCE');
    }
    expect((await postOrganization(t, user, { primaryAccountId: p, additionalAccountIds: [s], connections: [conn(p, s, { reporting: true })] })).status).toBe(201);
  });

  it('R4/C4 an account that turns sensitive data on loses its reporting flows as a source, keeps those into it', async () => {
    const e = await eligibleAccounts(t, 2, 'rf-c4');
    const [a] = e.others;
    const created = await ok(
      postOrganization(t, e.user, { primaryAccountId: e.primary, additionalAccountIds: [a], connections: [conn(a, e.primary, { reporting: true }, 'two-way')] }),
      201,
    );
    await ok(t.request('PUT', `/v1/accounts/${a}/sensitive-data`, { body: { enabled: true } }));
    const got = await eventually(
      () => t.read(`/v1/organizations/${created.organizationId}`, undefined, as(e.user, e.primary)),
      (r) => r.body.connections?.[0]?.revoked?.length > 0,
    );
    expect(got.body.connections[0].flows.reporting).toEqual([{ from: e.primary, to: a }]);
    expect(got.body.connections[0].revoked).toEqual([{ feature: 'reporting', from: a, to: e.primary, reason: 'sensitive-data' }]);
  });
});
