import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startService } from './child-service';

/**
 * "Nothing lost", with a real process: the service runs on its own, takes
 * concurrent commands, and is killed with SIGKILL in the middle of them. A
 * new process on the same DATA_DIR must have every command that was
 * acknowledged (201), exactly once, and its read models must catch up.
 */
const TOKEN = 'kill-test-token';

// No admission cap: on a busy machine the burst below would be partly refused (503 OVERLOADED), and this test is about what a kill loses.
const UNCAPPED = { MAX_COMMANDS_IN_FLIGHT: '100000' };

const call = (port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('kill -9 in the middle of commands', () => {
  let dataDir: string;
  const children: ChildProcess[] = [];
  beforeAll(() => (dataDir = mkdtempSync(join(tmpdir(), 'mam-kill-'))));
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('given a service killed while commands are in flight, then a restarted one has every acknowledged command, once', async () => {
    const port = await freePort();
    const first = await startService(dataDir, port, TOKEN, UNCAPPED, 30_000);
    children.push(first);

    const acknowledged: Array<{ id: string; position: string }> = [];
    let killed = false;
    const sends = Array.from({ length: 300 }, async (_, i) => {
      const id = `k${i}`;
      await new Promise((r) => setTimeout(r, i)); // spread over ~300 ms
      try {
        const res = await call(port, 'POST', '/v1/accounts', { accountId: id, name: id, hostingLocation: 'na1', subscriptions: [] });
        if (res.status === 201) {
          acknowledged.push({ id, position: ((await res.json()) as { position: string }).position });
          if (acknowledged.length === 100 && !killed) {
            killed = true;
            first.kill('SIGKILL');
          }
        }
      } catch {
        /* the process is gone: not acknowledged */
      }
    });
    await Promise.all(sends);
    expect(killed).toBe(true);
    expect(acknowledged.length).toBeGreaterThanOrEqual(100);

    const second = await startService(dataDir, port, TOKEN, UNCAPPED, 30_000);
    children.push(second);
    const highest = acknowledged.map((a) => BigInt(a.position)).reduce((a, b) => (a > b ? a : b));
    for (const { id } of acknowledged) {
      const res = await call(port, 'GET', `/v1/accounts/${id}`, undefined, { 'x-min-position': highest.toString() });
      expect({ id, status: res.status }).toEqual({ id, status: 200 });
    }
    // Stored once: registering one of them again is a conflict (ALREADY_EXISTS).
    const again = await call(port, 'POST', '/v1/accounts', { accountId: acknowledged[0].id, name: 'x', hostingLocation: 'na1', subscriptions: [] });
    expect(again.status).toBe(409);
    second.kill('SIGTERM');
  }, 90_000);
});
