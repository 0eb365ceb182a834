import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';

/** Bytes of log lines gathered before one write, and how long a line may wait for company. */
export const LOG_BUFFER_BYTES = 4096;
export const LOG_FLUSH_MS = 250;

/**
 * The process's one pino logger. Lines go out asynchronously and in
 * batches: a write per request line cost every request a system call on
 * a thread of the pool (4% of the service's samples under bench:http). A
 * line waits at most LOG_FLUSH_MS, and pino writes out what is buffered
 * when the process exits; only a SIGKILL can lose the last lines.
 */
export function createRootLogger(level: string): Logger {
  if (level === 'silent') return pino({ level });
  const destination = pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES });
  const timer = setInterval(() => {
    try {
      destination.flush();
    } catch {
      clearInterval(timer); // closed
    }
  }, LOG_FLUSH_MS);
  timer.unref();
  destination.once('close', () => clearInterval(timer));
  return pino({ level }, destination);
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
