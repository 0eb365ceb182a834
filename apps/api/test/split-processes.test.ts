import { READ_STORE, type ReadStore } from '@mam/read-store';
import { CONTACTS } from '../src/mirroring/mirroring.collections';
import { ProjectionsService } from '../src/projections/projections.service';
import { TestApp } from './test-app';

/**
 * An HTTP process without projections (RUN_PROJECTIONS=false) beside one that
 * runs them, on the same DATA_DIR: read-your-writes in the first waits on the
 * checkpoints the second stores.
 */
describe('read-your-writes when another process runs the projections', () => {
  let worker: TestApp;
  let front: TestApp;
  /** A second HTTP process: the set-up `npm run bench:split` measures (one projection process, two HTTP ones). */
  let other: TestApp;
  beforeAll(async () => {
    worker = await TestApp.start({ RUN_SAGAS: 'false' });
    front = await TestApp.start({ RUN_PROJECTIONS: 'false', RUN_SAGAS: 'false' }, worker.dataDir);
    other = await TestApp.start({ RUN_PROJECTIONS: 'false', RUN_SAGAS: 'false' }, worker.dataDir);
  });
  afterAll(async () => {
    await other.close({ keepData: true });
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

  it('given a command through one HTTP process, when the other HTTP process reads with its X-Min-Position, then it is served with the write', async () => {
    for (const [writer, reader, id] of [[front, other, 'split-3'], [other, front, 'split-4']] as const) {
      const created = await writer.request('POST', '/v1/accounts', { body: { accountId: id, name: `Name ${id}`, hostingLocation: 'eu1', subscriptions: [] } });
      expect(created.status).toBe(201);
      const read = await reader.read(`/v1/accounts/${id}`, created.body.position);
      expect(read.status).toBe(200);
      expect(read.body.name).toBe(`Name ${id}`);
    }
  });

  it('given both HTTP processes taking concurrent contact PUTs, then the projection process stores every acknowledged contact and no other', async () => {
    const account = 'split-crm';
    expect((await front.request('POST', '/v1/accounts', { body: { accountId: account, name: 'CRM', hostingLocation: 'na1', subscriptions: [] } })).status).toBe(201);
    const acknowledged: Array<{ contactId: string; position: bigint }> = [];
    const statuses: number[] = [];
    // 8 clients on each HTTP process, 15 PUTs each: their appends interleave in the one event log.
    const client = async (t: TestApp, name: string) => {
      for (let i = 0; i < 15; i++) {
        const contactId = `${name}-${i}`;
        const put = await t.request('PUT', `/v1/accounts/${account}/contacts/${contactId}`, { body: { email: `${contactId}@example.com` } });
        statuses.push(put.status);
        if (put.status === 200) acknowledged.push({ contactId, position: BigInt(put.body.position) });
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, c) => [client(front, `a${c}`), client(other, `b${c}`)]).flat());
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const last = acknowledged.reduce((max, a) => (a.position > max ? a.position : max), 0n);
    // Waits as an HTTP process does for X-Min-Position: on the checkpoint the projection process stored.
    expect(await other.app.get(ProjectionsService).waitFor(last, ['mirroring'], 10_000)).toBe(true);
    const stored = await other.app.get<ReadStore>(READ_STORE).find<{ contactId: string }>(CONTACTS, { accountId: account });
    expect(stored.map(({ doc }) => doc.contactId).sort()).toEqual(acknowledged.map((a) => a.contactId).sort());
  }, 30_000);

  it('given a position nobody has reached, then 503 PROJECTION_LAG', async () => {
    const lag = await front.read('/v1/accounts/split-1', '999999999');
    expect(lag.status).toBe(503);
    expect(lag.body.code).toBe('PROJECTION_LAG');
  }, 10_000);
});
