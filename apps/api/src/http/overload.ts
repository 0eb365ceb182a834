import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { problemBody, sendProblem } from './problem';

const COMMANDS = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);
/** Seconds a refused client should wait: long enough for the queue to drain, short enough not to stall it. */
export const RETRY_AFTER_SECONDS = 1;

/**
 * Admission control for commands. Past `limit` commands in flight (received
 * and not yet answered), a command is refused at once with 503 OVERLOADED
 * and Retry-After, before its body is validated or its streams are read: an
 * unbounded queue answered every request late (seconds at 1000 updates/s on
 * a slow machine) instead of some requests early. Reads are not counted:
 * they cost little and a read-your-writes wait holds no work. Saga
 * reactions do not come through HTTP and are paced by their runner.
 * Registered after bearer auth, so an unauthenticated request takes no slot.
 */
export function registerOverloadGuard(fastify: FastifyInstance, limit: number, registry: Registry): void {
  let inFlight = 0;
  new Gauge({ name: 'mam_commands_in_flight', help: 'Commands received and not yet answered', registers: [registry], collect() { this.set(inFlight); } });
  new Gauge({ name: 'mam_commands_in_flight_limit', help: 'Commands in flight beyond which a command is refused (MAX_COMMANDS_IN_FLIGHT)', registers: [registry] }).set(limit);
  const refused = new Counter({ name: 'mam_commands_refused_total', help: 'Commands refused with 503 OVERLOADED', registers: [registry] });

  fastify.addHook('onRequest', (request, reply, done) => {
    if (!COMMANDS.has(request.method)) return done();
    if (inFlight >= limit) {
      refused.inc();
      void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return sendProblem(reply, problemBody(503, 'OVERLOADED', `the service is handling ${limit} commands; retry after ${RETRY_AFTER_SECONDS} s`));
    }
    inFlight++;
    // 'close' comes once whether the answer was sent or the client went away.
    reply.raw.once('close', () => inFlight--);
    done();
  });
}
