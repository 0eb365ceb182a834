import { Body, Controller, Get, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { ActorUserId } from '../http/headers';
import { CommandResponses, IdParam, PositionDto, QueryResponses } from '../http/openapi';
import { ReadsFrom } from '../projections/read-your-writes';
import { AssetCommands } from './asset.commands';
import { AssetCopyDto, AssetDto } from './asset.dto';
import { AssetQueries } from './asset.queries';
import { AssetCopyAcceptedDto, AssetCopyStatusDto, AssetListDto, AssetViewDto } from './asset.responses';
import { RequestCtx, type RequestContext } from '../http/request-context';

@ApiTags('assets and asset copies')
@ApiBearerAuth()
@Controller('v1')
export class AssetsController {
  constructor(
    private readonly commands: AssetCommands,
    private readonly queries: AssetQueries,
  ) {}

  @Put('accounts/:accountId/assets/:assetId')
  @CommandResponses(200, PositionDto, 'NOT_FOUND', 'ACCOUNT_DEACTIVATED', 'REFERENCE_NOT_FOUND')
  save(@RequestCtx() ctx: RequestContext, @IdParam('accountId') accountId: string, @IdParam('assetId') assetId: string, @Body() body: AssetDto) {
    // `null` in an optional field means "not given" (IsOptional lets it through).
    return this.commands.saveAsset(ctx, accountId, assetId, {
      type: body.type,
      name: body.name,
      automated: body.automated ?? false,
      draft: body.draft ?? false,
      content: body.content ?? {},
      references: body.references ?? [],
    });
  }

  /** The account's assets without their content (up to 256 KB each), by id. */
  @Get('accounts/:accountId/assets')
  @QueryResponses(AssetListDto, 'NOT_FOUND')
  @ReadsFrom('assets', 'accounts')
  list(@IdParam('accountId') accountId: string) {
    return this.queries.list(accountId);
  }

  @Get('accounts/:accountId/assets/:assetId')
  @QueryResponses(AssetViewDto, 'NOT_FOUND')
  @ReadsFrom('assets')
  one(@IdParam('accountId') accountId: string, @IdParam('assetId') assetId: string) {
    return this.queries.one(accountId, assetId);
  }

  /** 202: the copy is pending; the process manager carries it out. A repeated copyId answers with the first copy and appends nothing. */
  @Post('organizations/:id/asset-copies')
  @CommandResponses(202, AssetCopyAcceptedDto, 'NOT_FOUND', 'ORGANIZATION_DELETED', 'NO_FLOW', 'NOT_SUPER_ADMIN', 'ACCOUNT_DEACTIVATED', 'ASSET_NOT_FOUND', 'ASSET_NOT_COPYABLE')
  requestCopy(@RequestCtx() ctx: RequestContext, @IdParam('id') organizationId: string, @Body() body: AssetCopyDto, @ActorUserId() actor: string) {
    return this.commands.requestCopy(ctx, {
      copyId: body.copyId ?? randomUUID(),
      organizationId,
      sourceAccountId: body.sourceAccountId,
      targetAccountId: body.targetAccountId,
      assetIds: body.assetIds,
      actorUserId: actor,
    });
  }

  /** AC4: pending, completed or failed with the reason. 404 also to a user who is a Super Admin of neither account. */
  @Get('asset-copies/:copyId')
  @QueryResponses(AssetCopyStatusDto, 'NOT_FOUND')
  @ReadsFrom('asset-copies', 'accounts')
  copy(@IdParam('copyId') copyId: string, @ActorUserId() actor: string) {
    return this.queries.copy(copyId, actor);
  }
}
