import { Body, Controller, Get, Param, Post, Put } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiHeader, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { ActorUserId } from '../http/headers';
import { IdPipe } from '../http/id.pipe';
import { Answers } from '../http/route-config';
import { ReadsFrom } from '../projections/read-your-writes';
import { AssetCommands } from './asset.commands';
import { AssetCopyAccepted, AssetCopyDto, AssetCopyView, AssetDto, AssetListView, AssetView, PositionAnswer, ProblemView } from './asset.dto';
import { AssetQueries } from './asset.queries';

const ACTOR = { name: 'X-Actor-User-Id', required: true };
const problem = (status: number, description: string) => ApiResponse({ status, description, type: ProblemView, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemView' } } } });

@ApiTags('assets and asset copies')
@ApiBearerAuth()
@Controller('v1')
export class AssetsController {
  constructor(
    private readonly commands: AssetCommands,
    private readonly queries: AssetQueries,
  ) {}

  @Put('accounts/:accountId/assets/:assetId')
  @Answers(200)
  @ApiOkResponse({ type: PositionAnswer })
  @problem(400, 'VALIDATION_FAILED (content over 256 KB included)')
  @problem(404, 'NOT_FOUND: no such account')
  @problem(422, 'REFERENCE_NOT_FOUND: a reference names an asset the account does not have; ACCOUNT_DEACTIVATED (A2)')
  save(@Param('accountId', IdPipe) accountId: string, @Param('assetId', IdPipe) assetId: string, @Body() body: AssetDto) {
    // `null` in an optional field means "not given" (IsOptional lets it through).
    return this.commands.saveAsset(accountId, assetId, {
      type: body.type,
      name: body.name,
      automated: body.automated ?? false,
      draft: body.draft ?? false,
      content: body.content ?? {},
      references: body.references ?? [],
    });
  }

  @Get('accounts/:accountId/assets')
  @ReadsFrom('assets', 'accounts')
  @ApiOkResponse({ type: AssetListView, description: 'the account’s assets without their content, by id' })
  @problem(404, 'NOT_FOUND: no such account')
  list(@Param('accountId', IdPipe) accountId: string) {
    return this.queries.list(accountId);
  }

  @Get('accounts/:accountId/assets/:assetId')
  @ReadsFrom('assets')
  @ApiOkResponse({ type: AssetView })
  @problem(404, 'NOT_FOUND')
  one(@Param('accountId', IdPipe) accountId: string, @Param('assetId', IdPipe) assetId: string) {
    return this.queries.one(accountId, assetId);
  }

  @Post('organizations/:id/asset-copies')
  @Answers(202)
  @ApiHeader(ACTOR)
  @ApiAcceptedResponse({ type: AssetCopyAccepted, description: 'the copy is pending; a repeated copyId answers with the first copy and appends nothing' })
  @problem(400, 'VALIDATION_FAILED')
  @problem(403, 'NOT_SUPER_ADMIN: the actor is not a Super Admin of both accounts (AC4)')
  @problem(404, 'NOT_FOUND: no such organization')
  @problem(422, 'NO_FLOW (AC1), ASSET_NOT_FOUND, ASSET_NOT_COPYABLE, ACCOUNT_DEACTIVATED (A2), ORGANIZATION_DELETED')
  requestCopy(@Param('id', IdPipe) organizationId: string, @Body() body: AssetCopyDto, @ActorUserId() actor: string) {
    return this.commands.requestCopy({
      copyId: body.copyId ?? randomUUID(),
      organizationId,
      sourceAccountId: body.sourceAccountId,
      targetAccountId: body.targetAccountId,
      assetIds: body.assetIds,
      actorUserId: actor,
    });
  }

  @Get('asset-copies/:copyId')
  @ApiHeader(ACTOR)
  @ReadsFrom('asset-copies', 'accounts')
  @ApiOkResponse({ type: AssetCopyView })
  @problem(404, 'NOT_FOUND: no such copy, or the actor is a Super Admin of neither account')
  copy(@Param('copyId', IdPipe) copyId: string, @ActorUserId() actor: string) {
    return this.queries.copy(copyId, actor);
  }
}
