import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@mam/event-store';
import { GENERATIONS, READ_STORE, type GenerationalReadStore, type GenerationDoc } from '@mam/read-store';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ProjectionMetrics } from '../ops/metrics.service';
import { ProjectionRunner, type ProjectionInfo } from './projection-runner';
import { ALL_PROJECTIONS } from './projection-registry';

/** Runs the read-model projections in this process and answers read-your-writes waits. */
const GENERATION_POLL_MS = 1000;
const STORED_POLL_MS = 50;

@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Projections');
  readonly runner: ProjectionRunner;
  private watcher: NodeJS.Timeout | null = null;
  private switching: Promise<void> | null = null;
  /** A switch that failed part-way: taken up again on the next tick even though the pointers look current. */
  private switchPending = false;

  constructor(
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(READ_STORE) private readonly readStore: GenerationalReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: ProjectionMetrics,
  ) {
    this.runner = new ProjectionRunner('read-models', events, readStore, ALL_PROJECTIONS, {
      onCommitted: () => void this.publishMetrics(),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.runProjections) {
      await this.runner.start();
      this.logger.log(`started ${this.runner.projections.map((p) => p.name).join(', ')}`);
    }
    this.watcher = setInterval(() => {
      this.switching ??= this.followRebuilds().finally(() => (this.switching = null));
    }, GENERATION_POLL_MS);
    this.watcher.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.watcher) clearInterval(this.watcher);
    await this.switching;
    if (this.config.runProjections) await this.runner.stop();
  }

  /**
   * An ops rebuild finished and flipped a projection to a new generation:
   * stop between batches, switch readers and the runner to it (it resumes
   * from the new generation's checkpoint), then empty the old one. A switch
   * that fails half-way is taken up again on the next tick, however far it
   * got; so is an old generation that could not be emptied. A process that
   * runs no projections only switches its readers.
   */
  private async followRebuilds(): Promise<void> {
    try {
      if (this.switchPending || (await this.readStore.stale())) {
        this.switchPending = true;
        if (this.config.runProjections) await this.switchRunner();
        else await this.readStore.refresh();
        this.switchPending = false;
      }
      if (this.config.runProjections) await this.emptyReplacedGenerations();
    } catch (error) {
      this.logger.error(`switching to a rebuilt generation failed, retrying: ${(error as Error).message}`);
    }
  }

  private async switchRunner(): Promise<void> {
    await this.runner.stop({ keepWaiters: true });
    // Until the new generation's checkpoints are loaded, a wait must not pass on the old one's positions.
    this.runner.forgetPositions();
    await this.readStore.refresh();
    await this.runner.start();
    this.logger.log(`now serving generation(s) ${this.runner.projections.map((p) => `${p.name}@${this.readStore.generationOf(p.name)}`).join(', ')}`);
  }

  private async emptyReplacedGenerations(): Promise<void> {
    const docs = await this.readStore.inner.find<GenerationDoc>(GENERATIONS, {});
    for (const { doc } of docs) {
      if (doc.previous === null || doc.generation !== this.readStore.generationOf(doc.projection)) continue;
      await this.readStore.resetGeneration(doc.projection, doc.previous);
      await this.readStore.inner.commit({ puts: [{ collection: GENERATIONS, id: doc.projection, doc: { ...doc, previous: null } }], deletes: [], checkpoints: [] });
      this.logger.log(`${doc.projection}: emptied generation ${doc.previous}`);
    }
  }

  /** Unknown names are ignored so a GET never waits on a projection that does not exist. */
  waitFor(position: bigint, names: readonly string[], timeoutMs: number): Promise<boolean> {
    const known = names.filter((n) => this.runner.projections.some((p) => p.name === n));
    if (!this.config.runProjections) return this.waitForStored(position, known, timeoutMs);
    return this.runner.waitFor(position, known, timeoutMs);
  }

  /** When another process runs the projections, their stored checkpoints tell how far they are. */
  private async waitForStored(position: bigint, names: readonly string[], timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stored = await Promise.all(names.map((n) => this.readStore.checkpoint(n)));
      if (stored.every((p) => p !== null && p >= position)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, STORED_POLL_MS));
    }
  }

  /** Where another process runs the projections, what it has stored is what this one serves from. */
  async info(): Promise<ProjectionInfo[]> {
    if (this.config.runProjections) return this.runner.info();
    await this.runner.loadCheckpoints();
    return (await this.runner.info()).map((i) => ({ ...i, status: 'elsewhere' }));
  }

  private async publishMetrics(): Promise<void> {
    for (const p of await this.runner.info()) {
      this.metrics.position.set({ projection: p.name }, Number(p.position ?? 0));
      this.metrics.lag.set({ projection: p.name }, Number(p.lag));
      this.metrics.parked.set({ projection: p.name }, p.parked);
    }
  }
}
