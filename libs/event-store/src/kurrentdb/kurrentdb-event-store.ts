import type * as Kurrent from '@kurrent/kurrentdb-client';
import type {
  AllStreamRecordedEvent,
  AllStreamResolvedEvent,
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
import {
  classifyFailure,
  hostsOf,
  leaderConnectionString,
  resolveOutcome,
  tailWindow,
  type TailEvent,
} from './kurrentdb-failures';
import { mergeAppends, splitResults } from './kurrentdb-merge';

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
  /** Appends, and the stream reads that decide them (on the leader in a cluster). */
  private readonly client: KurrentDBClient;
  /** $all reads and subscriptions: the connection string's own node preference. */
  private readonly logClient: KurrentDBClient;
  private readonly hosts: string;
  private readonly subscriptions = new Set<Subscription>();
  private closing?: Promise<void>;

  constructor(connectionString: string, private readonly options: { retryDelayMs?: number } = {}) {
    const { KurrentDBClient } = kurrent();
    const leader = leaderConnectionString(connectionString);
    this.client = KurrentDBClient.connectionString(leader);
    this.logClient = leader === connectionString ? this.client : KurrentDBClient.connectionString(connectionString);
    this.hosts = hostsOf(connectionString);
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) return this.checkOnly(streamId, expected);
    const request: StreamAppend = { streamId, events, expected };
    let result: ClientAppendResult;
    try {
      result = await this.client.appendToStream(streamId, events.map((e) => toEventData(e)), {
        streamState: toStreamState(expected),
      });
    } catch (error) {
      return (await this.afterFailedAppend([request], error, false))[0];
    }
    // With throwOnAppendFailure=false in the connection string the client answers instead of throwing.
    if (!result.success) {
      return (await this.afterFailedAppend([request], new ConcurrencyError(streamId, expected, revisionOrNull(result.nextExpectedRevision)), false))[0];
    }
    const commit = result.position?.commit;
    return {
      nextRevision: result.nextExpectedRevision,
      // An idempotent repeat is answered without a position: look up the stored event's.
      position: isPosition(commit) ? commit : await this.positionOfRevision(streamId, result.nextExpectedRevision),
    };
  }

  /**
   * An append failed: what does the failure mean? A conflict or an unknown
   * outcome is settled by reading where the events would be. Our ids there
   * means it was written (by this call or an earlier one: a repeat whose
   * expectation the server no longer recognises); not there means a
   * conflict is a conflict, a server-side timeout is an outage (the write
   * may still land; a retry with the same ids is deduplicated), and an
   * unknown error is the server refusing these events: retrying gives the
   * same answer, so it must not look like an outage.
   */
  private async afterFailedAppend(appends: StreamAppend[], error: unknown, multi: boolean): Promise<AppendResult[]> {
    const kind = error instanceof ConcurrencyError ? 'conflict' : classifyFailure(error);
    if (kind === 'transient') throw this.unavailable(error);
    if (kind === 'stream-deleted') {
      const stream = (error as { streamName?: string; stream?: string }).streamName ?? (error as { stream?: string }).stream;
      throw new Error(`KurrentDB: stream ${stream ?? appends[0].streamId} was deleted and cannot be written again`, { cause: error });
    }
    if (kind === 'permanent') throw error;
    const outcome = resolveOutcome(appends, await this.tails(appends), multi);
    if (outcome.written) return outcome.results;
    if (kind === 'conflict') throw await this.conflictOf(appends, error);
    if ((error as { type?: string }).type === 'timeout' || (error as { code?: number }).code === 10) throw this.unavailable(error);
    throw new AppendRejectedError(appends.map((a) => a.streamId), error);
  }

  /** The events where each append's events would be, in stream order. */
  private async tails(appends: StreamAppend[]): Promise<TailEvent[][]> {
    const { END, BACKWARDS, FORWARDS } = kurrent();
    return Promise.all(
      appends.map(async (a) => {
        const { from, count } = tailWindow(a);
        const events = await this.readRaw(a.streamId, {
          fromRevision: from === 'end' ? END : from,
          direction: from === 'end' ? BACKWARDS : FORWARDS,
          maxCount: count,
        });
        if (from === 'end') events.reverse();
        return events.map((e) => ({ id: e.id, revision: e.revision, position: e.position }));
      }),
    );
  }

  /** Names the stream whose expectation does not hold (the server's answer may name none). */
  private async conflictOf(appends: StreamAppend[], error: unknown): Promise<ConcurrencyError> {
    if (error instanceof ConcurrencyError && appends.some((a) => a.streamId === error.streamId)) return error;
    const named = (error as { streamName?: string }).streamName;
    const states = await Promise.all(appends.map(async (a) => ({ a, current: await this.currentRevision(a.streamId) })));
    const failing =
      states.find(({ a }) => a.streamId === named && named !== undefined) ??
      states.find(({ a, current }) => !revisionMatches(a.expected, current)) ??
      states[0];
    return new ConcurrencyError(failing.a.streamId, failing.a.expected, failing.current);
  }

  private unavailable(error: unknown): EventStoreUnavailableError {
    if (error instanceof EventStoreUnavailableError) return error;
    return new EventStoreUnavailableError(`no answer from KurrentDB at ${this.hosts} (${describe(error)})`, error);
  }

  /**
   * Needs KurrentDB 25.1+ (the client's multiStreamAppend). The server reports one
   * position for the whole append, which every result carries; and metadata must
   * be string-valued (the client's rule for this call).
   */
  async appendMany(appends: StreamAppend[]): Promise<AppendResult[]> {
    const merged = mergeAppends(appends);
    return splitResults(merged, await this.appendRequests(merged.requests));
  }

  /** One request per stream. */
  private async appendRequests(requests: StreamAppend[]): Promise<AppendResult[]> {
    // An append without events writes nothing: its expectation is checked by a read.
    const checked = new Map<StreamAppend, AppendResult>();
    for (const a of requests) if (a.events.length === 0) checked.set(a, await this.checkOnly(a.streamId, a.expected));
    const writing = requests.filter((a) => !checked.has(a));
    if (writing.length === 0) return requests.map((a) => checked.get(a)!);
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
      const written = await this.afterFailedAppend(writing, error, true);
      return requests.map((a) => checked.get(a) ?? written[writing.indexOf(a)]);
    }
    // Every event already stored (a repeat): the server may answer no position; the stored events have one.
    const written = isPosition(result.position)
      ? writing.map((a, i) => {
          // One response per request, in request order.
          const response = result.responses[i];
          if (!response || response.streamName !== a.streamId) {
            throw new Error(`multiStreamAppend answered for ${response?.streamName}, expected ${a.streamId}`);
          }
          return { nextRevision: response.revision, position: result.position };
        })
      : await this.storedResults(writing);
    return requests.map((a) => checked.get(a) ?? written[writing.indexOf(a)]);
  }

  private async storedResults(appends: StreamAppend[]): Promise<AppendResult[]> {
    const outcome = resolveOutcome(appends, await this.tails(appends), true);
    if (!outcome.written) throw new Error(`multiStreamAppend reported success without a position, and the events of ${appends[0].streamId} cannot be read`);
    return outcome.results;
  }

  async readStream(streamId: string, afterRevision?: bigint): Promise<RecordedEvent[]> {
    const { START, FORWARDS } = kurrent();
    return this.readRaw(streamId, { fromRevision: afterRevision === undefined ? START : afterRevision + 1n, direction: FORWARDS });
  }

  /**
   * The server has no read of several streams in one request: the reads go out
   * together on the client's one HTTP/2 connection (gRPC multiplexes them), at
   * most READ_STREAMS_IN_FLIGHT at a time, so a batch of 1000 waits for a few
   * round trips instead of 1000 in a row.
   */
  async readStreams(streamIds: readonly string[]): Promise<Map<string, RecordedEvent[]>> {
    const ids = [...new Set(streamIds)];
    const streams = new Map<string, RecordedEvent[]>(ids.map((id) => [id, []]));
    let next = 0;
    const reader = async (): Promise<void> => {
      while (next < ids.length) {
        const id = ids[next++];
        streams.set(id, await this.readStream(id));
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_STREAMS_IN_FLIGHT, ids.length) }, reader));
    return streams;
  }

  /** A stream read where a missing or deleted stream is an empty one (the port's missing stream). */
  private async readRaw(streamId: string, options: Kurrent.ReadStreamOptions): Promise<RecordedEvent[]> {
    const { StreamNotFoundError, StreamDeletedError } = kurrent();
    const events: RecordedEvent[] = [];
    try {
      for await (const { event } of this.client.readStream(streamId, options)) if (event) events.push(toRecorded(event));
    } catch (error) {
      if (error instanceof StreamNotFoundError || error instanceof StreamDeletedError) return [];
      throw this.translate(error);
    }
    return events;
  }

  private async currentRevision(streamId: string): Promise<bigint | null> {
    const { END, BACKWARDS } = kurrent();
    const [last] = await this.readRaw(streamId, { fromRevision: END, direction: BACKWARDS, maxCount: 1 });
    return last ? last.revision : null;
  }

  async readAll({ after, limit, eventTypes }: ReadAllOptions): Promise<RecordedEvent[]> {
    const { START, FORWARDS } = kurrent();
    const from: ReadPosition = after === null ? START : { commit: after, prepare: after };
    const batch: RecordedEvent[] = [];
    if (limit <= 0) return batch;
    const wanted = eventTypes && new Set(eventTypes);
    try {
      // The read from `after` includes the event at `after`: skipped here.
      for await (const event of this.scan(from, FORWARDS, limit, eventTypes)) {
        if (after !== null && event.position.commit <= after) continue;
        if (wanted && !wanted.has(event.type)) continue;
        batch.push(toRecorded(event));
        if (batch.length === limit) break;
      }
    } catch (error) {
      throw this.translate(error);
    }
    return batch;
  }

  async headPosition(): Promise<bigint | null> {
    const { END, BACKWARDS } = kurrent();
    try {
      for await (const event of this.scan(END, BACKWARDS, 1)) return event.position.commit;
    } catch (error) {
      throw this.translate(error);
    }
    return null;
  }

  /**
   * Non-system events of $all from `from` on (inclusive), read in pages. Each
   * read asks for one more than `pageSize` because a read from where the last
   * one stopped returns that event again; a short page is the end of the log.
   */
  private async *scan(
    from: ReadPosition,
    direction: Direction,
    pageSize: number,
    eventTypes?: readonly string[],
  ): AsyncGenerator<AllStreamRecordedEvent> {
    const { FORWARDS } = kurrent();
    const maxCount = pageSize + 1;
    let seen: bigint | null = null;
    for (;;) {
      let count = 0;
      let progressed = false;
      // The server filters: events of other types never cross the wire.
      const page = this.logClient.readAll({ fromPosition: from, maxCount, direction, filter: serverFilter(eventTypes) });
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
      const { START } = kurrent();
      // The server's checkpoint (every matching event up to it was sent) goes into the
      // subscription's own buffer, behind the events sent before it, so it is reported
      // only once they have been handled. The client awaits this in its stream transform.
      const checkpointReached = (subscription: AllStreamSubscription, position: Kurrent.Position): void => {
        subscription.push(new CheckpointMark(position.commit));
      };
      // The buffer holds a batch: with the default of 16 objects, batches never exceeded ~31 events.
      const sub = this.logClient.subscribeToAll(
        {
          fromPosition: after === null ? START : { commit: after, prepare: after },
          filter: serverFilter(options.eventTypes, options.eventTypes ? checkpointReached : undefined),
        },
        { highWaterMark: batchSize },
      );
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
      const wanted = options.eventTypes && new Set(options.eventTypes);
      const items = sub[Symbol.asyncIterator]() as AsyncIterator<AllStreamResolvedEvent | CheckpointMark>;
      try {
        while (!stopped) {
          const first = await items.next(); // backpressure: nothing more is taken while the handler runs
          if (first.done) return;
          busy = true;
          const batch = [first.value];
          // A checkpoint ends the batch: it covers what came before it.
          while (batch.length < batchSize && sub.readableLength > 0 && !(batch[batch.length - 1] instanceof CheckpointMark)) {
            const next = await items.next();
            if (next.done) break;
            batch.push(next.value);
          }
          const mark = batch[batch.length - 1] instanceof CheckpointMark ? (batch.pop() as CheckpointMark) : null;
          const fresh = (batch as AllStreamResolvedEvent[])
            .map((r) => r.event)
            .filter((e): e is AllStreamRecordedEvent => !!e && !e.type.startsWith('$') && (!wanted || wanted.has(e.type)))
            .filter((e) => after === null || e.position.commit > after)
            .map(toRecorded);
          try {
            if (fresh.length > 0) {
              await handler(fresh);
              after = fresh[fresh.length - 1].position;
            }
            if (mark && !stopped && (after === null || mark.commit > after)) {
              await options.onCheckpoint?.(mark.commit);
              after = mark.commit;
            }
          } catch (error) {
            throw new HandlerError(error);
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
          if (classifyFailure(error) !== 'transient' && !(error instanceof EventStoreUnavailableError)) throw this.translate(error);
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
      timer = setTimeout(() => reject(new EventStoreUnavailableError(`KurrentDB at ${this.hosts} did not answer within 5s`)), 5000);
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
      if (this.logClient !== this.client) await this.logClient.dispose();
    })());
  }

  /** Reads: an outage becomes the port's unavailable error; anything else is what it is. */
  private translate(error: unknown): unknown {
    return classifyFailure(error) === 'transient' ? this.unavailable(error) : error;
  }

  /** Checks an expectation without writing (an append of no events). */
  private async checkOnly(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const current = await this.currentRevision(streamId);
    if (!revisionMatches(expected, current)) throw new ConcurrencyError(streamId, expected, current);
    return { nextRevision: current ?? -1n, position: (await this.headPosition()) ?? 0n };
  }

  private async positionOfRevision(streamId: string, revision: bigint): Promise<bigint> {
    const [event] = await this.readRaw(streamId, { fromRevision: revision, maxCount: 1 });
    if (event) return event.position;
    throw new Error(`stream ${streamId}: event ${revision} was reported appended but cannot be read`);
  }
}

/**
 * The server-side filter: the given event types exactly (a regex, since the
 * client's prefixes would also match longer names), or every non-system event.
 * Checkpoints come at every search window (the server's default page of
 * events examined), so a rare type's subscriber moves on across skipped stretches.
 */
function serverFilter(
  eventTypes: readonly string[] | undefined,
  checkpointReached?: (subscription: AllStreamSubscription, position: Kurrent.Position) => void,
): Kurrent.Filter {
  const { eventTypeFilter, excludeSystemEvents } = kurrent();
  if (!eventTypes) return excludeSystemEvents();
  const regex = eventTypes.length === 0 ? '^(?!)' : `^(?:${eventTypes.map(escapeRegex).join('|')})$`;
  return eventTypeFilter({ regex, checkpointInterval: 1, ...(checkpointReached ? { checkpointReached } : {}) });
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A filter checkpoint, in the subscription's buffer among the events. */
class CheckpointMark {
  constructor(readonly commit: bigint) {}
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

/** Stream reads in flight at once for one readStreams: enough to hide the round trip, few enough not to flood the server. */
const READ_STREAMS_IN_FLIGHT = 32;

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

/** The server refused the events of an append (e.g. a server-side rule): not an outage, and not worth retrying. */
export class AppendRejectedError extends Error {
  constructor(readonly streamIds: string[], override readonly cause: unknown) {
    super(`KurrentDB refused the append to ${streamIds.join(', ')} (nothing was written): ${describe(cause)}`);
    this.name = 'AppendRejectedError';
  }
}

function describe(error: unknown): string {
  const e = error as { message?: string; type?: string; constructor?: { name?: string } } | null;
  // The client's errors built from its native reads carry their class name as the message.
  const message = e?.message && e.message !== e.constructor?.name ? e.message : '';
  return [e?.type, message].filter(Boolean).join(': ') || String(error);
}
