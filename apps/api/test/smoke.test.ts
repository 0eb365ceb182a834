import { TestApp } from './test-app';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => (t = await TestApp.start()));
  afterAll(() => t.close());

  it('serves health and registers an account through the projection', async () => {
    expect((await t.request('GET', '/health', { token: null })).status).toBe(200);
    const created = await t.request('POST', '/v1/accounts', {
      body: { accountId: 'a1', name: 'A', hostingLocation: 'na1', subscriptions: [{ hub: 'marketing', tier: 'enterprise' }] },
    });
    expect(created.status).toBe(201);
    const got = await t.read('/v1/accounts/a1', created.body.position);
    expect(got.status).toBe(200);
    expect(got.body.name).toBe('A');
  });
});
