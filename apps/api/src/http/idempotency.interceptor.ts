import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, HttpStatus } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, catchError, from, of, throwError } from 'rxjs';
import { EVENT_STORE, type EventStore } from '@mam/event-store';
import { IdempotentReplay, idempotencyStream, readIdempotencyRecord, requestHash, type StoredAnswer } from '../commands/idempotency';
import { Problem } from './problem';
import { requestContext, type RequestContext } from './request-context';

const WRITES = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

/**
 * Runs each request inside its RequestContext (correlation id, idempotency)
 * and answers repeated Idempotency-Keys. The check before the handler is a
 * fast path; the command executor checks again inside its append loop, and
 * the atomic append of the key's record is what makes a race safe.
 */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const correlationId = headerValue(request, 'x-correlation-id') ?? String(request.id ?? randomUUID());
    const ctx: RequestContext = { correlationId };
    const key = headerValue(request, 'idempotency-key');
    if (key === undefined || !WRITES.has(request.method)) return this.run(ctx, next);

    if (key.length === 0 || key.length > 200) {
      throw Problem.validation([{ path: 'headers.idempotency-key', message: 'must be 1–200 characters' }]);
    }
    const status =
      this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ??
      (request.method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK);
    const acting = `${headerValue(request, 'x-actor-user-id') ?? ''}\u0000${headerValue(request, 'x-acting-account-id') ?? ''}`;
    ctx.idempotency = {
      key,
      streamId: idempotencyStream(key, request.headers.authorization ?? ''),
      requestHash: requestHash(request.method, request.url, request.body, acting),
      status,
    };
    const idem = ctx.idempotency;
    const answer = (stored: StoredAnswer) => {
      if (stored.requestHash !== idem.requestHash) {
        throw Problem.of('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with another request');
      }
      void reply.status(stored.status);
      return stored.body;
    };
    return from(readIdempotencyRecord(this.store, idem)).pipe(
      (source) =>
        new Observable<unknown>((subscriber) =>
          source.subscribe({
            next: (stored) => {
              if (stored) {
                try {
                  subscriber.next(answer(stored));
                  subscriber.complete();
                } catch (e) {
                  subscriber.error(e);
                }
                return;
              }
              this.run(ctx, next)
                .pipe(catchError((e) => (e instanceof IdempotentReplay ? of(answer(e.answer)) : throwError(() => e))))
                .subscribe(subscriber);
            },
            error: (e) => subscriber.error(e),
          }),
        ),
    );
  }

  private run(ctx: RequestContext, next: CallHandler): Observable<unknown> {
    return new Observable((subscriber) => requestContext.run(ctx, () => next.handle().subscribe(subscriber)));
  }
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
