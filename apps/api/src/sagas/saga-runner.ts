import { Logger } from '@nestjs/common';
import type { EventStore, RecordedEvent, Subscription } from '@mam/event-store';
import type { ReadStore, WriteSet } from '@mam/read-store';
import { PARKED_COLLECTION, parkedEntry } from '../projections/parked-events';
import { isTransient } from '../commands/transient-errors';

import { lagOf, LIVE_LINGER_MS, type ProjectionInfo } from '../projections/projection-runner';
import type { PolicyCommand, ProcessManager } from './saga';

const MAX_OUTAGE_BACKOFF_MS = 30_000;
/** How stale the stored checkpoint may get while only events the saga ignores go by. */
const IDLE_CHECKPOINT_MS = 1000;

/** Carries out one command of a process, with the id the process derived and the causing event's id. */
export type Dispatch<Command = PolicyCommand> = (command: Command, commandId: string, causationId: string) => Promise<unknown>;

export interface SagaRunnerOptions {
  /** Attempts per event before it is parked. */
  attempts?: number;
  /** Told the new parked count whenever an event is parked (metrics). */
  onParked?: (parked: number) => void;
  /** Called after each batch the runner handled (metrics). */
  onProgress?: (runner: SagaRunner<any, any>) => void;
  /** First retry delay; doubles each time. */
  backoffMs?: number;
}

/**
 * Feeds one saga or process manager from the event store's catch-up
 * subscription, not from an in-memory bus, with its checkpoint in the read
 * store. Each reaction's command id derives from the causing event's id and
 * the command itself (the process's `commandId`), so a redelivery after a
 * crash appends nothing twice (the event ids repeat and the deciders re-check
 * their condition). A reaction that keeps failing
 * is retried with backoff, then parked with its error — never looped on
 * forever, never skipped silently.
 */
export class SagaRunner<Command = PolicyCommand, Context = unknown> {
  private readonly logger: Logger;
  private subscription: Subscription | null = null;
  private position: bigint | null = null;
  /** The position last written to the read store, and when. */
  private stored: bigint | null = null;
  private storedAt = 0;
  private parked = 0;
  private status: ProjectionInfo['status'] = 'stopped';
  private stopped = true;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Stores the checkpoint of ignored events once the stream goes quiet, so other processes see it. */
  private idleTimer: NodeJS.Timeout | null = null;
  private handling = false;
  /** The last batch reacted to something (its checkpoint was stored at once). */
  private reactedLast = false;

  constructor(
    readonly saga: ProcessManager<Command, Context>,
    private readonly events: EventStore,
    private readonly readStore: ReadStore,
    private readonly context: Context,
    private readonly dispatch: Dispatch<Command>,
    private readonly options: SagaRunnerOptions = {},
  ) {
    this.logger = new Logger(saga.name);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.loadCheckpoint();
    this.subscribe();
  }

  /** Reads the stored checkpoint and parked count (also for ops, without running). */
  async loadCheckpoint(): Promise<void> {
    await this.readStore.ensureCollections([{ name: PARKED_COLLECTION, indexes: [['projection']] }]);
    this.position = await this.readStore.checkpoint(this.saga.name);
    this.stored = this.position;
    this.parked = (await this.readStore.find(PARKED_COLLECTION, { projection: this.saga.name })).length;
  }

  /** One reaction, no retries, errors thrown (ops retry of a parked event). */
  async reactOnce(event: RecordedEvent): Promise<number> {
    const commands = await this.saga.react(event, this.context);
    for (const command of commands) await this.dispatch(command, this.saga.commandId(event, command), event.id);
    return commands.length;
  }

  private subscribe(): void {
    if (this.stopped) return;
    this.status = 'catching-up';
    this.subscription = this.events.subscribe((batch) => this.handle(batch), {
      after: this.position,
      batchSize: 200,
      lingerMs: LIVE_LINGER_MS,
      // The store skips the other types without decoding them (most of the log is CRM data no
      // process reacts to), and reports how far it got, so the checkpoint still moves on.
      eventTypes: [...this.saga.eventTypes],
      onCheckpoint: (position) => this.skipTo(position),
      onCaughtUp: () => (this.status = 'live'),
      onError: (error) => {
        this.subscription = null;
        if (this.stopped) return;
        this.status = 'retrying';
        this.logger.error(`subscription failed, resubscribing: ${(error as Error).message}`);
        this.retryTimer = setTimeout(() => this.subscribe(), 1000);
      },
    });
  }

  private async handle(batch: RecordedEvent[]): Promise<void> {
    this.handling = true;
    try {
      let reacted = false;
      for (const event of batch) {
        if (this.stopped) return;
        if (this.saga.eventTypes.has(event.type)) {
          await this.react(event);
          reacted = true;
        }
        this.position = event.position;
      }
      // Events the saga ignores are ignored again if a crash replays them, so their checkpoint
      // may lag a little: one write per second instead of one per batch (a read-store commit
      // per batch was a twentieth of the service's CPU under a steady stream of CRM updates).
      if (reacted || Date.now() - this.storedAt >= IDLE_CHECKPOINT_MS) await this.storeCheckpoint();
      else this.storeWhenIdle();
      this.reactedLast = reacted;
    } finally {
      this.handling = false;
      this.options.onProgress?.(this);
    }
  }

  /** The store passed only events of other types up to `position`: stored like ignored events. */
  private async skipTo(position: bigint): Promise<void> {
    if (this.stopped) return;
    this.handling = true;
    try {
      this.position = position;
      // Right after a reaction, as when the skipped events came in its batch: the stored
      // checkpoint then covers what the reaction's read covered.
      if (this.reactedLast || Date.now() - this.storedAt >= IDLE_CHECKPOINT_MS) await this.storeCheckpoint();
      else this.storeWhenIdle();
      this.reactedLast = false;
    } finally {
      this.handling = false;
      this.options.onProgress?.(this);
    }
  }

  /**
   * After a burst, no next batch may come to store what the last one
   * advanced: without this, the stored checkpoint (what ops and an HTTP-only
   * process see) stayed behind until the next event or a stop.
   */
  private storeWhenIdle(): void {
    if (this.idleTimer || this.stopped) return;
    const delay = Math.max(0, IDLE_CHECKPOINT_MS - (Date.now() - this.storedAt));
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.stopped) return;
      // A batch in flight stores (or schedules) it itself; two commits must not race.
      if (this.handling) return this.storeWhenIdle();
      this.storeCheckpoint().catch((error: unknown) => this.logger.warn(`checkpoint not stored: ${(error as Error).message}`));
    }, delay);
    this.idleTimer.unref();
  }

  private async storeCheckpoint(): Promise<void> {
    if (this.position !== null && this.position !== this.stored) await this.writeCheckpoint(this.position);
  }

  /** Writes the checkpoint (with any documents that go with it) and remembers what is stored. */
  private async writeCheckpoint(position: bigint, puts: WriteSet['puts'] = []): Promise<void> {
    await this.readStore.commit({ puts, deletes: [], checkpoints: [{ name: this.saga.name, position }] });
    this.stored = position;
    this.storedAt = Date.now();
  }

  private async react(event: RecordedEvent): Promise<void> {
    const attempts = this.options.attempts ?? 5;
    const backoff = this.options.backoffMs ?? 200;
    let outages = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const commands = await this.reactOnce(event);
        if (commands > 0) {
          // Checkpoint right after a reaction, so a crash later in the batch does not redo it.
          await this.writeCheckpoint(event.position);
        }
        return;
      } catch (error) {
        // Stopping: leave the event unchecked for the next start instead of parking a failure of the shutdown.
        if (this.stopped) throw error;
        if (isTransient(error)) {
          // A store outage: wait it out (capped backoff), however long; parking would skip a policy.
          this.logger.warn(`store unavailable while reacting to ${event.type} at ${event.position}, retrying: ${(error as Error).message}`);
          outages += 1;
          await new Promise((r) => setTimeout(r, Math.min(MAX_OUTAGE_BACKOFF_MS, backoff * 2 ** Math.min(outages - 1, 10))));
          if (this.stopped) throw error;
          attempt -= 1; // outages do not use up the attempts meant for the saga's own failures
          continue;
        }
        if (attempt >= attempts) {
          const doc = parkedEntry(this.saga.name, event, error);
          await this.writeCheckpoint(event.position, [{ collection: PARKED_COLLECTION, id: doc.id, doc: { ...doc } }]);
          this.parked += 1;
          this.options.onParked?.(this.parked);
          this.logger.error(`parked ${event.type} at ${event.position} after ${attempt} attempts: ${doc.error}`);
          return;
        }
        await new Promise((r) => setTimeout(r, backoff * 2 ** (attempt - 1)));
        if (this.stopped) throw error;
      }
    }
  }

  async info(): Promise<ProjectionInfo> {
    const head = await this.events.headPosition();
    const lag = lagOf(head, this.position);
    return { name: this.saga.name, position: this.position?.toString() ?? null, lag: lag.toString(), status: this.status, parked: this.parked };
  }

  /** True once the saga has handled `position` (tests and read-your-writes for saga effects). */
  reached(position: bigint): boolean {
    return this.position !== null && this.position >= position;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    await this.subscription?.stop();
    this.subscription = null;
    this.status = 'stopped';
    // What the last second of ignored events advanced; if this fails, they are just read again.
    await this.storeCheckpoint().catch((error: unknown) => this.logger.warn(`checkpoint not stored at stop: ${(error as Error).message}`));
  }
}
