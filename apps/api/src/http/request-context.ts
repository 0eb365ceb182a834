import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { CommandContext } from '../commands/command-context';

/** A request's command context: the pipeline defines it (it knows no HTTP), the request hooks set it. */
export type { CommandContext as RequestContext, IdempotencyContext } from '../commands/command-context';

const contexts = new WeakMap<FastifyRequest, CommandContext>();

/** Set by the request-context hook before the handler runs (writes only). */
export function setRequestContext(request: FastifyRequest, context: CommandContext): void {
  contexts.set(request, context);
}

/**
 * The write's context, for its controller to hand to the command explicitly
 * (a parameter, not an AsyncLocalStorage: see CommandContext). Every command
 * route takes it; a test holds each of them to it.
 */
export const requestContextOf = (_: unknown, ctx: ExecutionContext): CommandContext | undefined => contexts.get(ctx.switchToHttp().getRequest<FastifyRequest>());
export const RequestCtx = createParamDecorator(requestContextOf);
