import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader, type ApiHeaderOptions } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { isId } from '@mam/domain';
import { Problem } from './problem';
import { ID_SCHEMA } from './openapi';

function header(ctx: ExecutionContext, name: string): string | undefined {
  const value = ctx.switchToHttp().getRequest<FastifyRequest>().headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Documents the header on the operation whose parameter it decorates: using the header is documenting it. */
const documents =
  (options: ApiHeaderOptions): ParameterDecorator =>
  (target, key) => {
    ApiHeader(options)(target, key!, Object.getOwnPropertyDescriptor(target, key!)!);
  };

function requiredId(documentedName: string, description: string) {
  const name = documentedName.toLowerCase();
  return createParamDecorator(
    (_: unknown, ctx: ExecutionContext): string => {
      const value = header(ctx, name);
      if (value === undefined || value === '') {
        throw Problem.validation([{ path: `headers.${name}`, message: `${name} is required` }]);
      }
      if (!isId(value)) throw Problem.validation([{ path: `headers.${name}`, message: `${name} is not a valid id` }]);
      return value;
    },
    [documents({ name: documentedName, required: true, description, schema: { ...ID_SCHEMA } })],
  )();
}

/** X-Actor-User-Id: the user on whose behalf the service consumer acts. */
export const ActorUserId = () => requiredId('X-Actor-User-Id', 'the user on whose behalf the consumer acts');
/** X-Acting-Account-Id: the account the user acts from (O8–O10). */
export const ActingAccountId = () => requiredId('X-Acting-Account-Id', 'the account the user acts from (O8–O10)');
/** X-Step-Up: the step-up assertion (O6); may be absent — the decider answers that (403 STEP_UP_REQUIRED). */
export const StepUpHeader = createParamDecorator((_: unknown, ctx: ExecutionContext) => header(ctx, 'x-step-up'), [
  documents({ name: 'X-Step-Up', required: true, description: 'step-up assertion (JWT HS256 signed with STEP_UP_SECRET), O6; missing or invalid is 403 STEP_UP_REQUIRED' }),
]);
