import { Body, Controller, Delete, Get, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { ActingAccountId, ActorUserId, StepUpHeader } from '../http/headers';
import { CommandResponses, IdParam, PositionDto, QueryResponses } from '../http/openapi';
import { ReadsFrom } from '../projections/read-your-writes';
import { ReportCommands } from './report.commands';
import { CreateReportDto, ReportDefinitionDto, toDefinition } from './report.dto';
import { ReportQueries } from './report.queries';
import { ReportCreatedDto, ReportListDto, ReportResultsDto } from './report.responses';
import { RequestCtx, type RequestContext } from '../http/request-context';

/** O5/O6 (R2) and the organization itself, for every report command. */
const REPORT_COMMAND = ['NOT_FOUND', 'STEP_UP_REQUIRED', 'TWO_FACTOR_REQUIRED', 'NOT_SUPER_ADMIN', 'ORGANIZATION_DELETED'];
/** R1 and R5 for a definition. */
const DEFINING = ['NOT_A_MEMBER', 'NO_FLOW', 'PROPERTY_NOT_SHARED', 'PROJECTION_LAG'];

const now = () => new Date().toISOString();

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1')
export class ReportsController {
  constructor(
    private readonly commands: ReportCommands,
    private readonly queries: ReportQueries,
  ) {}

  @Post('organizations/:id/reports')
  @CommandResponses(201, ReportCreatedDto, ...REPORT_COMMAND, ...DEFINING, 'ALREADY_EXISTS')
  create(@RequestCtx() ctx: RequestContext, @IdParam('id') organizationId: string, @Body() body: CreateReportDto, @ActorUserId() actor: string, @StepUpHeader() stepUp: string | undefined) {
    const reportId = body.reportId ?? randomUUID();
    return this.commands.byUser(
      ctx,
      { type: 'DefineReport', data: { organizationId, reportId, definition: toDefinition(body), actorUserId: actor, at: now() } },
      stepUp,
      { reportId },
    );
  }

  @Put('organizations/:id/reports/:reportId')
  @CommandResponses(200, PositionDto, ...REPORT_COMMAND, ...DEFINING)
  edit(
    @RequestCtx() ctx: RequestContext,
    @IdParam('id') organizationId: string,
    @IdParam('reportId') reportId: string,
    @Body() body: ReportDefinitionDto,
    @ActorUserId() actor: string,
    @StepUpHeader() stepUp: string | undefined,
  ) {
    return this.commands.byUser(ctx, { type: 'RedefineReport', data: { organizationId, reportId, definition: toDefinition(body), actorUserId: actor, at: now() } }, stepUp);
  }

  @Delete('organizations/:id/reports/:reportId')
  @CommandResponses(200, PositionDto, ...REPORT_COMMAND)
  remove(@RequestCtx() ctx: RequestContext, @IdParam('id') organizationId: string, @IdParam('reportId') reportId: string, @ActorUserId() actor: string, @StepUpHeader() stepUp: string | undefined) {
    return this.commands.byUser(ctx, { type: 'DeleteReport', data: { organizationId, reportId, actorUserId: actor, at: now() } }, stepUp);
  }

  @Get('organizations/:id/reports')
  @QueryResponses(ReportListDto, 'NOT_FOUND', 'FORBIDDEN')
  @ReadsFrom('reports', 'organizations', 'accounts')
  list(@IdParam('id') organizationId: string, @ActorUserId() actor: string, @ActingAccountId() acting: string) {
    return this.queries.list(organizationId, actor, acting);
  }

  @Get('reports/:reportId/results')
  @QueryResponses(ReportResultsDto, 'NOT_FOUND', 'FORBIDDEN')
  @ReadsFrom('reports', 'accounts')
  results(@IdParam('reportId') reportId: string, @ActorUserId() actor: string) {
    return this.queries.results(reportId, actor);
  }
}
