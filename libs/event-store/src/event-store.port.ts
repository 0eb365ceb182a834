/**
 * The event store port. Every adapter (embedded SQLite, in-memory, KurrentDB)
 * keeps these promises, pinned by the shared contract suite in @mam/testing.
 *
 * Positions are bigints: KurrentDB's commit positions are 64-bit log offsets.
 * They only ever grow; they are NOT promised to be contiguous, so no code may
 * count events by subtracting positions.
 */

/** Expected state of a stream for an append (optimistic concurrency). */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface EventMetadata {
  /** The request or process that this event belongs to. */
  correlationId?: string;
  /** The event or command id that caused this event (saga reactions). */
  causationId?: string;
  /** The user who acted, when a user did. */
  actorUserId?: string;
  /** When the fact happened (ISO 8601); set by the command handler, never by the domain. */
  at: string;
  [key: string]: unknown;
}

export interface NewEvent<T extends string = string, D = unknown> {
  /** Unique id; a repeated append of the same ids is idempotent. */
  id: string;
  type: T;
  data: D;
  metadata: EventMetadata;
}

export interface RecordedEvent<T extends string = string, D = unknown> extends NewEvent<T, D> {
  streamId: string;
  /** 0-based revision within the stream. */
  revision: bigint;
  /** Global position in the log (grows, not necessarily contiguous). */
  position: bigint;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  nextRevision: bigint;
  /** Global position of the last event appended (or of the existing ones on an idempotent repeat). */
  position: bigint;
}

export interface StreamAppend {
  streamId: string;
  expected: ExpectedRevision;
  events: NewEvent[];
}

export interface ReadAllOptions {
  /** Exclusive lower bound: events strictly after this position. `null` = from the start. */
  after: bigint | null;
  /** Maximum number of events in the batch. */
  limit: number;
  /**
   * Only events of these types (absent: every event). The store filters
   * natively and does not decode the events it skips; a batch shorter than
   * `limit` is still the end of the log.
   */
  eventTypes?: readonly string[];
}

export type BatchHandler = (batch: RecordedEvent[]) => Promise<void>;

export interface SubscriptionOptions {
  /** Deliver events strictly after this position; `null` = from the start. */
  after: bigint | null;
  batchSize?: number;
  /**
   * Under a steady stream of appends, reads at least this far apart, so that
   * batches grow instead of reads and commits multiplying; an append after a
   * quiet spell is read at once. (Polling stores; a pushing store batches
   * whatever has arrived anyway.)
   */
  lingerMs?: number;
  /** Called once when the subscription has delivered everything present at start. */
  onCaughtUp?: () => void;
  /** Called when the handler throws; the subscription stops after it. */
  onError?: (error: unknown) => void;
  /**
   * Only events of these types are delivered (absent: every event). The
   * store filters natively (a WHERE on the type, KurrentDB's server-side
   * filter) and does not decode the events it skips.
   */
  eventTypes?: readonly string[];
  /**
   * With `eventTypes`: awaited, in order with the batches, with a position up
   * to which every matching event has been delivered, when the store has
   * passed skipped events beyond the last one delivered. A consumer stores it
   * as its checkpoint, so one whose types are rare does not scan the skipped
   * stretch again after a restart, and knows it has seen a position (read
   * your writes) although no event of its own is there. Always greater than
   * every position delivered or reported before. A throw ends the
   * subscription like a throwing handler.
   */
  onCheckpoint?: (position: bigint) => Promise<void> | void;
}

export interface Subscription {
  /** Stops delivering; resolves once the batch in flight (if any) has been handled. */
  stop(): Promise<void>;
  /** Resolves when the subscription ends (stopped or failed). */
  readonly done: Promise<void>;
}

export interface EventStore {
  /** Appends to one stream. Throws ConcurrencyError when `expected` does not hold. */
  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;

  /**
   * Appends to several streams atomically: all or nothing, each stream with its
   * own expectation. This is how a rule that spans aggregates (O4: one
   * organization per account) is kept without half-written states.
   * Returns the results in the order of `appends`.
   */
  appendMany(appends: StreamAppend[]): Promise<AppendResult[]>;

  /** Reads a stream from the start (or after `afterRevision`); [] when it does not exist. */
  readStream(streamId: string, afterRevision?: bigint): Promise<RecordedEvent[]>;

  /**
   * Reads several streams from the start, each as `readStream` would ([] for
   * one that does not exist), in as few round trips as the store allows (the
   * embedded store: one query). Keyed by stream id, in the order asked; a
   * stream named twice is read once. The streams are not promised to be read
   * at one instant: a command guards each one it writes by its revision.
   */
  readStreams(streamIds: readonly string[]): Promise<Map<string, RecordedEvent[]>>;

  /** Reads one batch of the global log, in position order. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;

  /** Position of the last event in the log, or null when the log is empty. */
  headPosition(): Promise<bigint | null>;

  /**
   * Catch-up subscription to the global log: delivers batches in position order,
   * first what is stored after `after`, then new events as they are appended.
   * At least once: a consumer that stores its checkpoint with its changes sees
   * each event's effect exactly once.
   */
  subscribe(handler: BatchHandler, options: SubscriptionOptions): Subscription;

  /** True when the store answers (health checks). */
  ping(): Promise<boolean>;

  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');
