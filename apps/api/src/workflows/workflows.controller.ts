import { Body, Controller, createParamDecorator, Get, Post, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { isId } from '@mam/domain';
import { ActingAccountId, ActorUserId, StepUpHeader } from '../http/headers';
import { CommandResponses, ID_SCHEMA, IdParam, QueryResponses } from '../http/openapi';
import { Problem } from '../http/problem';
import { ReadsFrom } from '../projections/read-your-writes';
import { WorkflowCommands } from './workflow.commands';
import { DefineWorkflowDto, WorkflowDefinedDto, WorkflowListDto } from './workflow.dto';
import { WorkflowQueries } from './workflow.queries';
import { RequestCtx, type RequestContext } from '../http/request-context';

/** X-Acting-Account-Id where api.md does not require it: absent, the workflow's source account acts. */
const OptionalActingAccountId = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => {
  const raw = ctx.switchToHttp().getRequest<FastifyRequest>().headers['x-acting-account-id'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === '') return undefined;
  if (!isId(value)) throw Problem.validation([{ path: 'headers.x-acting-account-id', message: 'x-acting-account-id is not a valid id' }]);
  return value;
});

/** W2 (O5, O6), W1 and the organization itself. */
const DEFINING = ['NOT_FOUND', 'ORGANIZATION_DELETED', 'TWO_FACTOR_REQUIRED', 'STEP_UP_REQUIRED', 'NOT_SUPER_ADMIN', 'FORBIDDEN', 'ALREADY_EXISTS', 'NO_FLOW', 'SENSITIVE_DATA_SOURCE'];

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('v1/organizations/:id/workflows')
export class WorkflowsController {
  constructor(
    private readonly commands: WorkflowCommands,
    private readonly queries: WorkflowQueries,
  ) {}

  @Post()
  @CommandResponses(201, WorkflowDefinedDto, ...DEFINING)
  @ApiHeader({ name: 'X-Acting-Account-Id', required: false, description: 'recorded in the history; the source account when absent', schema: { ...ID_SCHEMA } })
  define(
    @RequestCtx() ctx: RequestContext,
    @IdParam('id') organizationId: string,
    @Body() body: DefineWorkflowDto,
    @ActorUserId() actor: string,
    @OptionalActingAccountId() acting: string | undefined,
    @StepUpHeader() stepUp: string | undefined,
  ) {
    return this.commands.define(
      ctx,
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
  @QueryResponses(WorkflowListDto, 'NOT_FOUND', 'FORBIDDEN')
  @ReadsFrom('workflows', 'organizations', 'accounts')
  list(@IdParam('id') organizationId: string, @ActorUserId() actor: string, @ActingAccountId() acting: string) {
    return this.queries.list(organizationId, actor, acting);
  }
}
