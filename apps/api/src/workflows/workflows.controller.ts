import { Body, Controller, createParamDecorator, Get, Param, Post, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { isId } from '@mam/domain';
import { ActingAccountId, ActorUserId, StepUpHeader } from '../http/headers';
import { IdPipe } from '../http/id.pipe';
import { Problem } from '../http/problem';
import { Answers } from '../http/route-config';
import { ReadsFrom } from '../projections/read-your-writes';
import { WorkflowCommands } from './workflow.commands';
import { DefineWorkflowDto, WorkflowDefinedDto, WorkflowListDto } from './workflow.dto';
import { WorkflowQueries } from './workflow.queries';

/** X-Acting-Account-Id where api.md does not require it: absent, the workflow's source account acts. */
const OptionalActingAccountId = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => {
  const raw = ctx.switchToHttp().getRequest<FastifyRequest>().headers['x-acting-account-id'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === '') return undefined;
  if (!isId(value)) throw Problem.validation([{ path: 'headers.x-acting-account-id', message: 'x-acting-account-id is not a valid id' }]);
  return value;
});

const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
  },
};
const problem = (status: number, codes: string) =>
  ApiResponse({ status, description: codes, content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } } });

@ApiTags('workflows')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Actor-User-Id', required: true })
@Controller('v1/organizations/:id/workflows')
export class WorkflowsController {
  constructor(
    private readonly commands: WorkflowCommands,
    private readonly queries: WorkflowQueries,
  ) {}

  @Post()
  @Answers(201)
  @ApiHeader({ name: 'X-Step-Up', required: true, description: 'step-up assertion (JWT HS256), O6' })
  @ApiHeader({ name: 'X-Acting-Account-Id', required: false, description: 'recorded in the history; the source account when absent' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiResponse({ status: 201, type: WorkflowDefinedDto })
  @problem(400, 'VALIDATION_FAILED')
  @problem(403, 'STEP_UP_REQUIRED, NOT_SUPER_ADMIN (O5), FORBIDDEN (acting account not a member)')
  @problem(404, 'NOT_FOUND')
  @problem(409, 'ALREADY_EXISTS (a repeated workflowId), CONFLICT')
  @problem(422, 'NO_FLOW (W1), TWO_FACTOR_REQUIRED (O6), SENSITIVE_DATA_SOURCE (C2), ORGANIZATION_DELETED, IDEMPOTENCY_KEY_REUSED')
  define(
    @Param('id', IdPipe) organizationId: string,
    @Body() body: DefineWorkflowDto,
    @ActorUserId() actor: string,
    @OptionalActingAccountId() acting: string | undefined,
    @StepUpHeader() stepUp: string | undefined,
  ) {
    return this.commands.define(
      {
        type: 'DefineWorkflow',
        data: {
          organizationId,
          workflowId: body.workflowId ?? randomUUID(),
          name: body.name,
          sourceAccountId: body.sourceAccountId,
          targetAccountId: body.targetAccountId,
          trigger: { type: body.trigger.type },
          action: { type: body.action.type, properties: body.action.properties ?? {}, markCrossSellOpportunity: body.action.markCrossSellOpportunity ?? false },
          actorUserId: actor,
          actingAccountId: acting ?? body.sourceAccountId,
          stepUp: null,
          at: new Date().toISOString(),
        },
      },
      stepUp,
    );
  }

  @Get()
  @ApiHeader({ name: 'X-Acting-Account-Id', required: true })
  @ApiResponse({ status: 200, type: WorkflowListDto })
  @problem(400, 'VALIDATION_FAILED')
  @problem(403, 'FORBIDDEN (O10: not an admin of the acting account)')
  @problem(404, 'NOT_FOUND (also when the user may not see the organization, O10)')
  @problem(503, 'PROJECTION_LAG')
  @ReadsFrom('workflows', 'organizations', 'accounts')
  list(@Param('id', IdPipe) organizationId: string, @ActorUserId() actor: string, @ActingAccountId() acting: string) {
    return this.queries.list(organizationId, actor, acting);
  }
}
