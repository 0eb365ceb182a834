import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiId, ApiIds, POSITION_SCHEMA } from '../http/openapi';

/** Answers of the organization routes, for the OpenAPI document. */

export class OrganizationCreatedDto {
  @ApiId() organizationId!: string;
  @ApiProperty(POSITION_SCHEMA) position!: string;
}

export class CandidateDto {
  @ApiId() accountId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() eligible!: boolean;
  @ApiProperty({ type: [String], description: 'the O3/O4/A2 codes that make it ineligible' }) reasons!: string[];
}

export class CandidatesDto {
  @ApiProperty({ type: [CandidateDto] }) items!: CandidateDto[];
}

export class MemberViewDto {
  @ApiId() accountId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date-time' }) joinedAt!: string;
}

export class FeaturesViewDto {
  @ApiProperty() dataMirroring!: boolean;
  @ApiProperty() assetCopying!: boolean;
  @ApiProperty() workflows!: boolean;
  @ApiProperty({ description: 'multi-account reports; always present in answers' }) reporting!: boolean;
}

export class FlowDto {
  @ApiId() from!: string;
  @ApiId() to!: string;
}

export class FlowsDto {
  @ApiProperty({ type: [FlowDto] }) dataMirroring!: FlowDto[];
  @ApiProperty({ type: [FlowDto] }) assetCopying!: FlowDto[];
  @ApiProperty({ type: [FlowDto] }) workflows!: FlowDto[];
  @ApiProperty({ type: [FlowDto] }) reporting!: FlowDto[];
}

export class RevocationDto {
  @ApiProperty({ description: 'a `features` key' }) feature!: string;
  @ApiId() from!: string;
  @ApiId() to!: string;
  @ApiProperty({ enum: ['sensitive-data', 'mirroring-target-ineligible'] }) reason!: string;
}

export class ConnectionViewDto {
  @ApiIds({ minItems: 2, maxItems: 2 }) accounts!: string[];
  @ApiProperty({ enum: ['two-way', 'one-way'] }) direction!: string;
  @ApiId({ required: false }) from?: string;
  @ApiProperty({ type: FeaturesViewDto }) features!: FeaturesViewDto;
  @ApiProperty({ type: FlowsDto, description: 'effective directed flows after C4/C5 revocations' }) flows!: FlowsDto;
  @ApiProperty({ type: [RevocationDto] }) revoked!: RevocationDto[];
}

export class OrganizationViewDto {
  @ApiId() organizationId!: string;
  @ApiProperty() name!: string;
  @ApiId() primaryAccountId!: string;
  @ApiProperty() hostingLocation!: string;
  @ApiProperty({ enum: ['active', 'deleted'] }) status!: string;
  @ApiProperty({ type: [MemberViewDto] }) members!: MemberViewDto[];
  @ApiProperty({ type: [ConnectionViewDto] }) connections!: ConnectionViewDto[];
}

export class HistoryItemDto {
  @ApiProperty(POSITION_SCHEMA) position!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ description: 'the event type' }) type!: string;
  @ApiId({ required: false }) actorUserId?: string;
  @ApiId({ required: false }) actingAccountId?: string;
  @ApiPropertyOptional({ enum: ['otp', 'passkey'] }) verification?: string;
  @ApiPropertyOptional({ description: 'why a policy acted' }) reason?: string;
  @ApiPropertyOptional({ description: 'id of the event a policy reacted to' }) causationId?: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) details!: Record<string, unknown>;
}

export class HistoryDto {
  @ApiProperty({ type: [HistoryItemDto], description: 'oldest first' }) items!: HistoryItemDto[];
}
