import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@mam/event-store';
import { READ_STORE, type ReadStore } from '@mam/read-store';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { OrganizationCommands } from '../organizations/organization.commands.service';
import type { ProjectionInfo } from '../projections/projection-runner';
import { eventStoreSagaContext } from './event-store-saga-context';
import { lifecycleSaga } from './lifecycle.saga';
import type { ProcessManager } from './saga';
import { SagaRunner, type Dispatch } from './saga-runner';
import { ProjectionMetrics } from '../ops/metrics.service';
import { AssetCommands } from '../assets/asset.commands';
import { assetCopyProcess } from '../assets/asset-copy.process';
import { eventStoreAssetCopyContext } from '../assets/asset-copy.context';
import { ProjectionsService } from '../projections/projections.service';
import { WorkflowCommands } from '../workflows/workflow.commands';
import { workflowsRegistration } from '../workflows/workflows.registration';

/** A process with what it reads and how its commands are carried out. */
export interface ProcessRegistration<Command, Context> {
  process: ProcessManager<Command, Context>;
  context: Context;
  dispatch: Dispatch<Command>;
}

/** Keeps a registration's command and context types tied together while the list mixes them. */
export function registration<Command, Context>(r: ProcessRegistration<Command, Context>): ProcessRegistration<unknown, unknown> {
  return r as ProcessRegistration<unknown, unknown>;
}

/**
 * Runs the sagas and process managers in this process, each from its own
 * checkpoint, all on the same runner. A new process is one more entry in
 * `registrations` (its feature's command service injected here).
 */
@Injectable()
export class SagasService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly runners: SagaRunner<unknown, unknown>[];

  constructor(
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(READ_STORE) readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    organizations: OrganizationCommands,
    assets: AssetCommands,
    metrics: ProjectionMetrics,
    workflows: WorkflowCommands,
    projections: ProjectionsService,
  ) {
    const registrations = [
      registration({
        process: lifecycleSaga,
        context: eventStoreSagaContext(events),
        dispatch: (command, commandId, causationId) => organizations.byPolicy(command, commandId, causationId),
      }),
      registration({
        process: assetCopyProcess,
        context: eventStoreAssetCopyContext(events),
        dispatch: (command, commandId, causationId) => assets.carryOut(command, commandId, causationId),
      }),
      workflowsRegistration(events, readStore, projections, workflows),
    ];
    this.runners = registrations.map(
      ({ process, context, dispatch }) =>
        new SagaRunner(process, events, readStore, context, dispatch, {
          onParked: (parked) => metrics.parked.set({ projection: process.name }, parked),
          // The same series as the projections', labelled with the process's name.
          onProgress: (runner) =>
            void runner.info().then((i) => {
              metrics.position.set({ projection: i.name }, Number(i.position ?? 0));
              metrics.lag.set({ projection: i.name }, Number(i.lag));
              metrics.parked.set({ projection: i.name }, i.parked);
            }, () => undefined),
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

  /** Where another process runs the sagas, their stored checkpoints tell how far they are. */
  info(): Promise<ProjectionInfo[]> {
    if (this.config.runSagas) return Promise.all(this.runners.map((r) => r.info()));
    return Promise.all(
      this.runners.map(async (r) => {
        await r.loadCheckpoint();
        return { ...(await r.info()), status: 'elsewhere' as const };
      }),
    );
  }
}
