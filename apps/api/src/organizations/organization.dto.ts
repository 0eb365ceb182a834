import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { ID_PATTERN } from '@mam/domain';
import { ApiId, ApiIdOptional, ApiIds } from '../http/openapi';

export class FeaturesDto {
  @ApiProperty() @IsBoolean() dataMirroring!: boolean;
  @ApiProperty() @IsBoolean() assetCopying!: boolean;
  @ApiProperty() @IsBoolean() workflows!: boolean;
  @ApiPropertyOptional({ default: false, description: 'multi-account reports (R1–R6); false when left out' })
  @IsOptional()
  @IsBoolean()
  reporting?: boolean;
}

export class ConnectionDto {
  @ApiIds({ minItems: 2, maxItems: 2, uniqueItems: true })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(2)
  @ArrayUnique({ message: 'a connection joins two different accounts' })
  @Matches(ID_PATTERN, { each: true })
  accounts!: [string, string];

  @ApiPropertyOptional({ enum: ['two-way', 'one-way'], default: 'two-way' })
  @IsOptional()
  @IsIn(['two-way', 'one-way'])
  direction?: 'two-way' | 'one-way';

  @ApiIdOptional({ description: 'one-way only: the source account' })
  @IsOptional()
  @Matches(ID_PATTERN)
  from?: string;

  @ApiProperty({ type: FeaturesDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => FeaturesDto)
  features!: FeaturesDto;
}

const Connections = () => (target: object, key: string) => {
  IsArray()(target, key);
  // ValidateNested lets a nested array ([[connection]]) through: each item must be an object.
  IsObject({ each: true, message: 'each connection must be an object' })(target, key);
  ValidateNested({ each: true })(target, key);
  Type(() => ConnectionDto)(target, key);
};

export class CreateOrganizationDto {
  @ApiIdOptional({ description: 'a fresh UUID when absent' }) @IsOptional() @Matches(ID_PATTERN) organizationId?: string;
  @ApiProperty({ minLength: 1, maxLength: 200 }) @IsString() @Length(1, 200) name!: string;
  @ApiId() @Matches(ID_PATTERN) primaryAccountId!: string;
  @ApiIds({ uniqueItems: true }) @IsArray() @ArrayUnique({ message: 'an account is listed twice' }) @Matches(ID_PATTERN, { each: true }) additionalAccountIds!: string[];
  @ApiPropertyOptional({ type: [ConnectionDto] }) @IsOptional() @Connections() connections?: ConnectionDto[];
  @ApiProperty() @IsBoolean() acknowledgeImpact!: boolean;
  @ApiProperty() @IsBoolean() acknowledgeBeta!: boolean;
}

export class MembersDto {
  @ApiIds({ minItems: 1, uniqueItems: true, description: 'the whole desired member set' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique({ message: 'an account is listed twice' })
  @Matches(ID_PATTERN, { each: true })
  accountIds!: string[];
}

export class ConnectionsDto {
  @ApiProperty({ type: [ConnectionDto], description: 'the whole desired set' }) @Connections() connections!: ConnectionDto[];
}

export function toConnection(c: ConnectionDto) {
  const direction = c.direction ?? 'two-way';
  return {
    accounts: [c.accounts[0], c.accounts[1]] as [string, string],
    direction,
    ...(c.from !== undefined ? { from: c.from } : {}),
    features: {
      dataMirroring: c.features.dataMirroring,
      assetCopying: c.features.assetCopying,
      workflows: c.features.workflows,
      reporting: c.features.reporting ?? false,
    },
  };
}
