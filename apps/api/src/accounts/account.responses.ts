import { ApiProperty } from '@nestjs/swagger';
import { HUBS, ROLES, SEATS, TIERS } from '@mam/domain';
import { ApiId, POSITION_SCHEMA } from '../http/openapi';

/** Answers of the account routes, for the OpenAPI document. */

export class AccountRegisteredDto {
  @ApiId() accountId!: string;
  @ApiProperty(POSITION_SCHEMA) position!: string;
}

export class SubscriptionViewDto {
  @ApiProperty({ enum: HUBS }) hub!: string;
  @ApiProperty({ enum: TIERS }) tier!: string;
}

export class AccountUserViewDto {
  @ApiId() userId!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: string[];
  @ApiProperty({ enum: SEATS, isArray: true }) seats!: string[];
}

export class AccountViewDto {
  @ApiId() accountId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() hostingLocation!: string;
  @ApiProperty() sandbox!: boolean;
  @ApiProperty({ enum: ['active', 'deactivated'] }) status!: string;
  @ApiProperty() sensitiveData!: boolean;
  @ApiProperty({ type: [SubscriptionViewDto] }) subscriptions!: SubscriptionViewDto[];
  @ApiProperty({ type: [AccountUserViewDto] }) users!: AccountUserViewDto[];
  @ApiId({ nullable: true, type: 'string' }) organizationId!: string | null;
}
