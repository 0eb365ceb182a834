import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@mam/event-store';
import { READ_STORE, type ReadStore } from '@mam/read-store';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { OrganizationCommands } from '../organizations/organization.commands.service';
import type { ProjectionInfo } from '../projections/projection-runner';
import { eventStoreSagaContext } from './event-store-saga-context';
import { lifecycleSaga } from './lifecycle.saga';
import { SagaRunner } from './saga-runner';
import { ProjectionMetrics } from '../ops/metrics.service';

/** Runs the lifecycle policies in this process, each from its own checkpoint. */
@Injectable()
export class SagasService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly runners: SagaRunner[];

  constructor(
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(READ_STORE) readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    organizations: OrganizationCommands,
    metrics: ProjectionMetrics,
  ) {
    const context = eventStoreSagaContext(events);
    this.runners = [lifecycleSaga].map(
      (saga) =>
        new SagaRunner(saga, events, readStore, context, (command, commandId, causationId) => organizations.byPolicy(command, commandId, causationId), {
          onParked: (parked) => metrics.parked.set({ projection: saga.name }, parked),
        }),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.runSagas) return;
    for (const r of this.runners) await r.start();
  }

  async onModuleDestroy(): Promise<void> {
    for (const r of this.runners) await r.stop();
  }

  info(): Promise<ProjectionInfo[]> {
    return Promise.all(this.runners.map((r) => r.info()));
  }
}
