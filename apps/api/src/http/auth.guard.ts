import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { Problem } from './problem';

/** Bearer tokens from API_TOKENS on every /v1 route; /health, /metrics and /docs are open. */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  private readonly tokens: Buffer[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.tokens = config.apiTokens.map((t) => Buffer.from(t));
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!request.url.startsWith('/v1/')) return true;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) throw new Problem(401, 'UNAUTHENTICATED', 'a bearer token is required');
    const given = Buffer.from(match[1].trim());
    const ok = this.tokens.some((t) => t.length === given.length && timingSafeEqual(t, given));
    if (!ok) throw new Problem(401, 'UNAUTHENTICATED', 'the bearer token is not accepted');
    return true;
  }
}
