import type {
  AppendResult,
  BatchHandler,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  RecordedEvent,
  StreamAppend,
  Subscription,
  SubscriptionOptions,
} from '../event-store.port';
import { ConcurrencyError, revisionMatches } from '../errors';
import { idempotentRepeat } from '../idempotent-repeat';
import { AppendSignal, trackedPollingSubscription, type FilteredRead } from '../catch-up-subscription';

/** Events examined per filtered subscription read: small, so tests see the scan go on across reads. */
const FILTER_WINDOW = 64;

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
    // In turn, as the embedded store's transaction does (a stream named twice sees its first
    // append), and all or nothing: a failure takes back what this call wrote.
    const logLength = this.log.length;
    try {
      const results = appends.map((a) => this.plan(a) ?? this.write(a));
      this.signal.notify();
      return results;
    } catch (error) {
      for (const e of this.log.splice(logLength)) {
        this.byId.delete(e.id);
        const stream = this.streams.get(e.streamId)!;
        stream.pop();
        if (stream.length === 0) this.streams.delete(e.streamId);
      }
      throw error;
    }
  }

  private plan({ streamId, events, expected }: StreamAppend): AppendResult | null {
    const stream = this.streams.get(streamId);
    const current = stream ? BigInt(stream.length - 1) : null;
    const repeat = idempotentRepeat(streamId, events.map((e) => e.id), (id) => this.byId.get(id), expected, current);
    if (repeat) return repeat;
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

  async readStreams(streamIds: readonly string[]): Promise<Map<string, RecordedEvent[]>> {
    const streams = new Map<string, RecordedEvent[]>();
    for (const id of streamIds) if (!streams.has(id)) streams.set(id, (this.streams.get(id) ?? []).map((e) => structuredClone(e)));
    return streams;
  }

  async readAll({ after, limit, eventTypes }: ReadAllOptions): Promise<RecordedEvent[]> {
    const from = after === null ? 0 : Number(after);
    if (!eventTypes) return this.log.slice(from, from + limit).map((e) => structuredClone(e));
    return (await this.readFiltered({ after, limit, eventTypes }, this.log.length)).events;
  }

  /** Matching events after `after`, examining at most `window` of them (the embedded store's bounded scan, in small). */
  private async readFiltered(
    { after, limit, eventTypes }: { after: bigint | null; limit: number; eventTypes: readonly string[] },
    window = FILTER_WINDOW,
  ): Promise<FilteredRead> {
    const types = new Set(eventTypes);
    const from = after === null ? 0 : Number(after);
    const upTo = Math.min(this.log.length, from + window);
    const events: RecordedEvent[] = [];
    for (let i = from; i < upTo && events.length < limit; i++) {
      if (types.has(this.log[i].type)) events.push(structuredClone(this.log[i]));
    }
    const full = events.length === limit;
    const through = full ? events[events.length - 1].position : upTo === 0 ? null : BigInt(upTo);
    return { events, through, end: !full && upTo === this.log.length };
  }

  async headPosition(): Promise<bigint | null> {
    return this.log.length === 0 ? null : BigInt(this.log.length);
  }

  subscribe(handler: BatchHandler, options: SubscriptionOptions): Subscription {
    const source = {
      readAll: (o: ReadAllOptions) => this.readAll(o),
      readFiltered: (o: { after: bigint | null; limit: number; eventTypes: readonly string[] }) => this.readFiltered(o),
      waitForAppend: (ms: number, since?: number) => this.signal.wait(ms, since),
      version: () => this.signal.version(),
    };
    return trackedPollingSubscription(this.subscriptions, source, handler, options);
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
