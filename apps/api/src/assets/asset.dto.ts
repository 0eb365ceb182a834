import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Validate,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { ASSET_TYPES, ID_PATTERN, MAX_ASSET_CONTENT_BYTES, type AssetType } from '@mam/domain';

/** api.md: at most 256 KB, measured as the JSON that is stored. */
@ValidatorConstraint({ name: 'contentSize' })
class ContentSize implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return Buffer.byteLength(JSON.stringify(value ?? {})) <= MAX_ASSET_CONTENT_BYTES;
  }
  defaultMessage(): string {
    return `content must be at most ${MAX_ASSET_CONTENT_BYTES} bytes of JSON`;
  }
}

export class AssetDto {
  @ApiProperty({ enum: ASSET_TYPES }) @IsIn(ASSET_TYPES) type!: AssetType;
  @ApiProperty() @IsString() @Length(1, 200) name!: string;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() automated?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() draft?: boolean;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'any JSON object, at most 256 KB' })
  @IsOptional()
  @IsObject()
  @Validate(ContentSize)
  content?: Record<string, unknown>;
  @ApiPropertyOptional({ type: [String], description: 'asset ids of the same account' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @Matches(ID_PATTERN, { each: true })
  references?: string[];
}

export class AssetCopyDto {
  @ApiPropertyOptional({ description: 'the copy request id; a repeat answers with the first copy and changes nothing' })
  @IsOptional()
  @Matches(ID_PATTERN)
  copyId?: string;
  @ApiProperty() @Matches(ID_PATTERN) sourceAccountId!: string;
  @ApiProperty() @Matches(ID_PATTERN) targetAccountId!: string;
  @ApiProperty({ type: [String], minItems: 1, maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @Matches(ID_PATTERN, { each: true })
  assetIds!: string[];
}

// ── answers (OpenAPI) ─────────────────────────────────────────────────────

export class PositionAnswer {
  @ApiProperty({ description: 'global position of the last event appended, decimal' }) position!: string;
}

export class AssetCopyAccepted extends PositionAnswer {
  @ApiProperty() copyId!: string;
}

export class CopiedFromView {
  @ApiProperty() accountId!: string;
  @ApiProperty() assetId!: string;
  @ApiProperty() copyId!: string;
}

export class AssetSummaryView {
  @ApiProperty() assetId!: string;
  @ApiProperty({ enum: ASSET_TYPES }) type!: AssetType;
  @ApiProperty() name!: string;
  @ApiProperty() automated!: boolean;
  @ApiProperty() draft!: boolean;
  @ApiProperty({ type: [String] }) references!: string[];
  @ApiPropertyOptional({ type: CopiedFromView }) copiedFrom?: CopiedFromView;
}

export class AssetView extends AssetSummaryView {
  @ApiProperty({ type: 'object', additionalProperties: true }) content!: Record<string, unknown>;
}

export class AssetListView {
  @ApiProperty({ type: [AssetSummaryView] }) items!: AssetSummaryView[];
}

export class AssetCopyItemView {
  @ApiProperty() sourceAssetId!: string;
  @ApiProperty() targetAssetId!: string;
  @ApiProperty({ enum: ASSET_TYPES }) type!: AssetType;
}

export class AssetCopyErrorView {
  @ApiProperty({
    enum: ['organization-deleted', 'source-left-organization', 'target-left-organization', 'target-deactivated', 'flow-revoked', 'source-asset-missing', 'target-asset-id-taken'],
  })
  reason!: string;
  @ApiProperty({ description: 'what happened and what to do before requesting the copy again' }) detail!: string;
}

export class AssetCopyView {
  @ApiProperty() copyId!: string;
  @ApiProperty({ enum: ['pending', 'completed', 'failed'] }) status!: string;
  @ApiProperty() organizationId!: string;
  @ApiProperty() sourceAccountId!: string;
  @ApiProperty() targetAccountId!: string;
  @ApiProperty({ type: [String], description: 'the assets asked for' }) assetIds!: string[];
  @ApiProperty({ type: [AssetCopyItemView], description: 'every asset copied, references included (empty until completed)' }) items!: AssetCopyItemView[];
  @ApiPropertyOptional({ type: AssetCopyErrorView }) error?: AssetCopyErrorView;
}

export class ProblemView {
  @ApiProperty() type!: string;
  @ApiProperty() title!: string;
  @ApiProperty() status!: number;
  @ApiProperty() detail!: string;
  @ApiProperty() code!: string;
}
