import Fastify from 'fastify';
import pino from 'pino';
import { Writable } from 'node:stream';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { registerRequestLog } from './request-log';

/** The root logger in a process of its own (it writes to fd 1): what reaches stdout. */
function rootLoggerProcess(script: string): { firstLine: Promise<string>; exited: Promise<string>; kill: () => void } {
  const setup = `const { createRootLogger } = require(${JSON.stringify(join(__dirname, 'request-log'))}); const logger = createRootLogger('info');`;
  const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', `${setup} ${script}`], { cwd: join(__dirname, '..', '..', '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const firstLine = new Promise<string>((resolve) => child.stdout.on('data', (d: Buffer) => (out += d.toString()).includes('\n') && resolve(out)));
  const exited = new Promise<string>((resolve) => child.on('close', () => resolve(out)));
  return { firstLine, exited, kill: () => child.kill() };
}

function capture(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

describe('request log', () => {
  it('writes one line per answered request with method, path, status and ids, and never a header', async () => {
    const { logger, lines } = capture('info');
    const app = Fastify();
    registerRequestLog(app, logger);
    app.get('/v1/things/:id', async () => ({ ok: true }));
    const res = await app.inject({ method: 'GET', url: '/v1/things/7', headers: { authorization: 'Bearer s3cret', 'x-step-up': 'jwt.jwt.jwt', 'x-correlation-id': 'corr-1' } });
    await new Promise((r) => setImmediate(r));
    expect(res.statusCode).toBe(200);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'request completed', method: 'GET', url: '/v1/things/7', statusCode: 200, correlationId: 'corr-1' });
    expect(typeof lines[0].reqId).toBe('string');
    expect(typeof lines[0].responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toMatch(/s3cret|jwt\.jwt/);
    await app.close();
  });

  it('logs the path without its query string (an email is personal data)', async () => {
    const { logger, lines } = capture('info');
    const app = Fastify();
    registerRequestLog(app, logger);
    app.get('/v1/things', async () => ({ ok: true }));
    await app.inject({ method: 'GET', url: '/v1/things?email=jane.doe%40example.com&limit=5' });
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({ url: '/v1/things' });
    expect(JSON.stringify(lines)).not.toMatch(/jane|example|email/);
    await app.close();
  });

  it('given one line, far less than a batch, then it still reaches stdout while the process runs', async () => {
    // The process would stay up for a minute and is killed once the line arrived: only the flush timer can write it.
    const run = rootLoggerProcess(`logger.info({ n: 1 }, 'lonely line'); setTimeout(() => {}, 60_000);`);
    const out = await run.firstLine;
    run.kill();
    await run.exited;
    expect(JSON.parse(out.split('\n')[0])).toMatchObject({ msg: 'lonely line', n: 1 });
  });

  it('given lines still buffered when the process exits, then they are written', async () => {
    const out = await rootLoggerProcess(`for (let i = 0; i < 3; i++) logger.info({ i }, 'last words'); process.exit(0);`).exited;
    expect(out.trim().split('\n').map((l) => JSON.parse(l).i)).toEqual([0, 1, 2]);
  });

  it('adds no hook when info is off', async () => {
    const { logger, lines } = capture('warn');
    const app = Fastify();
    registerRequestLog(app, logger);
    app.get('/x', async () => ({}));
    await app.inject({ method: 'GET', url: '/x' });
    expect(lines).toHaveLength(0);
    await app.close();
  });
});
