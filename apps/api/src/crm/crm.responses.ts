import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ACTIVITY_TYPES } from '@mam/domain';
import { ApiId } from '../http/openapi';

/** Answers of the CRM and mirrored-contact routes, for the OpenAPI document. */

export class MirroredActivityDto {
  @ApiId() activityId!: string;
  @ApiProperty({ enum: ACTIVITY_TYPES }) type!: string;
  @ApiProperty({ description: 'ISO 8601' }) occurredAt!: string;
  @ApiProperty() summary!: string;
}

export class MirroredDealDto {
  @ApiId() dealId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() stage!: string;
  @ApiPropertyOptional() amount?: number;
}

export class MirroredSourceDto {
  @ApiId() accountId!: string;
  @ApiId() contactId!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'email, firstName, lastName and the contact’s properties map, flattened into one object',
  })
  properties!: Record<string, string>;
  @ApiProperty({ type: [MirroredActivityDto], description: 'by time of occurrence' }) activities!: MirroredActivityDto[];
  @ApiProperty({ type: [MirroredDealDto] }) deals!: MirroredDealDto[];
}

export class MirroredContactDto {
  @ApiProperty() email!: string;
  @ApiId({ description: 'the contact in the target account' }) contactId!: string;
  @ApiProperty({ type: [MirroredSourceDto] }) sources!: MirroredSourceDto[];
}

export class MirroredContactsDto {
  @ApiProperty({ type: [MirroredContactDto] }) items!: MirroredContactDto[];
  @ApiPropertyOptional({ description: 'pass as `cursor` for the next page; absent on the last' }) nextCursor?: string;
}
