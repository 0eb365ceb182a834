import { HttpException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { statusOf } from '@mam/domain';

export interface FieldError {
  path: string;
  message: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
}

/** An RFC 9457 problem with api.md's `code`. */
export class Problem extends HttpException {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    detail: string,
    readonly errors?: FieldError[],
  ) {
    super(detail, statusCode);
  }

  static of(code: string, detail: string): Problem {
    return new Problem(statusOf(code), code, detail);
  }

  static validation(errors: FieldError[], detail = 'the request is invalid'): Problem {
    return new Problem(400, 'VALIDATION_FAILED', detail, errors);
  }

  body(): ProblemBody {
    return problemBody(this.statusCode, this.code, this.message, this.errors);
  }
}

export function problemBody(status: number, code: string, detail: string, errors?: FieldError[]): ProblemBody {
  const body: ProblemBody = {
    type: `https://errors.multi-account-management.dev/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
  };
  if (errors) body.errors = errors;
  return body;
}

/** Answers with a problem straight from a Fastify hook or filter. */
export function sendProblem(reply: FastifyReply, body: ProblemBody): void {
  void reply.status(body.status).header('content-type', 'application/problem+json').send(body);
}
