/**
 * Embedded event store appends against plain better-sqlite3 inserts of the
 * same rows into the same schema and pragmas (WAL, synchronous=FULL), each
 * pair in the same process, one after the other on fresh files:
 *   (a) 100 events per append, appends one after another — vs a batched insert of 100 rows per transaction;
 *   (b) single appends one after another — vs autocommit single-row inserts;
 *   (c) 64 concurrent single appends (group commit) — printed with its error count.
 *
 * (a) and (b) alternate baseline and store in short rounds, so that a change
 * of the machine's load mid-run hits both sides; each also prints the CPU time
 * per event of the whole process (the store's writer thread included).
 *
 *   npm run bench:append      BENCH_APPEND_SECONDS (default 3) per measurement
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteEventStore, type NewEvent } from '@mam/event-store';
import { fmt, load, summaryRow } from './report';

const SECONDS = Number(process.env.BENCH_APPEND_SECONDS ?? 3);
const SCHEMA = `
CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, revision INTEGER NOT NULL,
  event_id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL);
CREATE UNIQUE INDEX events_stream_revision ON events (stream_id, revision);
CREATE UNIQUE INDEX events_event_id ON events (event_id);`;

const data = (i: number) => ({ accountId: 'bench', contactId: `c${i}`, email: `c${i}@example.com`, properties: { city: 'Dublin' } });
const event = (i: number): NewEvent => ({ id: randomUUID(), type: 'ContactUpserted', data: data(i), metadata: { at: new Date().toISOString(), correlationId: randomUUID() } });

const ROUNDS = 6;

interface Measured {
  rate: number;
  /** CPU time of the process per event, µs. */
  cpu: number;
}

/** Runs `step` (which handles `n` events) for `ms`; adds events, time and CPU to `into`. */
async function round(step: (i: number) => Promise<number> | number, ms: number, into: { done: number; ms: number; cpu: number }): Promise<void> {
  let done = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  while (performance.now() - started < ms) done += await step(into.done + done);
  const used = process.cpuUsage(cpu);
  into.done += done;
  into.ms += performance.now() - started;
  into.cpu += used.user + used.system;
}

/** Baseline and store in alternating rounds, SECONDS each in all: events/s and CPU per event of each. */
async function pair(baseline: (i: number) => Promise<number> | number, store: (i: number) => Promise<number> | number): Promise<[Measured, Measured]> {
  const totals = [baseline, store].map(() => ({ done: 0, ms: 0, cpu: 0 }));
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    for (const k of order) await round(k === 0 ? baseline : (i) => store(i), (SECONDS * 1000) / ROUNDS, totals[k]);
  }
  const [b, s] = totals.map((t) => ({ rate: t.done / (t.ms / 1000), cpu: t.cpu / t.done }));
  return [b, s];
}

const cpuNote = (b: Measured, s: Measured) => `CPU per event ${b.cpu.toFixed(0)} µs baseline, ${s.cpu.toFixed(0)} µs store`;

function plain(dir: string, name: string): { db: Database.Database; insert: Database.Statement } {
  const db = new Database(join(dir, `${name}.sqlite`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(SCHEMA);
  const insert = db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  return { db, insert };
}

const row = (insert: Database.Statement, stream: string, revision: number, i: number) => {
  const e = event(i);
  insert.run(stream, revision, e.id, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata));
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mam-bench-append-'));
  console.log(`embedded event store appends, ${SECONDS} s per measurement; load average ${load()}`);
  try {
    // (a) 100 events per append
    {
      const { db, insert } = plain(dir, 'plain-batch');
      const batch = db.transaction((from: number) => {
        for (let k = 0; k < 100; k++) row(insert, `s-${from}`, k, from + k);
      });
      const store = new SqliteEventStore(join(dir, 'store-batch.sqlite'));
      await store.append('warm-up', [event(0)], 'no_stream'); // starts the writer thread
      const [baseline, service] = await pair(
        (i) => (batch(i), 100),
        async (i) => {
          await store.append(`s-${i}`, Array.from({ length: 100 }, (_, k) => event(i + k)), 'no_stream');
          return 100;
        },
      );
      db.close();
      await store.close();
      summaryRow({ workload: 'embedded store, 100 events per append', baseline: `plain batched insert: ${fmt(baseline.rate)} events/s`, figure: `${fmt(service.rate)} events/s; ${cpuNote(baseline, service)}`, ratio: `${(service.rate / baseline.rate).toFixed(2)} of it`, target: '≥ 0.6 of it' });
    }
    // (b) sequential single appends
    {
      const { db, insert } = plain(dir, 'plain-single');
      const store = new SqliteEventStore(join(dir, 'store-single.sqlite'));
      await store.append('warm-up', [event(0)], 'no_stream');
      const [baseline, service] = await pair(
        (i) => (row(insert, `s-${i}`, 0, i), 1),
        async (i) => {
          await store.append(`s-${i}`, [event(i)], 'no_stream');
          return 1;
        },
      );
      db.close();
      await store.close();
      summaryRow({ workload: 'embedded store, sequential single appends', baseline: `autocommit insert, synchronous=FULL: ${fmt(baseline.rate)}/s`, figure: `${fmt(service.rate)}/s (${(1000 / service.rate).toFixed(2)} ms each); ${cpuNote(baseline, service)}`, ratio: `${(service.rate / baseline.rate).toFixed(2)} of it`, target: '≥ 0.5 of it' });
    }
    // (c) 64 concurrent single appends
    {
      const store = new SqliteEventStore(join(dir, 'store-concurrent.sqlite'));
      let next = 0;
      let errors = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (performance.now() - started < SECONDS * 1000) {
            const i = next++;
            await store.append(`s-${i}`, [event(i)], 'no_stream').catch(() => errors++);
          }
        }),
      );
      const service = next / ((performance.now() - started) / 1000);
      await store.close();
      summaryRow({ workload: 'embedded store, 64 concurrent single appends', baseline: '— (sequential row above)', figure: `${fmt(service)}/s, ${errors} errors`, ratio: '—', target: 'keep (11.1k/s, no errors)' });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
