import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EventStore } from '@mam/event-store';
import { answerFor, byteRequestHash, idempotencyStream, readIdempotencyRecord, requestHash } from '../commands/idempotency';
import { CommandError } from '../commands/command-error';
import { Problem, sendProblem } from './problem';
import { factsOf } from './route-config';
import { setRequestContext, type RequestContext } from './request-context';

const WRITES = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

/**
 * Gives each write its RequestContext (correlation id, idempotency)
 * and answers a repeated Idempotency-Key with the first answer. The check
 * here is a fast path; the command executor checks again inside its append
 * loop, and the atomic append of the key's record is what makes a race safe.
 * Reads need no context (they append nothing), so they skip this entirely.
 */
export function registerRequestContext(fastify: FastifyInstance, store: EventStore): void {
  fastify.addHook('preHandler', (request, reply, done) => {
    if (!WRITES.has(request.method)) return done();
    let ctx: RequestContext;
    try {
      ctx = contextOf(request);
    } catch (error) {
      return sendProblem(reply, (error as Problem).body());
    }
    // The controller hands it to its command (@RequestCtx()).
    setRequestContext(request, ctx);
    if (!ctx.idempotency) return done();
    readIdempotencyRecord(store, ctx.idempotency).then(
      (stored) => (stored ? replay(reply, () => answerFor(stored, ctx.idempotency!)) : done()),
      (error: unknown) => done(error as Error),
    );
  });
}

function contextOf(request: FastifyRequest): RequestContext {
  const correlationId = headerValue(request, 'x-correlation-id') ?? String(request.id ?? randomUUID());
  const key = headerValue(request, 'idempotency-key');
  if (key === undefined) return { correlationId };
  if (key.length === 0 || key.length > 200) {
    throw Problem.validation([{ path: 'headers.idempotency-key', message: 'must be 1–200 characters' }]);
  }
  const acting = `${headerValue(request, 'x-actor-user-id') ?? ''}\u0000${headerValue(request, 'x-acting-account-id') ?? ''}`;
  return {
    correlationId,
    idempotency: {
      key,
      streamId: idempotencyStream(key, request.headers.authorization ?? ''),
      requestHash: requestHash(request.method, request.url, request.body, acting),
      byteRequestHash: byteRequestHash(request.method, request.url, request.body, acting),
      status: factsOf(request).status ?? (request.method === 'POST' ? 201 : 200),
    },
  };
}

function replay(reply: FastifyReply, answer: () => { status: number; body: unknown }): void {
  try {
    const { status, body } = answer();
    void reply.status(status).send(body);
  } catch (error) {
    // answerFor refuses a key reused for another request with the pipeline's own error.
    sendProblem(reply, error instanceof CommandError ? Problem.of(error.code, error.message).body() : (error as Problem).body());
  }
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
