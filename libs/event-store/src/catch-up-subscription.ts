import type { BatchHandler, RecordedEvent, Subscription, SubscriptionOptions } from './event-store.port';

export interface PollSource {
  readAll(options: { after: bigint | null; limit: number }): Promise<RecordedEvent[]>;
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
  let caughtUp = false;
  let lastRead = -Infinity;

  const run = async (): Promise<void> => {
    while (!stopped) {
      const seen = source.version?.();
      lastRead = performance.now();
      const batch = await source.readAll({ after, limit: batchSize });
      if (stopped) return;
      if (batch.length > 0) {
        await handler(batch);
        after = batch[batch.length - 1].position;
        // A full batch may have more behind it; a short one was the end when it was read,
        // so wait (no empty read per append, which live subscriptions would do all day).
        if (batch.length === batchSize || seen === undefined) continue;
      }
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
