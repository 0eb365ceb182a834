import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { isId } from '@mam/domain';
import { Problem } from './problem';

function header(ctx: ExecutionContext, name: string): string | undefined {
  const value = ctx.switchToHttp().getRequest<FastifyRequest>().headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function requiredId(name: string) {
  return createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
    const value = header(ctx, name);
    if (value === undefined || value === '') {
      throw Problem.validation([{ path: `headers.${name}`, message: `${name} is required` }]);
    }
    if (!isId(value)) throw Problem.validation([{ path: `headers.${name}`, message: `${name} is not a valid id` }]);
    return value;
  })();
}

/** X-Actor-User-Id: the user on whose behalf the service consumer acts. */
export const ActorUserId = () => requiredId('x-actor-user-id');
/** X-Acting-Account-Id: the account the user acts from (O8–O10). */
export const ActingAccountId = () => requiredId('x-acting-account-id');
/** X-Step-Up: the step-up assertion (O6); may be absent — the decider answers that. */
export const StepUpHeader = createParamDecorator((_: unknown, ctx: ExecutionContext) => header(ctx, 'x-step-up'));
