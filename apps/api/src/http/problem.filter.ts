import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from '@mam/domain';
import { ConcurrencyError, EventStoreUnavailableError } from '@mam/event-store';
import { ReadStoreUnavailableError } from '@mam/read-store';
import { IdempotentReplay } from '../commands/idempotency';
import { CommandError } from '../commands/command-error';
import { Problem, problemBody, sendProblem, type ProblemBody } from './problem';

const STORE_RETRY_AFTER_SECONDS = 1;

/** Every failure leaves as application/problem+json, whatever threw it. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    // A keyed request that lost a race to its own repeat: the winner's answer is the answer.
    if (exception instanceof IdempotentReplay) {
      void reply.status(exception.answer.status).send(exception.answer.body);
      return;
    }
    const body = this.toProblem(exception);
    if (body.status >= 500 && body.code === 'INTERNAL_ERROR') this.logger.error(exception);
    // A store outage is the client's cue to back off and retry, not a bug: say when.
    if (body.code === 'STORE_UNAVAILABLE') void reply.header('retry-after', String(STORE_RETRY_AFTER_SECONDS));
    sendProblem(reply, body);
  }

  private toProblem(exception: unknown): ProblemBody {
    if (exception instanceof Problem) return exception.body();
    if (exception instanceof CommandError) return Problem.of(exception.code, exception.message).body();
    if (exception instanceof DomainError) {
      // Shape errors found by a decider are 400s like the DTOs' and carry errors[] too.
      if (exception.code === 'VALIDATION_FAILED') return Problem.validation([{ path: '', message: exception.message }], exception.message).body();
      return Problem.of(exception.code, exception.message).body();
    }
    if (exception instanceof EventStoreUnavailableError || exception instanceof ReadStoreUnavailableError) {
      // Nothing was decided on a store that did not answer (an append it could not confirm is settled by the adapter).
      return problemBody(503, 'STORE_UNAVAILABLE', `a store is not answering (${exception.message}); retry later`);
    }
    if (exception instanceof ConcurrencyError) {
      return problemBody(409, 'CONFLICT', 'the resource was changed concurrently; retry the request');
    }
    if (exception instanceof HttpException) return fromHttpException(exception);
    const fastifyError = exception as { statusCode?: number; code?: string; message?: string };
    if (typeof fastifyError?.statusCode === 'number') return fromFastify(fastifyError);
    return problemBody(500, 'INTERNAL_ERROR', 'an unexpected error occurred');
  }
}

function fromHttpException(e: HttpException): ProblemBody {
  const status = e.getStatus();
  if (status === 404) return problemBody(404, 'NOT_FOUND', 'no such resource');
  if (status === 413) return problemBody(413, 'PAYLOAD_TOO_LARGE', 'the body exceeds 1 MiB');
  if (status === 400) return problemBody(400, 'VALIDATION_FAILED', e.message, [{ path: '', message: e.message }]);
  if (status === 415) return unsupportedMediaType();
  return problemBody(status, status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : 'ERROR', e.message);
}

/** Errors raised by Fastify before Nest sees the request: bad JSON, too large, wrong content type. */
function fromFastify(e: { statusCode?: number; code?: string; message?: string }): ProblemBody {
  const status = e.statusCode ?? 500;
  if (status === 413) return problemBody(413, 'PAYLOAD_TOO_LARGE', 'the body exceeds 1 MiB');
  if (status === 415) return unsupportedMediaType();
  if (status === 400) {
    const message = e.message ?? 'malformed request';
    return problemBody(400, 'VALIDATION_FAILED', message, [{ path: '', message }]);
  }
  return problemBody(status, 'ERROR', e.message ?? 'error');
}

/** api.md has no 415: a body that is not JSON is malformed input, a 400 like bad JSON. */
function unsupportedMediaType(): ProblemBody {
  const message = 'the body must be JSON (content-type: application/json)';
  return problemBody(400, 'VALIDATION_FAILED', message, [{ path: 'headers.content-type', message }]);
}
