import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ASSET_TYPES, type AssetType } from '@mam/domain';
import { ApiId, ApiIds, POSITION_SCHEMA } from '../http/openapi';

/** Answers of the asset and asset-copy routes, for the OpenAPI document. */


export class AssetCopyAcceptedDto {
  @ApiId() copyId!: string;
  @ApiProperty({ ...POSITION_SCHEMA, description: 'the request’s position (or the end, for a repeated copyId)' }) position!: string;
}

export class CopiedFromDto {
  @ApiId() accountId!: string;
  @ApiId() assetId!: string;
  @ApiId() copyId!: string;
}

export class AssetSummaryDto {
  @ApiId() assetId!: string;
  @ApiProperty({ enum: ASSET_TYPES }) type!: AssetType;
  @ApiProperty() name!: string;
  @ApiProperty() automated!: boolean;
  @ApiProperty() draft!: boolean;
  @ApiIds() references!: string[];
  @ApiPropertyOptional({ type: CopiedFromDto }) copiedFrom?: CopiedFromDto;
}

export class AssetViewDto extends AssetSummaryDto {
  @ApiProperty({ type: 'object', additionalProperties: true }) content!: Record<string, unknown>;
}

export class AssetListDto {
  @ApiProperty({ type: [AssetSummaryDto] }) items!: AssetSummaryDto[];
}

export class AssetCopyItemDto {
  @ApiId() sourceAssetId!: string;
  @ApiId() targetAssetId!: string;
  @ApiProperty({ enum: ASSET_TYPES }) type!: AssetType;
}

export class AssetCopyErrorDto {
  @ApiProperty({
    enum: ['organization-deleted', 'source-left-organization', 'target-left-organization', 'target-deactivated', 'flow-revoked', 'source-asset-missing', 'target-asset-id-taken', 'too-large'],
  })
  reason!: string;
  @ApiProperty({ description: 'what happened and what to do before requesting the copy again' }) detail!: string;
}

export class AssetCopyStatusDto {
  @ApiId() copyId!: string;
  @ApiProperty({ enum: ['pending', 'completed', 'failed'] }) status!: string;
  @ApiId() organizationId!: string;
  @ApiId() sourceAccountId!: string;
  @ApiId() targetAccountId!: string;
  @ApiIds({ description: 'the assets asked for' }) assetIds!: string[];
  @ApiProperty({ type: [AssetCopyItemDto], description: 'every asset copied, references included (empty until completed)' }) items!: AssetCopyItemDto[];
  @ApiPropertyOptional({ type: AssetCopyErrorDto }) error?: AssetCopyErrorDto;
}

