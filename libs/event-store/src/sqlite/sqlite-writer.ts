import Database from 'better-sqlite3';
import type { AppendResult, ExpectedRevision, StreamAppend } from '../event-store.port';
import { ConcurrencyError, EventStoreUnavailableError, IdempotencyConflictError, revisionMatches } from '../errors';
import { idempotentRepeat } from '../idempotent-repeat';

export type Outcome = { ok: true; results: AppendResult[] } | { ok: false; error: SerializedError };

/** Errors cross the worker boundary as data; the store turns them back into the port's classes. */
export interface SerializedError {
  kind: 'concurrency' | 'idempotency' | 'unavailable' | 'other';
  message: string;
  /** SQLite's own code (SQLITE_BUSY, SQLITE_FULL…), kept across the worker boundary. */
  code?: string;
  streamId?: string;
  expected?: ExpectedRevision;
  actual?: bigint | null;
  eventId?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof ConcurrencyError) {
    return { kind: 'concurrency', message: error.message, streamId: error.streamId, expected: error.expected, actual: error.actual };
  }
  if (error instanceof IdempotencyConflictError) {
    return { kind: 'idempotency', message: error.message, streamId: error.streamId, eventId: error.eventId };
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && STORE_FAILURES.test(code)) return { kind: 'unavailable', message, code };
  return { kind: 'other', message, ...(typeof code === 'string' ? { code } : {}) };
}

/** SQLite codes that say the store could not write now (another writer, a full disk, I/O), not that the append is wrong. */
const STORE_FAILURES = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY)/;

export function deserializeError(e: SerializedError): Error {
  if (e.kind === 'concurrency') return new ConcurrencyError(e.streamId!, e.expected!, e.actual ?? null);
  if (e.kind === 'idempotency') return new IdempotencyConflictError(e.streamId!, e.eventId!);
  if (e.kind === 'unavailable') return new EventStoreUnavailableError(`the embedded store could not write: ${e.message}`, e.code, e.code);
  return Object.assign(new Error(e.message), e.code ? { code: e.code } : {});
}

/** The write connection's settings: WAL, and an fsync per commit so an acknowledged append survives power loss. */
export function openWriteConnection(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.defaultSafeIntegers(true);
  return db;
}

interface Row {
  position: bigint;
  stream_id: string;
  revision: bigint;
}

/**
 * Writes groups of appends (one group = one `appendMany`, all or nothing) in
 * one transaction: one fsync for everything that queued up meanwhile (group
 * commit). Each group runs in its own savepoint, so a conflict fails only its
 * own group. Used on a worker thread (the default: fsync never blocks the
 * event loop) or inline.
 */
export class SqliteWriter {
  private readonly stmts;
  private readonly writeGroup;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      streamRevision: db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream_id = ?'),
      insert: db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)'),
      byEventId: db.prepare('SELECT position, stream_id, revision FROM events WHERE event_id = ?'),
      head: db.prepare('SELECT MAX(position) AS position FROM events'),
    };
    this.writeGroup = db.transaction((appends: StreamAppend[]) => appends.map((a) => this.writeStream(a)));
  }

  /** Throws only when the whole transaction fails (disk full, I/O error, another writer holding the lock): then nothing was written. */
  writeGroups(groups: StreamAppend[][]): Outcome[] {
    const outcomes: Outcome[] = [];
    // IMMEDIATE: take the write lock at BEGIN, where SQLite waits for another process's writer
    // (busy_timeout). A deferred transaction reads first, and the lock upgrade of its first
    // insert fails with SQLITE_BUSY at once, without waiting.
    this.db.transaction(() => {
      for (const appends of groups) {
        try {
          // Nested transaction = savepoint: a failed group rolls back alone.
          outcomes.push({ ok: true, results: this.writeGroup(appends) });
        } catch (error) {
          // Some errors (SQLITE_FULL, I/O) roll back the whole transaction, not just the savepoint:
          // the groups before are gone, and the ones after would commit on their own while every
          // caller is told it failed. Fail them all, as nothing of them is stored.
          if (!this.db.inTransaction) throw error;
          outcomes.push({ ok: false, error: serializeError(error) });
        }
      }
    }).immediate();
    return outcomes;
  }

  private writeStream({ streamId, events, expected }: StreamAppend): AppendResult {
    const row = this.stmts.streamRevision.get(streamId) as { revision: bigint | null };
    const current = row.revision === null ? null : BigInt(row.revision);
    const lookup = (id: string) => {
      const found = this.stmts.byEventId.get(id) as Row | undefined;
      return found && { streamId: found.stream_id, revision: BigInt(found.revision), position: BigInt(found.position) };
    };
    const repeat = idempotentRepeat(streamId, events.map((e) => e.id), lookup, expected, current);
    if (repeat) return repeat;
    if (!revisionMatches(expected, current)) throw new ConcurrencyError(streamId, expected, current);
    if (events.length === 0) {
      const head = this.stmts.head.get() as { position: bigint | null };
      return { nextRevision: current ?? -1n, position: head.position === null ? 0n : BigInt(head.position) };
    }
    let revision = current ?? -1n;
    let position = 0n;
    for (const e of events) {
      revision += 1n;
      const info = this.stmts.insert.run(streamId, revision, e.id, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata));
      position = BigInt(info.lastInsertRowid);
    }
    return { nextRevision: revision, position };
  }
}
