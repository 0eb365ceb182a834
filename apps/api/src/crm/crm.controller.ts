import { Body, Controller, Delete, Get, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ActorUserId } from '../http/headers';
import { CommandResponses, IdParam, PositionDto, QueryResponses } from '../http/openapi';
import { Problem } from '../http/problem';
import { nullPrototypeMap } from '../http/property-map';
import { ReadsFrom } from '../projections/read-your-writes';
import { MAX_LIMIT, MirroringQueries } from '../mirroring/mirroring.queries';
import { CrmCommands } from './crm.commands';
import { ActivityDto, ContactBatchDto, ContactDto, DealDto } from './crm.dto';
import { MirroredContactDto, MirroredContactsDto } from './crm.responses';
import { RequestCtx, type RequestContext } from '../http/request-context';

@ApiTags('CRM data and mirrored contacts')
@ApiBearerAuth()
@Controller('v1/accounts/:accountId')
export class CrmController {
  constructor(
    private readonly commands: CrmCommands,
    private readonly mirroring: MirroringQueries,
  ) {}

  @Put('contacts/:contactId')
  @CommandResponses(200, PositionDto, 'NOT_FOUND', 'ACCOUNT_DEACTIVATED')
  upsert(@RequestCtx() ctx: RequestContext, @IdParam('accountId') accountId: string, @IdParam('contactId') contactId: string, @Body() body: ContactDto) {
    // `null` in an optional field means "not given" (IsOptional lets it through): never store it as a value.
    return this.commands.upsertContact(ctx, accountId, contactId, { email: body.email, firstName: body.firstName ?? undefined, lastName: body.lastName ?? undefined, properties: body.properties ?? nullPrototypeMap() });
  }

  @Delete('contacts/:contactId')
  @CommandResponses(200, PositionDto, 'NOT_FOUND', 'ACCOUNT_DEACTIVATED')
  remove(@RequestCtx() ctx: RequestContext, @IdParam('accountId') accountId: string, @IdParam('contactId') contactId: string) {
    return this.commands.deleteContact(ctx, accountId, contactId);
  }

  @Post('contacts::batch')
  @CommandResponses(200, PositionDto, 'NOT_FOUND', 'ACCOUNT_DEACTIVATED')
  batch(@RequestCtx() ctx: RequestContext, @IdParam('accountId') accountId: string, @Body() body: ContactBatchDto) {
    if (body.upserts.length + body.deletes.length > 1000) {
      throw Problem.validation([{ path: 'upserts', message: 'a batch holds at most 1000 items' }]);
    }
    // Checked here too (not only in the command) so that the 400 carries `errors` like every other 400.
    const upserted = new Set(body.upserts.map((u) => u.contactId));
    const overlap = body.deletes.find((id) => upserted.has(id));
    if (overlap !== undefined) throw Problem.validation([{ path: 'deletes', message: `contact ${overlap} is both upserted and deleted` }]);
    const upserts = body.upserts.map((u) => ({ contactId: u.contactId, email: u.email, firstName: u.firstName ?? undefined, lastName: u.lastName ?? undefined, properties: u.properties ?? nullPrototypeMap() }));
    return this.commands.batch(ctx, accountId, upserts, body.deletes);
  }

  @Post('contacts/:contactId/activities')
  @CommandResponses(201, PositionDto, 'NOT_FOUND', 'ACCOUNT_DEACTIVATED', 'ALREADY_EXISTS')
  activity(@RequestCtx() ctx: RequestContext, @IdParam('accountId') accountId: string, @IdParam('contactId') contactId: string, @Body() body: ActivityDto) {
    return this.commands.logActivity(ctx, accountId, contactId, { activityId: body.activityId, type: body.type, occurredAt: body.occurredAt, summary: body.summary });
  }

  @Put('deals/:dealId')
  @CommandResponses(200, PositionDto, 'NOT_FOUND', 'ACCOUNT_DEACTIVATED')
  deal(@RequestCtx() ctx: RequestContext, @IdParam('accountId') accountId: string, @IdParam('dealId') dealId: string, @Body() body: DealDto) {
    return this.commands.saveDeal(ctx, accountId, dealId, { name: body.name, stage: body.stage, amount: body.amount ?? undefined, contactIds: body.contactIds });
  }

  @Get('mirrored-contacts')
  @QueryResponses(MirroredContactsDto, 'NOT_FOUND', 'FORBIDDEN')
  @ApiQuery({ name: 'email', required: false, description: 'matched trimmed and lower-cased (M1)' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 50 } })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ReadsFrom('mirroring', 'accounts')
  list(
    @IdParam('accountId') accountId: string,
    @ActorUserId() actor: string,
    @Query('email') email?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ) {
    let parsedLimit: number | undefined;
    if (limit !== undefined) {
      parsedLimit = Number(limit);
      if (!Number.isInteger(parsedLimit) || parsedLimit < 1 || parsedLimit > MAX_LIMIT) {
        throw Problem.validation([{ path: 'query.limit', message: `limit is an integer from 1 to ${MAX_LIMIT}` }]);
      }
    }
    return this.mirroring.list(accountId, actor, { email, limit: parsedLimit, cursor });
  }

  @Get('contacts/:contactId/mirrored')
  @QueryResponses(MirroredContactDto, 'NOT_FOUND', 'FORBIDDEN')
  @ReadsFrom('mirroring', 'accounts')
  one(@IdParam('accountId') accountId: string, @IdParam('contactId') contactId: string, @ActorUserId() actor: string) {
    return this.mirroring.one(accountId, contactId, actor);
  }
}
