import type { FastifyInstance } from 'fastify';
import { Problem, sendProblem } from '../http/problem';
import { factsOf, routeFacts } from '../http/route-config';
import type { ProjectionsService } from './projections.service';

export const MIN_POSITION_TIMEOUT_MS = 5000;

/**
 * Marks a GET with the projections behind it: with `X-Min-Position`, the
 * answer waits (up to 5 s) until each has processed that position, else 503
 * PROJECTION_LAG. (`@QueryResponses` documents the header.)
 */
export const ReadsFrom = (...projections: string[]) => routeFacts({ readModels: projections });

/**
 * The wait, as a Fastify hook before the handler. It runs on every GET: a
 * GET with no read model behind it answers at once, but still rejects a
 * malformed position.
 */
export function registerMinPosition(fastify: FastifyInstance, projections: ProjectionsService): void {
  fastify.addHook('preHandler', (request, reply, done) => {
    const raw = request.headers['x-min-position'];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || request.method !== 'GET') return done();
    if (!/^\d{1,20}$/.test(value)) {
      return sendProblem(reply, Problem.validation([{ path: 'headers.x-min-position', message: 'must be a decimal position' }]).body());
    }
    projections.waitFor(BigInt(value), factsOf(request).readModels ?? [], MIN_POSITION_TIMEOUT_MS).then(
      (reached) => {
        if (reached) return done();
        sendProblem(reply, new Problem(503, 'PROJECTION_LAG', `the read models have not reached position ${value} yet`).body());
      },
      (error: unknown) => done(error as Error),
    );
  });
}
