import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * "Nothing lost", with a real process: the service runs on its own, takes
 * concurrent commands, and is killed with SIGKILL in the middle of them. A
 * new process on the same DATA_DIR must have every command that was
 * acknowledged (201), exactly once, and its read models must catch up.
 */
const ROOT = join(__dirname, '..', '..', '..');
const TOKEN = 'kill-test-token';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startService(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--require', '@swc-node/register', 'apps/api/src/main.ts'], {
    cwd: ROOT,
    // No admission cap: on a busy machine the burst below would be partly refused (503 OVERLOADED), and this test is about what a kill loses.
    env: { ...process.env, NODE_ENV: 'test', DATA_DIR: dataDir, PORT: String(port), API_TOKENS: TOKEN, LOG_LEVEL: 'warn', MAX_COMMANDS_IN_FLIGHT: '100000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.status === 200) return child;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error('the service did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

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
    const first = await startService(dataDir, port);
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

    const second = await startService(dataDir, port);
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
