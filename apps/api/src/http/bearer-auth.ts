import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { problemBody, sendProblem } from './problem';

/** The path as the router sees it: `/%761/x` routes to `/v1/x`, so it must be authenticated like it. */
function routedPath(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  // Without a `%` there is nothing to decode (decodeURIComponent would return it as it is).
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * Bearer tokens from API_TOKENS on every `/v1` request — matched routes and
 * unknown ones alike (an unknown /v1 path without a token is a 401, not a
 * 404 that tells what exists). /health, /metrics and /docs stay open.
 * A Fastify hook rather than a Nest guard, because guards only run on
 * matched routes.
 */
export function registerBearerAuth(fastify: FastifyInstance, apiTokens: string[]): void {
  const tokens = apiTokens.map((t) => Buffer.from(t));
  fastify.addHook('onRequest', (request, reply, done) => {
    const path = routedPath(request.url);
    if (path !== '/v1' && !path.startsWith('/v1/')) return done();
    const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
    let detail: string | null = null;
    if (!match) detail = 'a bearer token is required';
    else {
      const given = Buffer.from(match[1].trim());
      if (!tokens.some((t) => t.length === given.length && timingSafeEqual(t, given))) detail = 'the bearer token is not accepted';
    }
    if (detail) {
      return sendProblem(reply, problemBody(401, 'UNAUTHENTICATED', detail));
    }
    done();
  });
}
