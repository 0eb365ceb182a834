import { ApiProperty } from '@nestjs/swagger';
import { POSITION_SCHEMA } from '../http/openapi';

/** Answers of the operations routes, for the OpenAPI document. */

export class ProjectionInfoDto {
  @ApiProperty({ description: 'projection or saga' }) name!: string;
  @ApiProperty({ ...POSITION_SCHEMA, nullable: true, description: 'last position processed; null before the first' }) position!: string | null;
  @ApiProperty({ ...POSITION_SCHEMA, description: 'distance in positions to the head of the log' }) lag!: string;
  @ApiProperty({ description: 'starting, catching-up, live, retrying, stopped (a saga may add its own)' }) status!: string;
  @ApiProperty({ type: 'integer' }) parked!: number;
}

export class ProjectionsDto {
  @ApiProperty({ type: [ProjectionInfoDto] }) items!: ProjectionInfoDto[];
}
