import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayUnique, IsArray, IsBoolean, IsIn, IsObject, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { HUBS, TIERS, ROLES, SEATS, ID_PATTERN, type Hub, type Tier, type Role, type Seat } from '@mam/domain';
import { ApiId } from '../http/openapi';

export class SubscriptionDto {
  @ApiProperty({ enum: HUBS }) @IsIn(HUBS) hub!: Hub;
  @ApiProperty({ enum: TIERS }) @IsIn(TIERS) tier!: Tier;
}

const Subscriptions = () => (target: object, key: string) => {
  IsArray()(target, key);
  // ValidateNested lets a nested array ([[{hub, tier}]]) through: each item must be an object.
  IsObject({ each: true, message: 'each subscription must be an object {hub, tier}' })(target, key);
  ValidateNested({ each: true })(target, key);
  Type(() => SubscriptionDto)(target, key);
  ArrayUnique((s: SubscriptionDto) => s?.hub, { message: 'one subscription per hub' })(target, key);
};

export class RegisterAccountDto {
  @ApiId() @IsString() @Matches(ID_PATTERN) accountId!: string;
  @ApiProperty({ minLength: 1, maxLength: 200 }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: 'na1', pattern: '^[a-z]{2}[0-9]{1,2}$' }) @IsString() @Matches(/^[a-z]{2}[0-9]{1,2}$/, { message: 'hostingLocation must look like na1, eu1, ap1' }) hostingLocation!: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() sandbox?: boolean;
  @ApiProperty({ type: [SubscriptionDto] }) @Subscriptions() subscriptions!: SubscriptionDto[];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() sensitiveData?: boolean;
}

export class SubscriptionsDto {
  @ApiProperty({ type: [SubscriptionDto] }) @Subscriptions() subscriptions!: SubscriptionDto[];
}

export class HostingLocationDto {
  @ApiProperty({ example: 'eu1', pattern: '^[a-z]{2}[0-9]{1,2}$' }) @IsString() @Matches(/^[a-z]{2}[0-9]{1,2}$/, { message: 'hostingLocation must look like na1, eu1, ap1' }) hostingLocation!: string;
}

export class SensitiveDataDto {
  @ApiProperty({ description: 'true only: sensitive data cannot be turned off (A1)' }) @IsBoolean() enabled!: boolean;
}

export class EmptyDto {}

export class AccountUserDto {
  @ApiProperty({ enum: ROLES, isArray: true, uniqueItems: true }) @IsArray() @ArrayUnique() @IsIn(ROLES, { each: true }) roles!: Role[];
  @ApiProperty({ enum: SEATS, isArray: true, uniqueItems: true }) @IsArray() @ArrayUnique() @IsIn(SEATS, { each: true }) seats!: Seat[];
}

export class TwoFactorDto {
  @ApiProperty() @IsBoolean() enabled!: boolean;
}

