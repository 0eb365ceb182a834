import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiHeader, ApiTags } from '@nestjs/swagger';
import { POSITION_SCHEMA } from '../http/openapi';
import { HealthCheck, HealthCheckService, type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { EVENT_STORE, type EventStore } from '@mam/event-store';
import { READ_STORE, type ReadStore } from '@mam/read-store';
import { ProjectionsService } from '../projections/projections.service';
import { MetricsRegistry } from './metrics.service';
import { SagasService } from '../sagas/sagas.service';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly projections: ProjectionsService,
    private readonly sagas: SagasService,
    private readonly metrics: MetricsRegistry,
  ) {}

  private async ping(key: string, ping: () => Promise<boolean>): Promise<HealthIndicatorResult> {
    const check = this.indicator.check(key);
    try {
      return (await ping()) ? check.up() : check.down({ message: 'no answer' });
    } catch (error) {
      return check.down({ message: (error as Error).message });
    }
  }

  /** 200 when both stores answer; each projection's position and lag ride along. */
  @Get('health')
  @HealthCheck()
  // The read-your-writes hook runs on every GET, so /health takes (and checks) the header too.
  @ApiHeader({ name: 'X-Min-Position', required: false, schema: { ...POSITION_SCHEMA }, description: 'checked for shape; /health reads no read model' })
  check() {
    return this.health.check([
      () => this.ping('eventStore', () => this.events.ping()),
      () => this.ping('readStore', () => this.readStore.ping()),
      async () => {
        const items = [...(await this.projections.info()), ...(await this.sagas.info())];
        return this.indicator.check('projections').up({ items });
      },
    ]);
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('content-type', 'text/plain; version=0.0.4')
  metricsText() {
    return this.metrics.registry.metrics();
  }
}
