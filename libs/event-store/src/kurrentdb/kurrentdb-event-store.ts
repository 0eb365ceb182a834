import type * as Kurrent from '@kurrent/kurrentdb-client';
import type {
  AllStreamRecordedEvent,
  AllStreamSubscription,
  AppendResult as ClientAppendResult,
  AppendStreamState,
  Direction,
  EventData,
  JSONEventType,
  JSONType,
  KurrentDBClient,
  ReadPosition,
  RecordedEvent as ClientRecordedEvent,
} from '@kurrent/kurrentdb-client';
import type {
  AppendResult,
  BatchHandler,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  RecordedEvent,
  StreamAppend,
  Subscription,
  SubscriptionOptions,
} from '../event-store.port';
import { ConcurrencyError, EventStoreUnavailableError, revisionMatches } from '../errors';

let loaded: typeof Kurrent | undefined;
/**
 * The client is required on first use, not imported: it brings gRPC and a native
 * addon that the embedded mode (and every test importing @mam/event-store) never needs.
 */
function kurrent(): typeof Kurrent {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('@kurrent/kurrentdb-client') as typeof Kurrent);
}

/**
 * KurrentDB adapter, a thin layer over @kurrent/kurrentdb-client 1.3.
 *
 * Positions: our global position is the event's commit position in $all. Every
 * event appended through gRPC is an implicitly committed prepare whose $all
 * position is (commit = prepare = its own log position), so commit positions
 * are unique and grow with the log, and {commit: p, prepare: p} is exactly the
 * position of the event at p. $all reads from a position are inclusive, so we
 * read from {p, p} and drop events with commit <= p. (Events of legacy explicit
 * transactions, written by the old TCP client, share one commit position; they
 * are not supported.) No map from commit to prepare is needed, and a checkpoint
 * stored by another process resumes correctly.
 *
 * System events (types starting with '$') are excluded everywhere: by the
 * server-side filter, and again here in case a server ignores it.
 */
export class KurrentDbEventStore implements EventStore {
  private readonly client: KurrentDBClient;
  private readonly subscriptions = new Set<Subscription>();
  private closing?: Promise<void>;

  constructor(connectionString: string, private readonly options: { retryDelayMs?: number } = {}) {
    this.client = kurrent().KurrentDBClient.connectionString(connectionString);
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) return this.checkOnly(streamId, expected);
    let result: ClientAppendResult;
    try {
      result = await this.client.appendToStream(streamId, events.map((e) => toEventData(e)), {
        streamState: toStreamState(expected),
      });
    } catch (error) {
      throw translate(error, () => [streamId, expected]);
    }
    // With throwOnAppendFailure=false in the connection string the client answers instead of throwing.
    if (!result.success) throw new ConcurrencyError(streamId, expected, revisionOrNull(result.nextExpectedRevision));
    const commit = result.position?.commit;
    return {
      nextRevision: result.nextExpectedRevision,
      // An idempotent repeat is answered without a position: look up the stored event's.
      position: isPosition(commit) ? commit : await this.positionOfRevision(streamId, result.nextExpectedRevision),
    };
  }

  /**
   * Needs KurrentDB 25.1+ (the client's multiStreamAppend). The server reports one
   * position for the whole append, which every result carries; and metadata must
   * be string-valued (the client's rule for this call).
   */
  async appendMany(appends: StreamAppend[]): Promise<AppendResult[]> {
    // An append without events writes nothing: its expectation is checked by a read.
    const checked = new Map<StreamAppend, AppendResult>();
    for (const a of appends) if (a.events.length === 0) checked.set(a, await this.checkOnly(a.streamId, a.expected));
    const writing = appends.filter((a) => !checked.has(a));
    if (writing.length === 0) return appends.map((a) => checked.get(a)!);
    let result: Kurrent.MultiAppendResult;
    try {
      result = await this.client.multiStreamAppend(
        writing.map((a) => ({
          streamName: a.streamId,
          expectedState: toStreamState(a.expected),
          events: a.events.map((e) => toEventData(e, true)),
        })),
      );
    } catch (error) {
      if (error instanceof kurrent().UnsupportedError) {
        throw new Error('appendMany needs KurrentDB 25.1+ (multi-stream append); this server does not support it', {
          cause: error,
        });
      }
      throw translate(error, (stream) => {
        const a = writing.find((w) => w.streamId === stream) ?? writing[0];
        return [a.streamId, a.expected];
      });
    }
    // One response per request, in request order.
    const responses = [...result.responses];
    return appends.map((a) => {
      const answer = checked.get(a);
      if (answer) return answer;
      const response = responses.shift();
      if (!response || response.streamName !== a.streamId) {
        throw new Error(`multiStreamAppend answered for ${response?.streamName}, expected ${a.streamId}`);
      }
      return { nextRevision: response.revision, position: result.position };
    });
  }

  async readStream(streamId: string, afterRevision?: bigint): Promise<RecordedEvent[]> {
    const { START, FORWARDS, StreamNotFoundError } = kurrent();
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, {
        fromRevision: afterRevision === undefined ? START : afterRevision + 1n,
        direction: FORWARDS,
      });
      for await (const { event } of read) if (event) events.push(toRecorded(event));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw translate(error);
    }
    return events;
  }

  async readAll({ after, limit }: ReadAllOptions): Promise<RecordedEvent[]> {
    const { START, FORWARDS } = kurrent();
    const from: ReadPosition = after === null ? START : { commit: after, prepare: after };
    const batch: RecordedEvent[] = [];
    if (limit <= 0) return batch;
    try {
      // The read from `after` includes the event at `after`: skipped here.
      for await (const event of this.scan(from, FORWARDS, limit)) {
        if (after !== null && event.position.commit <= after) continue;
        batch.push(toRecorded(event));
        if (batch.length === limit) break;
      }
    } catch (error) {
      throw translate(error);
    }
    return batch;
  }

  async headPosition(): Promise<bigint | null> {
    const { END, BACKWARDS } = kurrent();
    try {
      for await (const event of this.scan(END, BACKWARDS, 1)) return event.position.commit;
    } catch (error) {
      throw translate(error);
    }
    return null;
  }

  /**
   * Non-system events of $all from `from` on (inclusive), read in pages. Each
   * read asks for one more than `pageSize` because a read from where the last
   * one stopped returns that event again; a short page is the end of the log.
   */
  private async *scan(from: ReadPosition, direction: Direction, pageSize: number): AsyncGenerator<AllStreamRecordedEvent> {
    const { excludeSystemEvents, FORWARDS } = kurrent();
    const maxCount = pageSize + 1;
    let seen: bigint | null = null;
    for (;;) {
      let count = 0;
      let progressed = false;
      const page = this.client.readAll({ fromPosition: from, maxCount, direction, filter: excludeSystemEvents() });
      for await (const { event } of page) {
        count += 1;
        if (!event) continue;
        const commit = event.position.commit;
        if (seen !== null && (direction === FORWARDS ? commit <= seen : commit >= seen)) continue;
        seen = commit;
        progressed = true;
        from = event.position;
        if (!event.type.startsWith('$')) yield event;
      }
      if (count < maxCount || !progressed) return;
    }
  }

  subscribe(handler: BatchHandler, options: SubscriptionOptions): Subscription {
    const batchSize = options.batchSize ?? 500;
    const retryDelayMs = this.options.retryDelayMs ?? 500;
    let after = options.after;
    let stopped = false;
    let current: AllStreamSubscription | undefined;
    let wake: () => void = () => undefined;
    let caughtUp = false;
    const signalCaughtUp = () => {
      if (!caughtUp) {
        caughtUp = true;
        options.onCaughtUp?.();
      }
    };

    /** One server subscription from `after`, until it ends, fails or is stopped. */
    const follow = async (head: bigint | null): Promise<void> => {
      const { START, excludeSystemEvents } = kurrent();
      const sub = this.client.subscribeToAll({
        fromPosition: after === null ? START : { commit: after, prepare: after },
        filter: excludeSystemEvents(),
      });
      current = sub;
      let busy = false;
      // The server's caughtUp follows the catch-up events, which may still be
      // buffered: it counts once they have been handled.
      let serverCaughtUp = false;
      const maybeCaughtUp = () => {
        if (serverCaughtUp && !busy && sub.readableLength === 0) signalCaughtUp();
      };
      sub.on('caughtUp', () => {
        serverCaughtUp = true;
        maybeCaughtUp();
      });
      const events = sub[Symbol.asyncIterator]();
      try {
        while (!stopped) {
          const first = await events.next(); // backpressure: nothing more is taken while the handler runs
          if (first.done) return;
          busy = true;
          const batch = [first.value];
          while (batch.length < batchSize && sub.readableLength > 0) {
            const next = await events.next();
            if (next.done) break;
            batch.push(next.value);
          }
          const fresh = batch
            .map((r) => r.event)
            .filter((e): e is AllStreamRecordedEvent => !!e && !e.type.startsWith('$'))
            .filter((e) => after === null || e.position.commit > after)
            .map(toRecorded);
          if (fresh.length > 0) {
            try {
              await handler(fresh);
            } catch (error) {
              throw new HandlerError(error);
            }
            after = fresh[fresh.length - 1].position;
          }
          busy = false;
          // Servers that send no caughtUp: caught up once past the head seen at the start.
          if (head === null || (after !== null && after >= head)) signalCaughtUp();
          maybeCaughtUp();
        }
      } finally {
        current = undefined;
        await sub.unsubscribe().catch(() => undefined);
        sub.destroy();
      }
    };

    const run = async (): Promise<void> => {
      let delay = retryDelayMs;
      while (!stopped) {
        try {
          const head = await this.headPosition();
          const pending = head !== null && (after === null || head > after) ? head : null;
          if (pending === null) signalCaughtUp();
          await follow(pending);
          delay = retryDelayMs;
        } catch (error) {
          if (stopped) return;
          if (error instanceof HandlerError) throw error.cause;
          if (!isTransient(error)) throw translate(error);
          // Dropped connection: resubscribe from the last handled position after a growing pause.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, delay);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          delay = Math.min(delay * 2, 10_000);
        }
      }
    };

    const done = run().catch((error: unknown) => {
      stopped = true;
      options.onError?.(error);
    });
    const subscription: Subscription = {
      done,
      stop: async () => {
        stopped = true;
        wake();
        // Ends the iterator; a batch in flight is finished first.
        current?.destroy();
        await done;
      },
    };
    this.subscriptions.add(subscription);
    void done.then(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  /** A cheap read of the log head; throws EventStoreUnavailableError with the reason when there is no answer. */
  async ping(): Promise<boolean> {
    if (this.closing) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EventStoreUnavailableError('KurrentDB did not answer within 5s')), 5000);
    });
    try {
      await Promise.race([this.headPosition(), timeout]);
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await Promise.all([...this.subscriptions].map((s) => s.stop()));
      await this.client.dispose();
    })());
  }

  /** Checks an expectation without writing (an append of no events). */
  private async checkOnly(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const { END, BACKWARDS, StreamNotFoundError } = kurrent();
    let current: bigint | null = null;
    try {
      for await (const { event } of this.client.readStream(streamId, { fromRevision: END, direction: BACKWARDS, maxCount: 1 })) {
        if (event) current = event.revision;
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw translate(error);
    }
    if (!revisionMatches(expected, current)) throw new ConcurrencyError(streamId, expected, current);
    return { nextRevision: current ?? -1n, position: (await this.headPosition()) ?? 0n };
  }

  private async positionOfRevision(streamId: string, revision: bigint): Promise<bigint> {
    try {
      for await (const { event } of this.client.readStream(streamId, { fromRevision: revision, maxCount: 1 })) {
        if (event) return toRecorded(event).position;
      }
    } catch (error) {
      throw translate(error);
    }
    throw new Error(`stream ${streamId}: event ${revision} was reported appended but cannot be read`);
  }
}

/** Marks an error thrown by the consumer's handler, so it is not mistaken for a dropped connection. */
class HandlerError extends Error {
  constructor(override readonly cause: unknown) {
    super('handler failed');
  }
}

function toStreamState(expected: ExpectedRevision): AppendStreamState {
  const { ANY, NO_STREAM, STREAM_EXISTS } = kurrent();
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return expected;
}

/** Our event id is the KurrentDB event id: that is what makes repeats idempotent. */
function toEventData(e: NewEvent, stringMetadataOnly = false): EventData {
  const metadata = Object.fromEntries(Object.entries(e.metadata).filter(([, v]) => v !== undefined));
  if (stringMetadataOnly) {
    const bad = Object.entries(metadata).find(([, v]) => typeof v !== 'string');
    if (bad) throw new Error(`appendMany on KurrentDB: metadata.${bad[0]} must be a string (multi-stream append carries string metadata only)`);
  }
  return kurrent().jsonEvent<JSONEventType>({ id: e.id, type: e.type, data: e.data as JSONType, metadata });
}

function toRecorded(e: ClientRecordedEvent | AllStreamRecordedEvent): RecordedEvent {
  const position = e.position?.commit;
  if (!isPosition(position)) throw new Error(`event ${e.id} came without a position: KurrentDB 22.6+ is needed`);
  // '$'-prefixed metadata keys are the server's (it may add some to events written by multi-stream append).
  const metadata = Object.fromEntries(
    Object.entries((e.metadata ?? {}) as Record<string, unknown>).filter(([k]) => !k.startsWith('$')),
  ) as EventMetadata;
  return { id: e.id, type: e.type, streamId: e.streamId, revision: e.revision, position, data: e.data, metadata };
}

/** Servers answer "no position" with nothing, -1, or its unsigned form. */
function isPosition(p: bigint | undefined): p is bigint {
  return p !== undefined && p >= 0n && p < 2n ** 63n;
}

function revisionOrNull(revision: bigint | 'no_stream'): bigint | null {
  return revision === 'no_stream' || revision < 0n ? null : revision;
}

function isTransient(error: unknown): boolean {
  const k = kurrent();
  return (
    error instanceof k.UnavailableError ||
    error instanceof k.DeadlineExceededError ||
    error instanceof k.NotLeaderError ||
    error instanceof k.CancelledError ||
    error instanceof k.TimeoutError ||
    error instanceof k.UnknownError || // what the client makes of a reset connection
    error instanceof EventStoreUnavailableError ||
    (error instanceof Error && /discover|ECONNREFUSED|ECONNRESET|premature close/i.test(error.message))
  );
}

/** Maps client errors to ours: conflicts to ConcurrencyError, connection failures to EventStoreUnavailableError. */
function translate(
  error: unknown,
  conflictOf?: (stream: string) => [streamId: string, expected: ExpectedRevision],
): unknown {
  const k = kurrent();
  if (error instanceof k.WrongExpectedVersionError && conflictOf) {
    const [streamId, expected] = conflictOf(error.streamName);
    return new ConcurrencyError(streamId, expected, revisionOrNull(error.actualState));
  }
  if (isTransient(error) && !(error instanceof EventStoreUnavailableError)) {
    return new EventStoreUnavailableError(`KurrentDB unavailable: ${(error as Error).message}`, error);
  }
  return error;
}
