import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../apps/api/test/child-service';

export const ROOT = join(__dirname, '..', '..');
export const SERVICE_MAIN = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
export const TOKEN = 'bench-token';

/** Users run dist/ (`nest build`): the bench measures that, built fresh unless BENCH_NO_BUILD=1 and a build exists. */
export function buildService(): void {
  if (process.env.BENCH_NO_BUILD === '1' && existsSync(SERVICE_MAIN)) return;
  const started = performance.now();
  const build = spawnSync('npx', ['nest', 'build', 'api'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('nest build api failed');
  console.log(`built dist/ in ${((performance.now() - started) / 1000).toFixed(0)} s (not measured)`);
}

/** `--cpu-prof` into BENCH_CPU_PROF (a directory) when set: the profile is written when the process exits on SIGTERM. */
export function nodeFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', '--cpu-prof-dir', dir] : [];
}

export interface Service {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The built service in its own process, on `dataDir`; resolves once /health answers. */
export async function startService(dataDir: string, env: Record<string, string> = {}): Promise<Service> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeFlags(), SERVICE_MAIN], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', API_TOKENS: TOKEN, STEP_UP_SECRET: 'bench-step-up-secret', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', ...env },
    // Its request log is part of its cost; where the lines go is not.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).status < 500) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error('the service did not start within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, process: child, stop: () => stop(child) };
}

export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The bare Fastify baseline in its own process. */
export async function startBare(): Promise<Service> {
  const child = spawn(process.execPath, [...nodeFlags(), '-r', '@swc-node/register', join(__dirname, 'bare-fastify.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`the bare route exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, process: child, stop: () => stop(child) };
}

export async function api(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** CPU time (user + system, every thread) a child process has used so far, in ms, where Linux tells it. */
export function cpuMs(child: ChildProcess): number | null {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime in clock ticks of 10 ms
  } catch {
    return null;
  }
}
