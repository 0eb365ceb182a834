import { Logger } from '@nestjs/common';
import type { EventStore, RecordedEvent, Subscription } from '@mam/event-store';
import { CheckpointMovedError, type ReadStore } from '@mam/read-store';
import type { Projection } from './projection';
import { ReadModelBatch } from './read-model-batch';
import { PARKED_COLLECTION, parkedEntry } from './parked-events';
import { isTransient } from '../commands/transient-errors';


/**
 * Under a steady stream of appends, the live subscription reads at most
 * every 8 ms: at 1000 appends/s a batch then holds about nine events and
 * one read-store commit serves them all, instead of one per 1.5 events.
 * An append after a quiet spell is still read at once. (At 1000 updates/s,
 * 8 ms gave a steadier p99 than 4 ms, and 12 ms no better than 8.)
 */
export const LIVE_LINGER_MS = 8;
/**
 * Documents per read-store commit, checked between events: a MongoDB
 * transaction of this many upserts takes seconds, far from the server's 60 s
 * limit. (One event that writes more, such as a back-fill, still commits whole.)
 */
export const MAX_DOCUMENTS_PER_COMMIT = 20_000;

/**
 * Events per batch when a runner rebuilds from the first event (the ops CLI,
 * the bench). A batch's events and documents stay alive until its commit;
 * past ~1000 they outgrow V8's young generation (16 MB semi-spaces), get
 * promoted and cost full collections. CPU of the same rebuild, runs taken
 * in turn on a loaded machine: 500k account events 6.6-10.0 s at 1000,
 * 8.5-9.6 s at 2000, 9.9-12.2 s at 5000; 75k CRM events 4.6 s at 1000,
 * 5.0-5.5 s at 2000.
 */
export const REBUILD_BATCH_SIZE = 1000;
type Parked = { projection: string; event: RecordedEvent; error: unknown };
/** Distance in positions to the head (positions are ordered, not contiguous: not an event count). */
export function lagOf(head: bigint | null, position: bigint | null): bigint {
  if (head === null) return 0n;
  if (position === null) return head;
  return head > position ? head - position : 0n;
}

function laterOf(a: bigint | null, b: bigint): bigint {
  return a !== null && a > b ? a : b;
}

/** `elsewhere`: run by another process (RUN_PROJECTIONS=false here); the position is its stored checkpoint. */
export type ProjectionStatus = 'starting' | 'catching-up' | 'live' | 'retrying' | 'stopped' | 'elsewhere';

export interface ProjectionInfo {
  name: string;
  position: string | null;
  lag: string;
  status: ProjectionStatus;
  parked: number;
}

interface Waiter {
  position: bigint;
  names: readonly string[];
  /** Settles the wait and clears its timeout (a thousand waits a second must not leave a thousand timers behind). */
  settle: (ok: boolean) => void;
}

/**
 * Feeds a group of projections from one catch-up subscription: each batch is
 * applied to an in-memory unit of work and committed with every projection's
 * checkpoint in one read-store write, so a crash anywhere replays the whole
 * batch and nothing is applied twice or skipped.
 *
 * A projection that throws on an event has that event parked (stored with
 * the error, visible to ops and retried by them) and the batch goes on: one
 * bad event must not stop every read model behind it. A store that fails
 * (a read, or the commit) is not the event's fault: the batch is dropped and
 * the subscription restarts from the stored checkpoints with backoff.
 */
export class ProjectionRunner {
  private readonly logger: Logger;
  private readonly positions = new Map<string, bigint | null>();
  private readonly parkedCounts = new Map<string, number>();
  private subscription: Subscription | null = null;
  private waiters = new Set<Waiter>();
  private status: ProjectionStatus = 'stopped';
  private stopped = true;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  /** Per event type, the projections that read it, in their order: the others are never looked at for it. */
  private readonly readersOf = new Map<string, Projection[]>();

  constructor(
    readonly name: string,
    private readonly events: EventStore,
    private readonly readStore: ReadStore,
    readonly projections: Projection[],
    private readonly options: { batchSize?: number; onCommitted?: (runner: ProjectionRunner) => void } = {},
  ) {
    this.logger = new Logger(`Projections:${name}`);
    for (const p of projections) {
      for (const type of p.eventTypes) {
        const readers = this.readersOf.get(type);
        if (readers) readers.push(p);
        else this.readersOf.set(type, [p]);
      }
    }
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.status = 'starting';
    await this.loadCheckpoints();
    this.subscribe();
  }

  /** Reads the stored checkpoints and parked counts (also for ops, without running). */
  async loadCheckpoints(): Promise<void> {
    await this.readStore.ensureCollections([
      ...this.projections.flatMap((p) => p.collections),
      { name: PARKED_COLLECTION, indexes: [['projection']] },
    ]);
    for (const p of this.projections) {
      this.positions.set(p.name, await this.readStore.checkpoint(p.name));
      this.parkedCounts.set(p.name, (await this.readStore.find(PARKED_COLLECTION, { projection: p.name })).length);
    }
    this.wakeWaiters();
  }

  /**
   * Forgets the positions held in memory (the runner must be stopped): while
   * readers switch to another generation, a read-your-writes wait must wait
   * for that generation's checkpoints, not pass on the old one's.
   */
  forgetPositions(): void {
    for (const p of this.projections) this.positions.set(p.name, null);
  }

  private subscribe(): void {
    if (this.stopped) return;
    this.status = 'catching-up';
    const after = this.lowestPosition();
    this.subscription = this.events.subscribe((batch) => this.handle(batch), {
      after,
      batchSize: this.options.batchSize ?? 1000,
      lingerMs: LIVE_LINGER_MS,
      onCaughtUp: () => {
        if (this.status === 'catching-up') this.status = 'live';
      },
      onError: (error) => this.retry(error),
    });
  }

  private retry(error: unknown): void {
    this.subscription = null;
    if (this.stopped) return;
    this.failures += 1;
    const delay = Math.min(30_000, 100 * 2 ** Math.min(this.failures, 9));
    this.status = 'retrying';
    if (error instanceof CheckpointMovedError) {
      this.logger.warn(`${error.message} (is a second process running these projections?); resuming from the stored checkpoints in ${delay} ms`);
    } else {
      this.logger.error(`batch failed, retrying in ${delay} ms: ${(error as Error)?.message ?? error}`);
    }
    this.retryTimer = setTimeout(() => void this.resume(), delay);
  }

  /** Resubscribes from the stored checkpoints: another process may have moved them on. */
  private async resume(): Promise<void> {
    try {
      await this.loadCheckpoints();
    } catch (error) {
      return this.retry(error);
    }
    if (!this.stopped) this.subscribe();
  }

  private lowestPosition(): bigint | null {
    let lowest: bigint | undefined;
    for (const p of this.positions.values()) {
      if (p === null) return null;
      if (lowest === undefined || p < lowest) lowest = p;
    }
    return lowest ?? null;
  }

  private async handle(batch: RecordedEvent[]): Promise<void> {
    let tx = new ReadModelBatch(this.readStore);
    await tx.prefetch(this.projections.flatMap((p) => p.prefetch?.(batch) ?? []));
    for (const p of this.projections) await this.prepare(p, batch, tx);
    let parked: Parked[] = [];
    const ahead = this.aheadOf(batch[0].position);
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i];
      // Past the cap, what is pending is committed at this event boundary with checkpoints at the
      // event before: no read-store transaction grows near MongoDB's 60 s limit.
      if (i > 0 && tx.size >= MAX_DOCUMENTS_PER_COMMIT) {
        await this.commitThrough(batch[i - 1].position, tx, parked);
        tx = new ReadModelBatch(this.readStore);
        parked = [];
      }
      const pause = tx.maybeYield();
      if (pause) await pause;
      const readers = this.readersOf.get(event.type);
      if (!readers) continue;
      for (const p of readers) {
        if (ahead) {
          const done = ahead.get(p.name);
          if (done !== undefined && event.position <= done) continue;
        }
        tx.begin();
        try {
          const pending = p.apply(event, tx);
          if (pending) await pending;
          tx.commitEvent();
        } catch (error) {
          tx.rollbackEvent();
          // A store outage fails the whole batch (retried from the checkpoint); only the code's own failures park.
          if (isTransient(error)) throw error;
          parked.push({ projection: p.name, event, error });
        }
      }
    }
    await this.commitThrough(batch[batch.length - 1].position, tx, parked);
  }

  /**
   * The projections that have already applied events from `first` on (after
   * a rebuild of others, a parked retry, or a new projection), with their
   * positions; null in the usual case, where none has. Positions only move
   * at a commit, to at least the batch's last committed event, so the
   * answer holds for the whole batch.
   */
  private aheadOf(first: bigint): Map<string, bigint> | null {
    let ahead: Map<string, bigint> | null = null;
    for (const p of this.projections) {
      const done = this.positions.get(p.name);
      if (done !== null && done !== undefined && done >= first) (ahead ??= new Map()).set(p.name, done);
    }
    return ahead;
  }

  /** A projection's batch reads: only the store's failure fails the batch (`apply` parks an event it cannot handle). */
  private async prepare(p: Projection, batch: RecordedEvent[], tx: ReadModelBatch): Promise<void> {
    try {
      await p.prepare?.(batch, tx);
    } catch (error) {
      if (isTransient(error)) throw error;
    }
  }

  /** Commits the unit of work with every projection's checkpoint at `last`. */
  private async commitThrough(last: bigint, tx: ReadModelBatch, parked: Parked[]): Promise<void> {
    for (const entry of parked) {
      const doc = parkedEntry(entry.projection, entry.event, entry.error);
      tx.put(PARKED_COLLECTION, doc.id, doc);
      this.logger.error(`parked ${entry.event.type} at ${entry.event.position} in ${entry.projection}: ${doc.error}`);
    }
    // Each projection keeps its own maximum: one that is ahead of this batch (after a rebuild of
    // others, a parked retry, or a new projection) must not be moved back and re-apply events.
    // Each checkpoint is expected where this runner left it: if another process's runner of the
    // same projection committed meanwhile, the commit applies nothing (CheckpointMovedError).
    const checkpoints = this.projections.map((p) => {
      const done = this.positions.get(p.name) ?? null;
      return { name: p.name, position: laterOf(done, last), expected: done };
    });
    await this.readStore.commit(tx.toWriteSet(checkpoints));
    this.failures = 0;
    for (const c of checkpoints) this.positions.set(c.name, c.position);
    for (const entry of parked) this.parkedCounts.set(entry.projection, (this.parkedCounts.get(entry.projection) ?? 0) + 1);
    this.wakeWaiters();
    this.options.onCommitted?.(this);
  }

  /** Read-your-writes: resolves true once every named projection has processed `position`, false after `timeoutMs`. */
  waitFor(position: bigint, names: readonly string[], timeoutMs: number): Promise<boolean> {
    if (this.reached(position, names)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => waiter.settle(this.reached(position, names)), timeoutMs).unref();
      const waiter: Waiter = {
        position,
        names,
        settle: (ok) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(ok);
        },
      };
      this.waiters.add(waiter);
    });
  }

  private reached(position: bigint, names: readonly string[]): boolean {
    return names.every((n) => {
      const p = this.positions.get(n);
      return p !== undefined && p !== null && p >= position;
    });
  }

  private wakeWaiters(): void {
    for (const w of this.waiters) if (this.reached(w.position, w.names)) w.settle(true);
  }

  has(name: string): boolean {
    return this.positions.has(name);
  }

  async info(): Promise<ProjectionInfo[]> {
    const head = await this.events.headPosition();
    return this.projections.map((p) => {
      const position = this.positions.get(p.name) ?? null;
      const lag = lagOf(head, position);
      return {
        name: p.name,
        position: position === null ? null : position.toString(),
        lag: lag.toString(),
        status: this.status,
        parked: this.parkedCounts.get(p.name) ?? 0,
      };
    });
  }

  /** `keepWaiters`: a pause (switching generations), not an end: read-your-writes waits go on. */
  async stop(options: { keepWaiters?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.subscription?.stop();
    this.subscription = null;
    this.status = 'stopped';
    if (options.keepWaiters) return;
    for (const w of this.waiters) w.settle(false);
  }
}
