import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsObject, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { ID_PATTERN, MAX_DIMENSIONS, MAX_FILTERS, MEASURES, REPORT_OBJECTS, type ReportDefinition } from '@mam/domain';
import { ApiId, ApiIdOptional, ApiIds } from '../http/openapi';

const DIMENSION = 'account | stage (deals) | property:<name> (email, firstName, lastName or a key of properties; for deals, of the first contact)';

export class ReportFilterDto {
  @ApiProperty({ description: `a dimension other than account: ${DIMENSION}`, minLength: 1, maxLength: 120 }) @IsString() @Length(1, 120) field!: string;
  @ApiProperty({ maxLength: 1000 }) @IsString() @Length(0, 1000) equals!: string;
}

/** api.md's report definition; the rules between its fields are the decider's (400 as well). */
export class ReportDefinitionDto {
  @ApiProperty({ minLength: 1, maxLength: 200 }) @IsString() @Length(1, 200) name!: string;
  @ApiId() @Matches(ID_PATTERN) destinationAccountId!: string;
  @ApiIds({ maxItems: 4, description: 'accounts whose data the report covers besides the destination, each with a reporting flow into it (R1)' })
  @IsArray()
  @ArrayMaxSize(4)
  @Matches(ID_PATTERN, { each: true })
  sourceAccountIds!: string[];
  @ApiProperty({ enum: REPORT_OBJECTS }) @IsIn(REPORT_OBJECTS) object!: ReportDefinition['object'];
  @ApiProperty({ type: [String], maxItems: MAX_DIMENSIONS, description: DIMENSION })
  @IsArray()
  @ArrayMaxSize(MAX_DIMENSIONS)
  @IsString({ each: true })
  @Length(1, 120, { each: true })
  groupBy!: string[];
  @ApiProperty({ type: 'array', items: { type: 'string', enum: [...MEASURES] }, minItems: 1, description: 'sum:amount and avg:amount for deals' })
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(MEASURES, { each: true })
  measures!: ReportDefinition['measures'];
  @ApiPropertyOptional({ type: [ReportFilterDto], maxItems: MAX_FILTERS })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_FILTERS)
  @IsObject({ each: true, message: 'each filter must be an object' })
  @ValidateNested({ each: true })
  @Type(() => ReportFilterDto)
  filters?: ReportFilterDto[];
}

export class CreateReportDto extends ReportDefinitionDto {
  @ApiIdOptional() @IsOptional() @Matches(ID_PATTERN) reportId?: string;
}

export function toDefinition(body: ReportDefinitionDto): ReportDefinition {
  return {
    name: body.name,
    destinationAccountId: body.destinationAccountId,
    sourceAccountIds: body.sourceAccountIds,
    object: body.object,
    groupBy: body.groupBy,
    measures: body.measures,
    filters: (body.filters ?? []).map((f) => ({ field: f.field, equals: f.equals })),
  };
}
