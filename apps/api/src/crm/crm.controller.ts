import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import { Answers } from '../http/route-config';
import { ApiBearerAuth, ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ActorUserId } from '../http/headers';
import { IdPipe } from '../http/id.pipe';
import { Problem } from '../http/problem';
import { ReadsFrom } from '../projections/read-your-writes';
import { MAX_LIMIT, MirroringQueries } from '../mirroring/mirroring.queries';
import { CrmCommands } from './crm.commands';
import { ActivityDto, ContactBatchDto, ContactDto, DealDto } from './crm.dto';

@ApiTags('CRM data and mirrored contacts')
@ApiBearerAuth()
@Controller('v1/accounts/:accountId')
export class CrmController {
  constructor(
    private readonly commands: CrmCommands,
    private readonly mirroring: MirroringQueries,
  ) {}

  @Put('contacts/:contactId')
  @Answers(200)
  upsert(@Param('accountId', IdPipe) accountId: string, @Param('contactId', IdPipe) contactId: string, @Body() body: ContactDto) {
    // `null` in an optional field means "not given" (IsOptional lets it through): never store it as a value.
    return this.commands.upsertContact(accountId, contactId, { email: body.email, firstName: body.firstName ?? undefined, lastName: body.lastName ?? undefined, properties: body.properties ?? {} });
  }

  @Delete('contacts/:contactId')
  @Answers(200)
  remove(@Param('accountId', IdPipe) accountId: string, @Param('contactId', IdPipe) contactId: string) {
    return this.commands.deleteContact(accountId, contactId);
  }

  @Post('contacts::batch')
  @Answers(200)
  batch(@Param('accountId', IdPipe) accountId: string, @Body() body: ContactBatchDto) {
    if (body.upserts.length + body.deletes.length > 1000) {
      throw Problem.validation([{ path: 'upserts', message: 'a batch holds at most 1000 items' }]);
    }
    // Checked here too (not only in the command) so that the 400 carries `errors` like every other 400.
    const upserted = new Set(body.upserts.map((u) => u.contactId));
    const overlap = body.deletes.find((id) => upserted.has(id));
    if (overlap !== undefined) throw Problem.validation([{ path: 'deletes', message: `contact ${overlap} is both upserted and deleted` }]);
    const upserts = body.upserts.map((u) => ({ contactId: u.contactId, email: u.email, firstName: u.firstName ?? undefined, lastName: u.lastName ?? undefined, properties: u.properties ?? {} }));
    return this.commands.batch(accountId, upserts, body.deletes);
  }

  @Post('contacts/:contactId/activities')
  @Answers(201)
  activity(@Param('accountId', IdPipe) accountId: string, @Param('contactId', IdPipe) contactId: string, @Body() body: ActivityDto) {
    return this.commands.logActivity(accountId, contactId, { activityId: body.activityId, type: body.type, occurredAt: body.occurredAt, summary: body.summary });
  }

  @Put('deals/:dealId')
  @Answers(200)
  deal(@Param('accountId', IdPipe) accountId: string, @Param('dealId', IdPipe) dealId: string, @Body() body: DealDto) {
    return this.commands.saveDeal(accountId, dealId, { name: body.name, stage: body.stage, amount: body.amount ?? undefined, contactIds: body.contactIds });
  }

  @Get('mirrored-contacts')
  @ApiHeader({ name: 'X-Actor-User-Id', required: true })
  @ApiQuery({ name: 'email', required: false })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ReadsFrom('mirroring', 'accounts')
  list(
    @Param('accountId', IdPipe) accountId: string,
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
  @ApiHeader({ name: 'X-Actor-User-Id', required: true })
  @ReadsFrom('mirroring', 'accounts')
  one(@Param('accountId', IdPipe) accountId: string, @Param('contactId', IdPipe) contactId: string, @ActorUserId() actor: string) {
    return this.mirroring.one(accountId, contactId, actor);
  }
}
