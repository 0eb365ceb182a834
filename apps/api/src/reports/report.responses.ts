import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiId, ApiIds, POSITION_SCHEMA } from '../http/openapi';
import { ReportDefinitionDto } from './report.dto';

/** Answers of the report routes, for the OpenAPI document. */

export class ReportCreatedDto {
  @ApiId() reportId!: string;
  @ApiProperty(POSITION_SCHEMA) position!: string;
}

export class ReportItemDto extends ReportDefinitionDto {
  @ApiId() reportId!: string;
}

export class ReportListDto {
  @ApiProperty({ type: [ReportItemDto] }) items!: ReportItemDto[];
}

export class ExclusionDto {
  @ApiId() accountId!: string;
  @ApiProperty({ enum: ['no-flow', 'left-organization', 'property-missing'] }) reason!: string;
}

export class ResultRowDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', nullable: true },
    description: 'dimension → value; null where a contact lacks the grouped property',
  })
  dimensions!: Record<string, string | null>;
  @ApiProperty({ type: 'integer' }) count!: number;
  @ApiPropertyOptional({ type: 'number', description: 'with the sum:amount measure; exact to the cent' }) sumAmount?: number;
  @ApiPropertyOptional({ type: 'number', nullable: true, description: 'with the avg:amount measure: over the deals that have an amount (null when none has)' })
  avgAmount?: number | null;
}

export class ReportResultsDto {
  @ApiId() reportId!: string;
  @ApiIds({ description: 'the accounts whose data the rows count' }) accounts!: string[];
  @ApiProperty({ type: [ExclusionDto] }) excluded!: ExclusionDto[];
  @ApiProperty({ type: [ResultRowDto], description: 'one per combination of dimension values, ascending, null first' }) rows!: ResultRowDto[];
}
