import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { QueryResponses } from '../http/openapi';
import { ProjectionsService } from '../projections/projections.service';
import { ProjectionsDto } from './ops.responses';
import { SagasService } from '../sagas/sagas.service';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('v1/ops')
export class OpsController {
  constructor(
    private readonly projections: ProjectionsService,
    private readonly sagas: SagasService,
  ) {}

  @Get('projections')
  @QueryResponses(ProjectionsDto)
  async list() {
    return { items: [...(await this.projections.info()), ...(await this.sagas.info())] };
  }
}
