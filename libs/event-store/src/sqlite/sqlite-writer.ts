import Database from 'better-sqlite3';
import type { AppendResult, ExpectedRevision } from '../event-store.port';
import { ConcurrencyError, EventStoreUnavailableError, IdempotencyConflictError, revisionMatches } from '../errors';
import { idempotentRepeat } from '../idempotent-repeat';
import { unpackEvents, type PackedAppend, type PackedEvent } from './packed-append';

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
  private readonly writeAll;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      streamRevision: db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream_id = ?'),
      insert: db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)'),
      byEventId: db.prepare('SELECT position, stream_id, revision FROM events WHERE event_id = ?'),
      head: db.prepare('SELECT MAX(position) AS position FROM events'),
    };
    this.writeGroup = db.transaction((appends: PackedAppend[]) => appends.map((a) => this.writeStream(a)));
    // Made once: better-sqlite3 builds four wrapper functions per transaction() call (7% of a lone append's CPU).
    this.writeAll = db.transaction((groups: PackedAppend[][], outcomes: Outcome[]) => {
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
    });
  }

  /** Throws only when the whole transaction fails (disk full, I/O error, another writer holding the lock): then nothing was written. */
  writeGroups(groups: PackedAppend[][]): Outcome[] {
    const outcomes: Outcome[] = [];
    // IMMEDIATE: take the write lock at BEGIN, where SQLite waits for another process's writer
    // (busy_timeout). A deferred transaction reads first, and the lock upgrade of its first
    // insert fails with SQLITE_BUSY at once, without waiting.
    this.writeAll.immediate(groups, outcomes);
    return outcomes;
  }

  private readonly lookup = (id: string) => {
    const found = this.stmts.byEventId.get(id) as Row | undefined;
    return found && { streamId: found.stream_id, revision: BigInt(found.revision), position: BigInt(found.position) };
  };

  private writeStream(append: PackedAppend): AppendResult {
    const { streamId, expected } = append;
    const events = unpackEvents(append);
    const row = this.stmts.streamRevision.get(streamId) as { revision: bigint | null };
    const current = row.revision === null ? null : BigInt(row.revision);
    // The rule of idempotentRepeat, without a lookup per event: when the first id is not
    // stored and the expectation holds, the append is new, unless a later id is stored —
    // which its insert finds (the unique index on event_id), see storedIdConflict.
    // Otherwise (a repeat, a conflict) every id is looked up, as the rule says.
    if (events.length === 0 || !revisionMatches(expected, current) || this.lookup(events[0].id)) {
      const repeat = idempotentRepeat(streamId, events.map((e) => e.id), this.lookup, expected, current);
      if (repeat) return repeat;
      if (!revisionMatches(expected, current)) throw new ConcurrencyError(streamId, expected, current);
    }
    if (events.length === 0) {
      const head = this.stmts.head.get() as { position: bigint | null };
      return { nextRevision: current ?? -1n, position: head.position === null ? 0n : BigInt(head.position) };
    }
    let revision = current ?? -1n;
    let info: Database.RunResult | undefined;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      revision += 1n;
      try {
        info = this.stmts.insert.run(streamId, revision, e.id, e.type, e.data, e.metadata);
      } catch (error) {
        throw this.storedIdConflict(streamId, events, i, error) ?? error;
      }
    }
    return { nextRevision: revision, position: BigInt(info!.lastInsertRowid) };
  }

  /**
   * The insert of events[failed] broke the unique index on event_id, after the events before
   * it went in: the error idempotentRepeat gives (its first id stored before this append), or
   * undefined when none was (an id repeated within the append: the constraint error stands).
   */
  private storedIdConflict(streamId: string, events: PackedEvent[], failed: number, error: unknown): IdempotencyConflictError | undefined {
    if ((error as { code?: unknown })?.code !== 'SQLITE_CONSTRAINT_UNIQUE' || !String((error as Error).message).includes('events.event_id')) return undefined;
    // The ones before went in, so none of them was stored; the ones after the failed one are
    // looked up, skipping those this append inserted itself.
    const inserted = new Set(events.slice(0, failed).map((e) => e.id));
    for (let i = failed; i < events.length; i++) {
      const id = events[i].id;
      if (!inserted.has(id) && (i === failed || this.lookup(id))) return new IdempotencyConflictError(streamId, id);
    }
    return undefined;
  }
}
