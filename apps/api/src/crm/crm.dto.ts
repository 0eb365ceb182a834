import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
  Validate,
} from 'class-validator';
import { ACTIVITY_TYPES, ID_PATTERN, type ActivityType } from '@mam/domain';
import { ApiId, ApiIds } from '../http/openapi';
import { PropertyMap } from '../http/property-map';
import { UniqueItems } from '../http/unique-items';
import { isEmailAddress } from './email-check';

@ValidatorConstraint({ name: 'stringMap' })
export class StringMap implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    // Keys, not entries: no pair array per property (a batch checks thousands).
    const map = value as Record<string, unknown>;
    for (const k of Object.keys(map)) {
      const v = map[k];
      if (k.length > 100 || typeof v !== 'string' || v.length > 10_000) return false;
    }
    return true;
  }
  defaultMessage(): string {
    return 'properties must map names to strings';
  }
}

/** M1 matches trimmed emails, so surrounding spaces are accepted (and kept as sent). */
@ValidatorConstraint({ name: 'trimmedEmail' })
class TrimmedEmail implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isEmailAddress(value.trim());
  }
  defaultMessage(): string {
    return 'email must be an email address';
  }
}

export class ContactDto {
  @ApiProperty({ maxLength: 320, description: 'an email address; surrounding spaces are kept' }) @IsString() @MaxLength(320) @Validate(TrimmedEmail) email!: string;
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @MaxLength(200) firstName?: string;
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @MaxLength(200) lastName?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string', maxLength: 10_000 }, description: 'names up to 100 characters; any name, `constructor` or `__proto__` included, is stored as given' }) @IsOptional() @PropertyMap() @IsObject() @Validate(StringMap) properties?: Record<string, string>;
}

export class BatchUpsertDto extends ContactDto {
  @ApiId() @Matches(ID_PATTERN) contactId!: string;
}

export class ContactBatchDto {
  @ApiProperty({ type: [BatchUpsertDto], maxItems: 1000, description: 'upserts and deletes together hold at most 1000 items' })
  @IsArray()
  @ArrayMaxSize(1000)
  // ValidateNested lets a nested array ([[…]]) through: each item must be an object.
  @IsObject({ each: true, message: 'each upsert must be an object' })
  @ValidateNested({ each: true })
  @Type(() => BatchUpsertDto)
  @UniqueItems((c: BatchUpsertDto) => c?.contactId, { message: 'a contact is upserted twice' })
  upserts!: BatchUpsertDto[];

  @ApiIds({ maxItems: 1000, uniqueItems: true })
  @IsArray()
  @ArrayMaxSize(1000)
  @UniqueItems(undefined, { message: 'a contact is deleted twice' })
  @Matches(ID_PATTERN, { each: true })
  deletes!: string[];
}

export class ActivityDto {
  @ApiId() @Matches(ID_PATTERN) activityId!: string;
  @ApiProperty({ enum: ACTIVITY_TYPES }) @IsIn(ACTIVITY_TYPES) type!: ActivityType;
  @ApiProperty({ example: '2026-11-01T10:00:00Z' }) @IsISO8601({ strict: true }) occurredAt!: string;
  @ApiProperty({ maxLength: 10_000 }) @IsString() @Length(0, 10_000) summary!: string;
}

export class DealDto {
  @ApiProperty({ minLength: 1, maxLength: 200 }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: 'closedwon', minLength: 1, maxLength: 100 }) @IsString() @Length(1, 100) stage!: string;
  @ApiPropertyOptional() @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) amount?: number;
  @ApiIds({ maxItems: 1000 }) @IsArray() @ArrayMaxSize(1000) @Matches(ID_PATTERN, { each: true }) contactIds!: string[];
}
