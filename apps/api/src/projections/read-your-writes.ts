import { applyDecorators, CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { from, mergeMap, type Observable } from 'rxjs';
import { Problem } from '../http/problem';
import { ProjectionsService } from './projections.service';

const READ_MODELS = 'mam:read-models';
export const MIN_POSITION_TIMEOUT_MS = 5000;

/**
 * Marks a GET with the projections behind it: with `X-Min-Position`, the
 * answer waits (up to 5 s) until each has processed that position, else 503
 * PROJECTION_LAG. (The interceptor runs on every GET: a GET with no read
 * model behind it answers at once, but still rejects a malformed position.)
 */
export const ReadsFrom = (...projections: string[]) =>
  applyDecorators(
    SetMetadata(READ_MODELS, projections),
    ApiHeader({ name: 'X-Min-Position', required: false, description: 'wait until the read models have processed this position' }),
  );

@Injectable()
export class MinPositionInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly projections: ProjectionsService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const raw = request.headers['x-min-position'];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || request.method !== 'GET') return next.handle();
    if (!/^\d{1,20}$/.test(value)) {
      throw Problem.validation([{ path: 'headers.x-min-position', message: 'must be a decimal position' }]);
    }
    const names = this.reflector.get<string[]>(READ_MODELS, context.getHandler()) ?? [];
    return from(this.projections.waitFor(BigInt(value), names, MIN_POSITION_TIMEOUT_MS)).pipe(
      mergeMap((ok) => {
        if (!ok) throw new Problem(503, 'PROJECTION_LAG', `the read models have not reached position ${value} yet`);
        return next.handle();
      }),
    );
  }
}
