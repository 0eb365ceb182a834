import { TestApp } from './test-app';

/**
 * An HTTP process without projections (RUN_PROJECTIONS=false) beside one that
 * runs them, on the same DATA_DIR: read-your-writes in the first waits on the
 * checkpoints the second stores.
 */
describe('read-your-writes when another process runs the projections', () => {
  let worker: TestApp;
  let front: TestApp;
  beforeAll(async () => {
    worker = await TestApp.start({ RUN_SAGAS: 'false' });
    front = await TestApp.start({ RUN_PROJECTIONS: 'false', RUN_SAGAS: 'false' }, worker.dataDir);
  });
  afterAll(async () => {
    await front.close({ keepData: true });
    await worker.close();
  });

  it('given a command through the front process, when it reads with X-Min-Position, then it waits for the other process and answers fresh data', async () => {
    const created = await front.request('POST', '/v1/accounts', {
      body: { accountId: 'split-1', name: 'Split', hostingLocation: 'eu1', subscriptions: [] },
    });
    expect(created.status).toBe(201);
    const read = await front.read('/v1/accounts/split-1', created.body.position);
    expect(read.status).toBe(200);
    expect(read.body.name).toBe('Split');
  });

  it('given the projections run elsewhere, then /health and /v1/ops/projections show the checkpoints stored there, not "stopped" with no position', async () => {
    const created = await front.request('POST', '/v1/accounts', { body: { accountId: 'split-2', name: 'Split 2', hostingLocation: 'eu1', subscriptions: [] } });
    expect((await front.read('/v1/accounts/split-2', created.body.position)).status).toBe(200);
    const health = await front.request('GET', '/health');
    expect(health.status).toBe(200);
    const items: Array<{ name: string; position: string | null; status: string }> = health.body.info.projections.items;
    const accounts = items.find((i) => i.name === 'accounts')!;
    expect(accounts.status).toBe('elsewhere');
    expect(BigInt(accounts.position!)).toBeGreaterThanOrEqual(BigInt(created.body.position));
    const ops = await front.request('GET', '/v1/ops/projections');
    expect(ops.body.items.find((i: { name: string }) => i.name === 'accounts')).toMatchObject({ status: 'elsewhere', position: expect.stringMatching(/^\d+$/) });
  });

  it('given a position nobody has reached, then 503 PROJECTION_LAG', async () => {
    const lag = await front.read('/v1/accounts/split-1', '999999999');
    expect(lag.status).toBe(503);
    expect(lag.body.code).toBe('PROJECTION_LAG');
  }, 10_000);
});
