import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import { Answers } from '../http/route-config';
import { ApiBearerAuth, ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { isId } from '@mam/domain';
import { ActingAccountId, ActorUserId, StepUpHeader } from '../http/headers';
import { IdPipe } from '../http/id.pipe';
import { Problem } from '../http/problem';
import { ReadsFrom } from '../projections/read-your-writes';
import { OrganizationCommands } from './organization.commands.service';
import { ConnectionsDto, CreateOrganizationDto, MembersDto, toConnection } from './organization.dto';
import { OrganizationQueries } from './organization.queries';

const ACTOR = { name: 'X-Actor-User-Id', required: true };
const ACTING = { name: 'X-Acting-Account-Id', required: true };
const STEP_UP = { name: 'X-Step-Up', required: true, description: 'step-up assertion (JWT HS256), O6' };

@ApiTags('organizations')
@ApiBearerAuth()
@ApiHeader(ACTOR)
@Controller('v1')
export class OrganizationsController {
  constructor(
    private readonly commands: OrganizationCommands,
    private readonly queries: OrganizationQueries,
  ) {}

  @Get('organization-candidates')
  @ApiQuery({ name: 'primaryAccountId', required: true })
  @ReadsFrom('accounts', 'account-users')
  candidates(@Query('primaryAccountId') primaryAccountId: string | undefined, @ActorUserId() actor: string) {
    if (!isId(primaryAccountId)) throw Problem.validation([{ path: 'query.primaryAccountId', message: 'a valid account id is required' }]);
    return this.queries.candidates(primaryAccountId, actor);
  }

  @Post('organizations')
  @Answers(201)
  @ApiHeader(STEP_UP)
  create(@Body() body: CreateOrganizationDto, @ActorUserId() actor: string, @StepUpHeader() stepUp: string | undefined) {
    const organizationId = body.organizationId ?? randomUUID();
    return this.commands.byUser(
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
  @Answers(200)
  @ApiHeader(ACTING)
  @ApiHeader(STEP_UP)
  members(
    @Param('id', IdPipe) organizationId: string,
    @Body() body: MembersDto,
    @ActorUserId() actor: string,
    @ActingAccountId() acting: string,
    @StepUpHeader() stepUp: string | undefined,
  ) {
    return this.commands.byUser(
      {
        type: 'ChangeMembers',
        data: { organizationId, accountIds: body.accountIds, actorUserId: actor, actingAccountId: acting, stepUp: null, at: new Date().toISOString() },
      },
      stepUp,
    );
  }

  @Put('organizations/:id/connections')
  @Answers(200)
  @ApiHeader(ACTING)
  @ApiHeader(STEP_UP)
  connections(
    @Param('id', IdPipe) organizationId: string,
    @Body() body: ConnectionsDto,
    @ActorUserId() actor: string,
    @ActingAccountId() acting: string,
    @StepUpHeader() stepUp: string | undefined,
  ) {
    return this.commands.byUser(
      {
        type: 'ConfigureConnections',
        data: { organizationId, connections: body.connections.map(toConnection), actorUserId: actor, actingAccountId: acting, stepUp: null },
      },
      stepUp,
    );
  }

  @Delete('organizations/:id')
  @Answers(200)
  @ApiHeader(ACTING)
  @ApiHeader(STEP_UP)
  remove(
    @Param('id', IdPipe) organizationId: string,
    @ActorUserId() actor: string,
    @ActingAccountId() acting: string,
    @StepUpHeader() stepUp: string | undefined,
  ) {
    return this.commands.byUser(
      { type: 'DeleteOrganization', data: { organizationId, actorUserId: actor, actingAccountId: acting, stepUp: null } },
      stepUp,
    );
  }

  @Get('organizations/:id')
  @ApiHeader(ACTING)
  @ReadsFrom('organizations', 'accounts')
  get(@Param('id', IdPipe) organizationId: string, @ActorUserId() actor: string, @ActingAccountId() acting: string) {
    return this.queries.organization(organizationId, actor, acting);
  }

  @Get('accounts/:accountId/organization')
  @ReadsFrom('organizations', 'accounts')
  ofAccount(@Param('accountId', IdPipe) accountId: string, @ActorUserId() actor: string) {
    return this.queries.organizationOfAccount(accountId, actor);
  }

  @Get('organizations/:id/history')
  @ApiHeader(ACTING)
  @ReadsFrom('organization-history', 'organizations', 'accounts')
  history(@Param('id', IdPipe) organizationId: string, @ActorUserId() actor: string, @ActingAccountId() acting: string) {
    return this.queries.history(organizationId, actor, acting);
  }
}
