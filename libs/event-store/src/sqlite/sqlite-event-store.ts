import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
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
import { AppendSignal, trackedPollingSubscription } from '../catch-up-subscription';

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
  appends: StreamAppend[];
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
 * Group commit: appends that arrive while the event loop is busy are queued
 * and written in one transaction (one fsync) on the next tick. Each append
 * keeps its own expectation check inside a savepoint, so one conflict never
 * fails its neighbours. AUTOINCREMENT positions are gap-free because nothing
 * is ever deleted and SQLite has a single writer, so commit order is position
 * order.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly signal = new AppendSignal();
  private readonly subscriptions = new Set<Subscription>();
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private closing?: Promise<void>;
  private readonly stmts;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.db.defaultSafeIntegers(true);
    this.stmts = {
      streamRevision: this.db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream_id = ?'),
      insert: this.db.prepare(
        'INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      byEventId: this.db.prepare('SELECT position, stream_id, revision FROM events WHERE event_id = ?'),
      readStream: this.db.prepare('SELECT * FROM events WHERE stream_id = ? AND revision > ? ORDER BY revision'),
      // Raw rows (arrays) read about a third faster than objects: rebuilds read millions.
      readAll: this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(true),
      head: this.db.prepare('SELECT MAX(position) AS position FROM events'),
    };
  }

  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.appendMany([{ streamId, events, expected }]).then((results) => results[0]);
  }

  appendMany(appends: StreamAppend[]): Promise<AppendResult[]> {
    if (this.closed) return Promise.reject(new Error('event store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ appends, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const pending = this.queue;
    this.queue = [];
    if (pending.length === 0) return;
    const outcomes: Array<{ ok: true; results: AppendResult[] } | { ok: false; error: unknown }> = [];
    const writeOne = this.db.transaction((appends: StreamAppend[]) => appends.map((a) => this.writeStream(a)));
    try {
      this.db.transaction(() => {
        for (const p of pending) {
          try {
            // Nested transaction = savepoint: a failed append rolls back alone.
            outcomes.push({ ok: true, results: writeOne(p.appends) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })();
    } catch (error) {
      for (const p of pending) p.reject(error);
      return;
    }
    pending.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) p.resolve(outcome.results);
      else p.reject(outcome.error);
    });
    this.signal.notify();
  }

  /** Runs inside a transaction. */
  private writeStream({ streamId, events, expected }: StreamAppend): AppendResult {
    const current = this.currentRevision(streamId);
    const lookup = (id: string) => {
      const row = this.stmts.byEventId.get(id) as EventRow | undefined;
      return row && { streamId: row.stream_id, revision: BigInt(row.revision), position: BigInt(row.position) };
    };
    const repeat = idempotentRepeat(streamId, events.map((e) => e.id), lookup, expected, current);
    if (repeat) return repeat;
    if (!revisionMatches(expected, current)) throw new ConcurrencyError(streamId, expected, current);
    let revision = current ?? -1n;
    let position = 0n;
    for (const e of events) {
      revision += 1n;
      const info = this.stmts.insert.run(
        streamId,
        revision,
        e.id,
        e.type,
        JSON.stringify(e.data),
        JSON.stringify(e.metadata),
      );
      position = BigInt(info.lastInsertRowid);
    }
    if (events.length === 0) {
      return { nextRevision: current ?? -1n, position: this.headSync() ?? 0n };
    }
    return { nextRevision: revision, position };
  }

  private currentRevision(streamId: string): bigint | null {
    const row = this.stmts.streamRevision.get(streamId) as { revision: bigint | null };
    return row.revision === null ? null : BigInt(row.revision);
  }

  private headSync(): bigint | null {
    const row = this.stmts.head.get() as { position: bigint | null };
    return row.position === null ? null : BigInt(row.position);
  }

  async readStream(streamId: string, afterRevision?: bigint): Promise<RecordedEvent[]> {
    const rows = this.stmts.readStream.all(streamId, afterRevision ?? -1n) as EventRow[];
    return rows.map(toRecorded);
  }

  async readAll({ after, limit }: { after: bigint | null; limit: number }): Promise<RecordedEvent[]> {
    const rows = this.stmts.readAll.all(after ?? 0n, limit) as RawEventRow[];
    return rows.map(fromRaw);
  }

  async headPosition(): Promise<bigint | null> {
    return this.headSync();
  }

  subscribe(handler: BatchHandler, options: SubscriptionOptions): Subscription {
    const source = {
      readAll: (o: ReadAllOptions) => this.readAll(o),
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
    // Let queued appends finish: they were promised an answer.
    if (this.queue.length > 0) this.flush();
    this.closed = true;
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
