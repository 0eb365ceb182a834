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
import { ApiId, ApiIdOptional, ApiIds } from '../http/openapi';

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
  @ApiIds({ required: false, maxItems: 1000, description: 'asset ids of the same account' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @Matches(ID_PATTERN, { each: true })
  references?: string[];
}

export class AssetCopyDto {
  @ApiIdOptional({ description: 'the copy request id (a UUID when left out); a repeat answers with the first copy and changes nothing' })
  @IsOptional()
  @Matches(ID_PATTERN)
  copyId?: string;
  @ApiId() @Matches(ID_PATTERN) sourceAccountId!: string;
  @ApiId() @Matches(ID_PATTERN) targetAccountId!: string;
  @ApiIds({ minItems: 1, maxItems: 1000, description: 'automated emails, lists or forms of the source; what they reference comes along' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @Matches(ID_PATTERN, { each: true })
  assetIds!: string[];
}
