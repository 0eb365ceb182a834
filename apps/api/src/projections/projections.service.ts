import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@mam/event-store';
import { READ_STORE, type ReadStore } from '@mam/read-store';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ProjectionMetrics } from '../ops/metrics.service';
import { ProjectionRunner, type ProjectionInfo } from './projection-runner';
import { ALL_PROJECTIONS } from './projection-registry';

/** Runs the read-model projections in this process and answers read-your-writes waits. */
@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Projections');
  readonly runner: ProjectionRunner;

  constructor(
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(READ_STORE) readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: ProjectionMetrics,
  ) {
    this.runner = new ProjectionRunner('read-models', events, readStore, ALL_PROJECTIONS, {
      onCommitted: () => void this.publishMetrics(),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.runProjections) return;
    await this.runner.start();
    this.logger.log(`started ${this.runner.projections.map((p) => p.name).join(', ')}`);
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner.stop();
  }

  /** Unknown names are ignored so a GET never waits on a projection that does not exist. */
  waitFor(position: bigint, names: readonly string[], timeoutMs: number): Promise<boolean> {
    const known = names.filter((n) => this.runner.has(n));
    return this.runner.waitFor(position, known, timeoutMs);
  }

  info(): Promise<ProjectionInfo[]> {
    return this.runner.info();
  }

  private async publishMetrics(): Promise<void> {
    for (const p of await this.runner.info()) {
      this.metrics.position.set({ projection: p.name }, Number(p.position ?? 0));
      this.metrics.lag.set({ projection: p.name }, Number(p.lag));
      this.metrics.parked.set({ projection: p.name }, p.parked);
    }
  }
}
