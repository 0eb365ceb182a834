import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';

/**
 * The process's one pino logger. Lines go out asynchronously (pino flushes
 * what is buffered when the process exits): a synchronous write per request
 * line would cost every request a system call.
 */
export function createRootLogger(level: string): Logger {
  if (level === 'silent') return pino({ level });
  return pino({ level }, pino.destination({ dest: 1, sync: false }));
}

/**
 * One line per answered request, written from a Fastify hook. Only method,
 * path (without its query string), status, time and ids are logged, so no
 * header (bearer token, step-up) and no query value (an email) can leak.
 * A Nest middleware (pino-http) did the same at several times the cost per
 * request: a child logger, redaction and a middleware layer.
 */
export function registerRequestLog(fastify: FastifyInstance, logger: Logger): void {
  if (!logger.isLevelEnabled('info')) return;
  fastify.addHook('onResponse', (request, reply, done) => {
    const correlationId = request.headers['x-correlation-id'];
    logger.info(
      {
        reqId: request.id,
        ...(correlationId ? { correlationId } : {}),
        method: request.method,
        // The path only: a query string carries personal data (`?email=`).
        url: pathOf(request.url),
        statusCode: reply.statusCode,
        responseTime: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
    done();
  });
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
