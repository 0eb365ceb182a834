import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
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
import { EventStoreUnavailableError } from '../errors';
import { deserializeError, SqliteWriter, type Outcome } from './sqlite-writer';
import { packAppends, type PackedAppend } from './packed-append';
import { REQUESTS, type WriterReply, type WriterRequest } from './writer-channel';
import { AppendSignal, trackedPollingSubscription, type FilteredRead } from '../catch-up-subscription';

/** Positions examined per filtered subscription read: ~0.5 µs of CPU each on this machine, so a read of skipped rows blocks the loop for a few milliseconds at most. */
const FILTER_WINDOW = 5_000;

interface EventRow {
  position: number | bigint;
  stream_id: string;
  revision: number | bigint;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
}

interface PendingAppend {
  appends: PackedAppend[];
  resolve: (results: AppendResult[]) => void;
  reject: (error: unknown) => void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position  INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id TEXT    NOT NULL,
  revision  INTEGER NOT NULL,
  event_id  TEXT    NOT NULL,
  type      TEXT    NOT NULL,
  data      TEXT    NOT NULL,
  metadata  TEXT    NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_stream_revision ON events (stream_id, revision);
CREATE UNIQUE INDEX IF NOT EXISTS events_event_id ON events (event_id);
`;

/**
 * The embedded event store: one SQLite file in WAL mode with synchronous=FULL,
 * so an acknowledged append survives a crash or power loss.
 *
 * Group commit: appends queue up and are written in one transaction (one
 * fsync) by a writer on a worker thread, so fsyncs never block the event loop;
 * whatever queues while a transaction is in flight goes in the next one.
 * Each `appendMany` keeps its own expectation checks inside a savepoint, so
 * one conflict never fails its neighbours. AUTOINCREMENT positions are
 * gap-free because nothing is ever deleted and SQLite has a single writer,
 * so commit order is position order. Reads use this thread's own connection
 * (WAL readers see every committed transaction).
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly signal = new AppendSignal();
  private readonly subscriptions = new Set<Subscription>();
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private inFlight: Promise<void> | null = null;
  private closed = false;
  private closing?: Promise<void>;
  private readonly stmts;
  private readonly filteredReads = new Map<string, Database.Statement>();
  private readonly writer: WriterClient;

  private readonly filterWindow: bigint;

  /** `filterWindow`: positions a filtered subscription examines per read (tests make it small). */
  constructor(file: string, options: { writer?: 'worker' | 'inline'; filterWindow?: number } = {}) {
    this.filterWindow = BigInt(options.filterWindow ?? FILTER_WINDOW);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.db.defaultSafeIntegers(true);
    this.stmts = {
      readStream: this.db.prepare('SELECT * FROM events WHERE stream_id = ? AND revision > ? ORDER BY revision'),
      // Raw rows (arrays) read about a third faster than objects: rebuilds read millions.
      readAll: this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(true),
      // The ids go in as one JSON array: one statement whatever their number; SQLite walks the
      // (stream_id, revision) index once per distinct id, already in the order of that index.
      readStreams: this.db
        .prepare(`SELECT ${COLUMNS} FROM events WHERE stream_id IN (SELECT value FROM json_each(?)) ORDER BY stream_id, revision`)
        .raw(true),
      head: this.db.prepare('SELECT MAX(position) AS position FROM events'),
    };
    // An in-memory database exists only on this connection: its writes stay on this thread.
    const inline = options.writer === 'inline' || file === ':memory:';
    this.writer = inline ? new InlineWriter(new SqliteWriter(this.db)) : new WorkerWriter(file);
  }

  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.appendMany([{ streamId, events, expected }]).then((results) => results[0]);
  }

  appendMany(appends: StreamAppend[]): Promise<AppendResult[]> {
    if (this.closed) return Promise.reject(new Error('event store is closed'));
    let packed: PackedAppend[];
    try {
      packed = packAppends(appends);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ appends: packed, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.inFlight = this.flush().finally(() => {
        this.inFlight = null;
        if (this.queue.length > 0) this.scheduleFlush();
      });
    });
  }

  private async flush(): Promise<void> {
    const pending = this.queue;
    this.queue = [];
    if (pending.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = await this.writer.write(pending.map((p) => p.appends));
    } catch (error) {
      // The whole transaction failed: nothing of it is stored, and every caller is told so.
      const code = (error as { code?: unknown } | null)?.code;
      const failure = error instanceof EventStoreUnavailableError ? error : new EventStoreUnavailableError(`the embedded store could not write: ${(error as Error)?.message ?? error}`, error, typeof code === 'string' ? code : undefined);
      for (const p of pending) p.reject(failure);
      return;
    }
    pending.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) p.resolve(outcome.results);
      else p.reject(deserializeError(outcome.error));
    });
    this.signal.notify();
  }

  private headSync(): bigint | null {
    const row = this.stmts.head.get() as { position: bigint | null };
    return row.position === null ? null : BigInt(row.position);
  }

  async readStream(streamId: string, afterRevision?: bigint): Promise<RecordedEvent[]> {
    const rows = this.stmts.readStream.all(streamId, afterRevision ?? -1n) as EventRow[];
    return rows.map(toRecorded);
  }

  async readStreams(streamIds: readonly string[]): Promise<Map<string, RecordedEvent[]>> {
    const streams = new Map<string, RecordedEvent[]>();
    for (const id of streamIds) streams.set(id, []);
    if (streams.size === 0) return streams;
    const rows = this.stmts.readStreams.all(JSON.stringify([...streams.keys()])) as RawEventRow[];
    for (const row of rows) streams.get(row[1])!.push(fromRaw(row));
    return streams;
  }

  async readAll({ after, limit, eventTypes }: ReadAllOptions): Promise<RecordedEvent[]> {
    if (eventTypes) return this.readFilteredSync({ after, limit, eventTypes }, null).events;
    const rows = this.stmts.readAll.all(after ?? 0n, limit) as RawEventRow[];
    return rows.map(fromRaw);
  }

  /**
   * Events of `eventTypes` after `after`, scanning at most `window` positions
   * (null: up to the head). The type is compared in SQL on the primary-key
   * range, so a skipped row is never decoded into JavaScript, let alone
   * parsed; the range keeps each synchronous read short however rare the
   * types are. No index on the type: the scan of the range is cheap next to
   * the decoding it saves, and every append would pay for the index.
   */
  private readFilteredSync(
    { after, limit, eventTypes }: { after: bigint | null; limit: number; eventTypes: readonly string[] },
    window: bigint | null,
  ): FilteredRead {
    // Read first: every position up to it is committed (one writer, commits in position order).
    const head = this.headSync();
    if (head === null) return { events: [], through: null, end: true };
    const from = after ?? 0n;
    const upTo = window !== null && from + window < head ? from + window : head;
    const rows = this.filteredRead(eventTypes).all(from, upTo, ...eventTypes, limit) as RawEventRow[];
    const full = rows.length === limit && limit > 0;
    return {
      events: rows.map(fromRaw),
      through: full ? rows[rows.length - 1][0] : upTo,
      end: !full && upTo === head,
    };
  }

  /** One prepared statement per set of types (a process has a handful). */
  private filteredRead(eventTypes: readonly string[]): Database.Statement {
    const key = JSON.stringify(eventTypes);
    let stmt = this.filteredReads.get(key);
    if (!stmt) {
      const types = eventTypes.map(() => '?').join(', ');
      stmt = this.db
        .prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? AND position <= ? AND type IN (${types}) ORDER BY position LIMIT ?`)
        .raw(true);
      this.filteredReads.set(key, stmt);
    }
    return stmt;
  }

  async headPosition(): Promise<bigint | null> {
    return this.headSync();
  }

  subscribe(handler: BatchHandler, options: SubscriptionOptions): Subscription {
    const source = {
      readAll: (o: ReadAllOptions) => this.readAll(o),
      readFiltered: async (o: { after: bigint | null; limit: number; eventTypes: readonly string[] }) => this.readFilteredSync(o, this.filterWindow),
      waitForAppend: (ms: number, since?: number) => this.signal.wait(ms, since),
      version: () => this.signal.version(),
    };
    return trackedPollingSubscription(this.subscriptions, source, handler, options);
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    this.db.prepare('SELECT 1').get();
    return true;
  }

  close(): Promise<void> {
    // A second close() waits for the first instead of returning while the file is still open.
    return (this.closing ??= this.shutDown());
  }

  private async shutDown(): Promise<void> {
    this.closed = true;
    // Let queued appends finish: they were promised an answer.
    while (this.inFlight || this.flushScheduled || this.queue.length > 0) {
      if (this.inFlight) await this.inFlight;
      else if (this.queue.length > 0) {
        this.inFlight = this.flush().finally(() => (this.inFlight = null));
      } else await new Promise((r) => setImmediate(r));
    }
    await this.writer.close();
    // Stop subscriptions before the database goes: otherwise their next read
    // fails with "database connection is not open" and reaches onError.
    const stopping = [...this.subscriptions].map((s) => s.stop());
    this.signal.notify();
    await Promise.all(stopping);
    this.db.close();
  }
}

const COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata';
type RawEventRow = [bigint, string, bigint, string, string, string, string];

function fromRaw(row: RawEventRow): RecordedEvent {
  return {
    id: row[3],
    streamId: row[1],
    revision: row[2],
    position: row[0],
    type: row[4],
    data: JSON.parse(row[5]),
    metadata: JSON.parse(row[6]),
  };
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    revision: BigInt(row.revision),
    position: BigInt(row.position),
    type: row.type,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
  };
}

/** Where the writes happen: a worker thread (default) or this thread. */
interface WriterClient {
  write(groups: PackedAppend[][]): Promise<Outcome[]>;
  close(): Promise<void>;
}

class InlineWriter implements WriterClient {
  constructor(private readonly writer: SqliteWriter) {}

  async write(groups: PackedAppend[][]): Promise<Outcome[]> {
    return this.writer.writeGroups(groups);
  }

  async close(): Promise<void> {}
}

type Waiting = Map<number, { resolve: (r: WriterReply) => void; reject: (e: unknown) => void }>;

/**
 * The writer on its own thread, started at the first append (and again after
 * it failed). One request in flight at a time. A request goes through a
 * MessagePort the worker reads synchronously, and a bump of a shared counter
 * wakes it from Atomics.wait (see the worker). Each worker has its own
 * waiting requests: a failed worker's late `error` or `exit` must reject only
 * its own, never those of the worker started after it (they still commit).
 */
class WorkerWriter implements WriterClient {
  private current: { worker: Worker; port: MessagePort; requests: Int32Array } | null = null;
  private nextId = 0;
  private readonly waiting = new Map<Worker, Waiting>();

  constructor(private readonly file: string) {}

  /** The running worker thread, if any (tests reach for it). */
  get worker(): Worker | null {
    return this.current?.worker ?? null;
  }

  private start(): NonNullable<WorkerWriter['current']> {
    if (this.current) return this.current;
    const { port1: port, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    // Compiled: the .js beside this file. From TypeScript sources (tests, bench): through @swc-node/register.
    const ext = extname(__filename);
    const worker = new Worker(join(__dirname, `sqlite-writer.worker${ext}`), {
      workerData: { file: this.file, port: port2, signal },
      transferList: [port2],
      execArgv: ext === '.ts' ? ['--require', '@swc-node/register'] : [],
    });
    const waiting: Waiting = new Map();
    this.waiting.set(worker, waiting);
    const answer = (reply: WriterReply) => {
      const w = waiting.get(reply.id);
      waiting.delete(reply.id);
      w?.resolve(reply);
    };
    port.on('message', answer);
    // The port is only this worker's way back: it must not keep the process alive on its own.
    port.unref();
    const current = { worker, port, requests: new Int32Array(signal) };
    const fail = (error: unknown) => {
      if (this.current === current) this.current = null;
      for (const w of waiting.values()) w.reject(new EventStoreUnavailableError('the embedded store\'s writer stopped', error));
      waiting.clear();
      this.waiting.delete(worker);
      port.close();
      // A worker that reported an error must not live on beside its successor (nor keep the process alive).
      void worker.terminate();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      // Replies the worker sent before it stopped are answered first, whatever the order of the events.
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) answer(m.message as WriterReply);
      fail(new Error(`writer exited with ${code}`));
    });
    this.current = current;
    return current;
  }

  private request(message: Omit<WriterRequest, 'id'>): Promise<WriterReply> {
    const { worker } = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.get(worker)!.set(id, { resolve, reject });
      this.post({ id, ...message });
    });
  }

  private post(message: WriterRequest): void {
    const { port, requests } = this.start();
    port.postMessage(message);
    Atomics.add(requests, REQUESTS, 1);
    Atomics.notify(requests, REQUESTS);
  }

  async write(groups: PackedAppend[][]): Promise<Outcome[]> {
    const reply = await this.request({ groups });
    if (reply.failure) throw new EventStoreUnavailableError(`the embedded store could not write: ${reply.failure.message}`, reply.failure, reply.failure.code);
    return reply.outcomes!;
  }

  async close(): Promise<void> {
    if (!this.current) return;
    const { worker } = this.current;
    const exited = new Promise((r) => worker.once('exit', r));
    // The worker stops after closing its connection: its exit is the answer.
    this.post({ id: this.nextId++, close: true });
    this.current = null;
    await exited;
  }
}
