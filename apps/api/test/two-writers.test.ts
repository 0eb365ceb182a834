import type { ChildProcess } from 'node:child_process';
import { freePort, startService } from './child-service';
import { TestApp, TOKEN } from './test-app';

/**
 * README's set-up of a second service process (RUN_PROJECTIONS=false) on the
 * same DATA_DIR: both take commands at once, and each append waits for the
 * other process's write lock instead of failing.
 */

describe('two service processes on one DATA_DIR', () => {
  let t: TestApp;
  let second: ChildProcess | undefined;
  let port: number;
  beforeAll(async () => {
    t = await TestApp.start({ RUN_SAGAS: 'false' });
    port = await freePort();
    second = await startService(t.dataDir, port, TOKEN, { RUN_PROJECTIONS: 'false', RUN_SAGAS: 'false' });
  }, 90_000);
  afterAll(async () => {
    second?.kill('SIGKILL');
    await t.close();
  });

  it('given both taking a thousand concurrent commands, then none is answered 500 and every one is stored', async () => {
    const body = (id: string) => ({ accountId: id, name: id, hostingLocation: 'na1', subscriptions: [] });
    const viaFirst = (id: string) => t.request('POST', '/v1/accounts', { body: body(id) }).then((r) => r.status);
    const viaSecond = (id: string) =>
      fetch(`http://127.0.0.1:${port}/v1/accounts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body(id)),
      }).then((r) => r.status);
    // 20 clients on each process, 25 commands each: a steady stream of small transactions from both sides.
    const statuses: number[] = [];
    const client = async (send: (id: string) => Promise<number>, name: string) => {
      for (let i = 0; i < 25; i++) statuses.push(await send(`${name}-${i}`));
    };
    await Promise.all(Array.from({ length: 20 }, (_, c) => [client(viaFirst, `one-${c}`), client(viaSecond, `two-${c}`)]).flat());
    const counts = statuses.reduce<Record<number, number>>((c, s) => ({ ...c, [s]: (c[s] ?? 0) + 1 }), {});
    expect(counts).toEqual({ 201: 1000 });
    expect(await t.eventCount()).toBe(1000);
  }, 120_000);
});
