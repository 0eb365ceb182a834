import Fastify from 'fastify';
import pino from 'pino';
import { Writable } from 'node:stream';
import { registerRequestLog } from './request-log';

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
