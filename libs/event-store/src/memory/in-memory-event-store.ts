import type {
  AppendResult,
  BatchHandler,
  EventStore,
  ExpectedRevision,
  NewEvent,
  RecordedEvent,
  StreamAppend,
  Subscription,
  SubscriptionOptions,
} from '../event-store.port';
import { ConcurrencyError, IdempotencyConflictError, revisionMatches } from '../errors';
import { AppendSignal, pollingSubscription } from '../catch-up-subscription';

/** For unit tests only: nothing survives the process. Same rules as the embedded store. */
export class InMemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byId = new Map<string, RecordedEvent>();
  private readonly signal = new AppendSignal();
  private readonly subscriptions = new Set<Subscription>();

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return (await this.appendMany([{ streamId, events, expected }]))[0];
  }

  async appendMany(appends: StreamAppend[]): Promise<AppendResult[]> {
    // Check everything first, then write: all or nothing.
    const plans = appends.map((a) => this.plan(a));
    const results = plans.map((plan, i) => plan ?? this.write(appends[i]));
    this.signal.notify();
    return results;
  }

  private plan({ streamId, events, expected }: StreamAppend): AppendResult | null {
    const stream = this.streams.get(streamId);
    const current = stream ? BigInt(stream.length - 1) : null;
    const found = events.map((e) => this.byId.get(e.id));
    const present = found.filter((f) => f !== undefined);
    if (events.length > 0 && present.length === events.length) {
      const first = found[0]!.revision;
      const ok = found.every((f, i) => f!.streamId === streamId && f!.revision === first + BigInt(i));
      const expectedFirst = typeof expected === 'bigint' ? expected + 1n : expected === 'no_stream' ? 0n : null;
      if (!ok || (expectedFirst !== null && first !== expectedFirst)) {
        throw new ConcurrencyError(streamId, expected, current);
      }
      const last = found[found.length - 1]!;
      return { nextRevision: last.revision, position: last.position };
    }
    if (present.length > 0) throw new IdempotencyConflictError(streamId, events[0].id);
    if (!revisionMatches(expected, current)) throw new ConcurrencyError(streamId, expected, current);
    return null;
  }

  private write({ streamId, events }: StreamAppend): AppendResult {
    // An empty append must not create the stream: it would then exist with no
    // events and a revision of -1, and a later 'no_stream' append would fail.
    if (events.length === 0) {
      const current = this.streams.get(streamId);
      return { nextRevision: BigInt((current?.length ?? 0) - 1), position: BigInt(this.log.length) };
    }
    const stream = this.streams.get(streamId) ?? [];
    this.streams.set(streamId, stream);
    for (const e of events) {
      const recorded: RecordedEvent = {
        ...structuredClone(e),
        streamId,
        revision: BigInt(stream.length),
        position: BigInt(this.log.length + 1),
      };
      stream.push(recorded);
      this.log.push(recorded);
      this.byId.set(e.id, recorded);
    }
    return {
      nextRevision: BigInt(stream.length - 1),
      position: BigInt(this.log.length),
    };
  }

  async readStream(streamId: string, afterRevision?: bigint): Promise<RecordedEvent[]> {
    const stream = this.streams.get(streamId) ?? [];
    const from = afterRevision === undefined ? 0 : Number(afterRevision) + 1;
    return stream.slice(from).map((e) => structuredClone(e));
  }

  async readAll({ after, limit }: { after: bigint | null; limit: number }): Promise<RecordedEvent[]> {
    const from = after === null ? 0 : Number(after);
    return this.log.slice(from, from + limit).map((e) => structuredClone(e));
  }

  async headPosition(): Promise<bigint | null> {
    return this.log.length === 0 ? null : BigInt(this.log.length);
  }

  subscribe(handler: BatchHandler, options: SubscriptionOptions): Subscription {
    const sub = pollingSubscription(
      { readAll: (o) => this.readAll(o), waitForAppend: (ms) => this.signal.wait(ms) },
      handler,
      options,
    );
    this.subscriptions.add(sub);
    void sub.done.then(() => this.subscriptions.delete(sub));
    return sub;
  }

  async ping(): Promise<boolean> {
    return true;
  }

  /** Ends open subscriptions: without this their poll loops would run forever. */
  async close(): Promise<void> {
    const stopping = [...this.subscriptions].map((s) => s.stop());
    this.signal.notify();
    await Promise.all(stopping);
  }
}
