import { Body, Controller, Delete, Get, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { isId } from '@mam/domain';
import { ActingAccountId, ActorUserId, StepUpHeader } from '../http/headers';
import { CommandResponses, ID_SCHEMA, IdParam, PositionDto, QueryResponses } from '../http/openapi';
import { Problem } from '../http/problem';
import { ReadsFrom } from '../projections/read-your-writes';
import { OrganizationCommands } from './organization.commands.service';
import { ConnectionsDto, CreateOrganizationDto, MembersDto, toConnection } from './organization.dto';
import { OrganizationQueries } from './organization.queries';
import { CandidatesDto, HistoryDto, OrganizationCreatedDto, OrganizationViewDto } from './organization.responses';
import { RequestCtx, type RequestContext } from '../http/request-context';

/** What every user command on an organization can answer (O5, O6, O10 and the organization itself). */
const USER_COMMAND = ['NOT_FOUND', 'FORBIDDEN', 'STEP_UP_REQUIRED', 'TWO_FACTOR_REQUIRED', 'NOT_SUPER_ADMIN'];
/** O3, O4, A2 for an account that would join. */
const JOINING = ['ACCOUNT_SANDBOX', 'ACCOUNT_BELOW_PROFESSIONAL', 'HOSTING_MISMATCH', 'ACCOUNT_DEACTIVATED', 'ALREADY_IN_ORGANIZATION'];
/** C1–C3 for a connection. */
const CONNECTING = ['NOT_A_MEMBER', 'DUPLICATE_CONNECTION', 'SENSITIVE_DATA_SOURCE', 'MIRRORING_TARGET_INELIGIBLE'];
/** O8 and a deleted organization, for commands on an existing one. */
const EXISTING = ['ACTING_ACCOUNT_NOT_MARKETING_ENTERPRISE', 'ORGANIZATION_DELETED'];

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('v1')
export class OrganizationsController {
  constructor(
    private readonly commands: OrganizationCommands,
    private readonly queries: OrganizationQueries,
  ) {}

  @Get('organization-candidates')
  @QueryResponses(CandidatesDto, 'NOT_FOUND')
  @ApiQuery({ name: 'primaryAccountId', required: true, schema: { ...ID_SCHEMA } })
  @ReadsFrom('accounts', 'account-users')
  candidates(@Query('primaryAccountId') primaryAccountId: string | undefined, @ActorUserId() actor: string) {
    if (!isId(primaryAccountId)) throw Problem.validation([{ path: 'query.primaryAccountId', message: 'a valid account id is required' }]);
    return this.queries.candidates(primaryAccountId, actor);
  }

  @Post('organizations')
  @CommandResponses(201, OrganizationCreatedDto, ...USER_COMMAND, ...JOINING, ...CONNECTING, 'ALREADY_EXISTS', 'ACKNOWLEDGEMENT_REQUIRED', 'PRIMARY_NOT_MARKETING_ENTERPRISE', 'MEMBER_LIMIT')
  create(@RequestCtx() ctx: RequestContext, @Body() body: CreateOrganizationDto, @ActorUserId() actor: string, @StepUpHeader() stepUp: string | undefined) {
    const organizationId = body.organizationId ?? randomUUID();
    return this.commands.byUser(
      ctx,
      {
        type: 'CreateOrganization',
        data: {
          organizationId,
          name: body.name,
          primaryAccountId: body.primaryAccountId,
          additionalAccountIds: body.additionalAccountIds,
          connections: (body.connections ?? []).map(toConnection),
          acknowledgeImpact: body.acknowledgeImpact,
          acknowledgeBeta: body.acknowledgeBeta,
          actorUserId: actor,
          stepUp: null,
          at: new Date().toISOString(),
        },
      },
      stepUp,
      { organizationId },
    );
  }

  @Put('organizations/:id/members')
  @CommandResponses(200, PositionDto, ...USER_COMMAND, ...EXISTING, ...JOINING, 'MEMBER_LIMIT', 'PRIMARY_ACCOUNT_REQUIRED', 'MARKETING_ENTERPRISE_REQUIRED')
  members(
    @RequestCtx() ctx: RequestContext,
    @IdParam('id') organizationId: string,
    @Body() body: MembersDto,
    @ActorUserId() actor: string,
    @ActingAccountId() acting: string,
    @StepUpHeader() stepUp: string | undefined,
  ) {
    return this.commands.byUser(
      ctx,
      {
        type: 'ChangeMembers',
        data: { organizationId, accountIds: body.accountIds, actorUserId: actor, actingAccountId: acting, stepUp: null, at: new Date().toISOString() },
      },
      stepUp,
    );
  }

  @Put('organizations/:id/connections')
  @CommandResponses(200, PositionDto, ...USER_COMMAND, ...EXISTING, ...CONNECTING)
  connections(
    @RequestCtx() ctx: RequestContext,
    @IdParam('id') organizationId: string,
    @Body() body: ConnectionsDto,
    @ActorUserId() actor: string,
    @ActingAccountId() acting: string,
    @StepUpHeader() stepUp: string | undefined,
  ) {
    return this.commands.byUser(
      ctx,
      {
        type: 'ConfigureConnections',
        data: { organizationId, connections: body.connections.map(toConnection), actorUserId: actor, actingAccountId: acting, stepUp: null },
      },
      stepUp,
    );
  }

  @Delete('organizations/:id')
  @CommandResponses(200, PositionDto, ...USER_COMMAND, ...EXISTING)
  remove(
    @RequestCtx() ctx: RequestContext,
    @IdParam('id') organizationId: string,
    @ActorUserId() actor: string,
    @ActingAccountId() acting: string,
    @StepUpHeader() stepUp: string | undefined,
  ) {
    return this.commands.byUser(
      ctx,
      { type: 'DeleteOrganization', data: { organizationId, actorUserId: actor, actingAccountId: acting, stepUp: null } },
      stepUp,
    );
  }

  @Get('organizations/:id')
  @QueryResponses(OrganizationViewDto, 'NOT_FOUND', 'FORBIDDEN')
  @ReadsFrom('organizations', 'accounts')
  get(@IdParam('id') organizationId: string, @ActorUserId() actor: string, @ActingAccountId() acting: string) {
    return this.queries.organization(organizationId, actor, acting);
  }

  @Get('accounts/:accountId/organization')
  @QueryResponses(OrganizationViewDto, 'NOT_FOUND')
  @ReadsFrom('organizations', 'accounts')
  ofAccount(@IdParam('accountId') accountId: string, @ActorUserId() actor: string) {
    return this.queries.organizationOfAccount(accountId, actor);
  }

  @Get('organizations/:id/history')
  @QueryResponses(HistoryDto, 'NOT_FOUND', 'FORBIDDEN')
  @ReadsFrom('organization-history', 'organizations', 'accounts')
  history(@IdParam('id') organizationId: string, @ActorUserId() actor: string, @ActingAccountId() acting: string) {
    return this.queries.history(organizationId, actor, acting);
  }
}
