import type { BatchHandler, RecordedEvent, Subscription, SubscriptionOptions } from './event-store.port';

/** One filtered read: the matching events, and how far the log was examined. */
export interface FilteredRead {
  events: RecordedEvent[];
  /** Every matching event up to here is in `events` (null: the log is empty). */
  through: bigint | null;
  /** Nothing was stored past `through` when it was read. */
  end: boolean;
}

export interface PollSource {
  readAll(options: { after: bigint | null; limit: number }): Promise<RecordedEvent[]>;
  /**
   * At most `limit` events of `eventTypes` after `after`. May stop short of
   * the head (a bounded scan per read, so one read never blocks for long):
   * then `end` is false and the next read goes on from `through`.
   */
  readFiltered(options: { after: bigint | null; limit: number; eventTypes: readonly string[] }): Promise<FilteredRead>;
  /**
   * Resolves when new events may be there, or after `timeoutMs` (other
   * processes may append too). With `since` (a `version()` taken before the
   * last read), resolves at once if anything was appended after it.
   */
  waitForAppend(timeoutMs: number, since?: number): Promise<void>;
  /** Grows with every append in this process. */
  version?(): number;
}

/**
 * A catch-up subscription for stores that can be polled cheaply (embedded,
 * in-memory): read batches until the end, then sleep until an append is
 * signalled in this process or a short timeout passes (an append by another
 * process, such as the ops CLI, is noticed within `idlePollMs`).
 */
export function pollingSubscription(
  source: PollSource,
  handler: BatchHandler,
  options: SubscriptionOptions,
  idlePollMs = 100,
): Subscription {
  let stopped = false;
  let after = options.after;
  const batchSize = options.batchSize ?? 500;
  const lingerMs = options.lingerMs ?? 0;
  const eventTypes = options.eventTypes;
  let caughtUp = false;
  let lastRead = -Infinity;

  const read = async (): Promise<FilteredRead> => {
    if (eventTypes) return source.readFiltered({ after, limit: batchSize, eventTypes });
    const events = await source.readAll({ after, limit: batchSize });
    return { events, through: events.length > 0 ? events[events.length - 1].position : after, end: events.length < batchSize };
  };

  const run = async (): Promise<void> => {
    while (!stopped) {
      const seen = source.version?.();
      const readAt = performance.now();
      const { events, through, end } = await read();
      if (stopped) return;
      let progressed = false;
      if (events.length > 0) {
        await handler(events);
        after = events[events.length - 1].position;
        progressed = true;
      }
      // Skipped events past the last delivered one: the consumer may store the position,
      // so that it never scans them again (and knows it has seen them).
      if (through !== null && (after === null || through > after) && !stopped) {
        await options.onCheckpoint?.(through);
        after = through;
        progressed = true;
      }
      // The linger runs from the last read that brought something: an idle poll's empty read
      // must not hold back the first append after a quiet spell.
      if (progressed) lastRead = readAt;
      // A full read may have more behind it; a short one was the end when it was read,
      // so wait (no empty read per append, which live subscriptions would do all day).
      if (!end || (seen === undefined && progressed)) continue;
      if (!caughtUp) {
        caughtUp = true;
        options.onCaughtUp?.();
      }
      await source.waitForAppend(idlePollMs, seen);
      const early = lastRead + lingerMs - performance.now();
      if (early > 0 && !stopped) await new Promise((r) => setTimeout(r, early));
    }
  };

  const done = run().catch((error: unknown) => {
    stopped = true;
    options.onError?.(error);
  });

  return {
    done,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

/** A broadcast signal: every waiter wakes at the next `notify()` or at its timeout. */
export class AppendSignal {
  private waiters: Array<() => void> = [];
  private count = 0;

  /** How many notifications so far: a waiter that read before a notification does not sleep through it. */
  version(): number {
    return this.count;
  }

  notify(): void {
    this.count += 1;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  wait(timeoutMs: number, since?: number): Promise<void> {
    if (since !== undefined && since !== this.count) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.waiters = self.waiters.filter((w) => w !== done);
        resolve();
      }
      this.waiters.push(done);
    });
  }
}

/** A polling subscription that `set` tracks until it ends, so that `close()` can stop every one still open. */
export function trackedPollingSubscription(
  set: Set<Subscription>,
  source: PollSource,
  handler: BatchHandler,
  options: SubscriptionOptions,
): Subscription {
  const sub = pollingSubscription(source, handler, options);
  set.add(sub);
  void sub.done.then(() => set.delete(sub));
  return sub;
}
