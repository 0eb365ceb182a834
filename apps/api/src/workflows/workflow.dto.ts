import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsObject, IsOptional, IsString, Length, Matches, Validate, ValidateNested } from 'class-validator';
import { DEAL_CLOSED_WON, ID_PATTERN } from '@mam/domain';
import { StringMap } from '../crm/crm.dto';
import { ApiId, ApiIdOptional, POSITION_SCHEMA } from '../http/openapi';

export class WorkflowTriggerDto {
  @ApiProperty({ enum: [DEAL_CLOSED_WON], description: 'a deal of the source entering stage `closedwon`' })
  @IsIn([DEAL_CLOSED_WON])
  type!: typeof DEAL_CLOSED_WON;
}

export class WorkflowActionDto {
  @ApiProperty({ enum: ['create-or-update-contact'] })
  @IsIn(['create-or-update-contact'])
  type!: 'create-or-update-contact';

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: 'set on every contact the action writes' })
  @IsOptional()
  @IsObject()
  @Validate(StringMap)
  properties?: Record<string, string>;

  @ApiPropertyOptional({ description: 'also sets `crossSellOpportunity: "true"`', default: false })
  @IsOptional()
  @IsBoolean()
  markCrossSellOpportunity?: boolean;
}

export class DefineWorkflowDto {
  @ApiIdOptional({ description: 'chosen by the service when left out' }) @IsOptional() @Matches(ID_PATTERN) workflowId?: string;
  @ApiProperty({ minLength: 1, maxLength: 200 }) @IsString() @Length(1, 200) name!: string;
  @ApiId() @Matches(ID_PATTERN) sourceAccountId!: string;
  @ApiId() @Matches(ID_PATTERN) targetAccountId!: string;
  @ApiProperty({ type: WorkflowTriggerDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => WorkflowTriggerDto) trigger!: WorkflowTriggerDto;
  @ApiProperty({ type: WorkflowActionDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => WorkflowActionDto) action!: WorkflowActionDto;
}

// ── answers ───────────────────────────────────────────────────────────────
export class WorkflowDefinedDto {
  @ApiProperty() workflowId!: string;
  @ApiProperty({ ...POSITION_SCHEMA, description: 'global position of the definition' }) position!: string;
}

export class WorkflowActionViewDto {
  @ApiProperty({ enum: ['create-or-update-contact'] }) type!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) properties!: Record<string, string>;
  @ApiProperty() markCrossSellOpportunity!: boolean;
}

export class WorkflowFailureDto {
  @ApiProperty({ description: 'e.g. TARGET_DEACTIVATED' }) reason!: string;
  @ApiProperty() detail!: string;
  @ApiProperty() dealId!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class WorkflowViewDto {
  @ApiProperty() workflowId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() sourceAccountId!: string;
  @ApiProperty() targetAccountId!: string;
  @ApiProperty({ type: WorkflowTriggerDto }) trigger!: WorkflowTriggerDto;
  @ApiProperty({ type: WorkflowActionViewDto }) action!: WorkflowActionViewDto;
  @ApiProperty({ enum: ['active', 'suspended'] }) status!: 'active' | 'suspended';
  @ApiPropertyOptional({ enum: ['flow-revoked', 'account-left', 'organization-deleted'], description: 'W4, when suspended' }) suspendedReason?: string;
  @ApiProperty({ type: 'integer', description: 'triggers handled (completed and failed runs), not deliveries' }) runs!: number;
  @ApiProperty({ type: 'integer' }) failedRuns!: number;
  @ApiPropertyOptional({ type: WorkflowFailureDto, description: 'the last failed run' }) lastFailure?: WorkflowFailureDto;
}

export class WorkflowListDto {
  @ApiProperty({ type: [WorkflowViewDto] }) items!: WorkflowViewDto[];
}
