import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What users run is `dist/` (`npm start`, `npm run ops`), not the TypeScript
 * that jest maps. This builds it as `npm run build` does and runs the built
 * service and ops CLI with each production store pointed at a closed port.
 */
const root = join(__dirname, '..', '..', '..');
const dist = join(root, 'dist');
const CLOSED = '127.0.0.1:1';

const selectors = {
  KurrentDB: { EVENT_STORE: 'kurrentdb', KURRENTDB_URL: `kurrentdb://${CLOSED}?tls=false` },
  MongoDB: { READ_STORE: 'mongodb', MONGODB_URL: `mongodb://${CLOSED}/mam?serverSelectionTimeoutMS=1000` },
} as const;

const programs = {
  service: ['dist/apps/api/src/main.js'],
  'ops CLI': ['dist/apps/ops/src/main.js', 'projections'],
} as const;

function run(args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A process that does not give up on its own is a failure, not a hang of the suite.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `npm run build`, in its own process group so a timeout stops nest and tsc too, not only npm. */
function build(timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'build'], { cwd: root, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`npm run build failed (${code ?? 'killed'}): ${stderr}`));
    });
  });
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsFiles(path);
    return path.endsWith('.js') ? [path] : [];
  });
}

describe('the built artifact (dist/)', () => {
  let dataDir: string;

  // Two full type-checked compiles (api, ops): about a minute alone, several on a busy machine.
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mam-dist-'));
    await build(580_000);
  }, 600_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('resolves every module as the sources do: no path alias is left for Node to resolve', () => {
    // jest maps @mam/... itself, so an alias that survives the build breaks only in dist/.
    const leftovers = jsFiles(dist).filter((file) => /require\(["']@mam\/|import\(["']@mam\//.test(readFileSync(file, 'utf8')));
    expect(leftovers).toEqual([]);
  });

  it('loads neither production client in a process that does not select it', async () => {
    // The whole service module graph, as main.js loads it, then which client packages came with it.
    const probe = `require('./dist/apps/api/src/app.factory'); require('./dist/apps/ops/src/ops.module');
      const loaded = Object.keys(require.cache);
      console.log(JSON.stringify(['/mongodb/', '/@kurrent/'].filter((p) => loaded.some((f) => f.includes('node_modules' + p)))));`;
    const { code, stdout } = await run(['-e', probe], {});
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([]);
  });

  for (const [store, selector] of Object.entries(selectors)) {
    for (const [program, args] of Object.entries(programs)) {
      it(`given ${store} selected and not there, then the built ${program} exits non-zero at once with one line naming it and the reason`, async () => {
        const started = Date.now();
        const { code, stdout, stderr } = await run(args, {
          NODE_ENV: 'production',
          API_TOKENS: 'token',
          STEP_UP_SECRET: 'secret',
          DATA_DIR: dataDir,
          PORT: '0',
          ...selector,
        });
        expect(code).not.toBe(0);
        expect(code).not.toBeNull();
        expect(Date.now() - started).toBeLessThan(20_000);
        const lines = stderr.trim().split('\n');
        expect({ lines, stdout }).toEqual({ lines: [expect.stringContaining(`${store} is selected but cannot be reached: `)], stdout: '' });
        expect(lines[0]).toMatch(/127\.0\.0\.1:1/);
        expect(lines[0]).not.toMatch(/Cannot find module/);
      }, 40_000);
    }
  }
});
