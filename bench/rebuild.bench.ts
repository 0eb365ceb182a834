/**
 * Rebuild benchmark (issue: read models): generates N events of the account
 * and organization facts, then rebuilds every read model from scratch on the
 * embedded stores and prints events/s, peak RSS, and the ratio against a
 * plain batched SQLite insert of the same number of rows in the same run.
 *
 *   npm run bench            (N = 1,000,000)
 *   BENCH_EVENTS=200000 npm run bench
 */
import 'reflect-metadata';
import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { SqliteEventStore, type NewEvent, type StreamAppend } from '@mam/event-store';
import { SqliteReadStore } from '@mam/read-store';
import { accountStream, organizationStream } from '@mam/domain';
import { ProjectionRunner } from '../apps/api/src/projections/projection-runner';
import { ALL_PROJECTIONS } from '../apps/api/src/projections/projection-registry';
import { peakRss, printTable } from './report';

const N = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const HEAP_FLAGS = ['--max-old-space-size=128', '--max-semi-space-size=16'];
const HUBS = ['marketing', 'sales', 'service', 'content'] as const;
const TIERS = ['starter', 'professional', 'enterprise'] as const;

function meta(): NewEvent['metadata'] {
  return { at: new Date().toISOString(), correlationId: randomUUID() };
}

/** A realistic mix: accounts with users and subscription changes, organizations with edits and connection changes. */
function* generate(total: number): Generator<StreamAppend> {
  let produced = 0;
  let account = 0;
  let org = 0;
  while (produced < total) {
    const ids = Array.from({ length: 5 }, () => `acc-${account++}`);
    for (const id of ids) {
      const events: NewEvent[] = [
        { id: randomUUID(), type: 'AccountRegistered', metadata: meta(), data: { accountId: id, name: `Account ${id}`, hostingLocation: 'na1', sandbox: false, subscriptions: [{ hub: 'marketing', tier: 'enterprise' }], sensitiveData: false } },
        { id: randomUUID(), type: 'AccountUserSet', metadata: meta(), data: { accountId: id, userId: `user-${org}`, roles: ['super-admin'], seats: ['sales'] } },
        { id: randomUUID(), type: 'AccountUserSet', metadata: meta(), data: { accountId: id, userId: `user-${org}-b`, roles: ['partner-admin'], seats: ['marketing'] } },
      ];
      for (let i = 0; i < 8; i++) {
        events.push({ id: randomUUID(), type: 'SubscriptionsChanged', metadata: meta(), data: { accountId: id, previous: [], subscriptions: [{ hub: HUBS[i % 4], tier: TIERS[i % 3] }, { hub: 'marketing', tier: 'enterprise' }] } });
      }
      events.push({ id: randomUUID(), type: 'AccountJoinedOrganization', metadata: meta(), data: { accountId: id, organizationId: `org-${org}` } });
      yield { streamId: accountStream(id), expected: 'any', events };
      produced += events.length;
    }
    const orgId = `org-${org++}`;
    const acting = { actorUserId: `user-${org - 1}`, actingAccountId: ids[0], verification: 'otp' };
    const connection = { accounts: [ids[0], ids[1]], direction: 'two-way', features: { dataMirroring: false, assetCopying: true, workflows: true } };
    const events: NewEvent[] = [
      { id: randomUUID(), type: 'OrganizationCreated', metadata: meta(), data: { organizationId: orgId, name: orgId, primaryAccountId: ids[0], hostingLocation: 'na1', memberIds: ids.slice(0, 3), connections: [connection], ...acting, at: new Date().toISOString() } },
      { id: randomUUID(), type: 'MembersChanged', metadata: meta(), data: { organizationId: orgId, added: ids.slice(3), removed: [], ...acting, at: new Date().toISOString() } },
    ];
    for (let i = 0; i < 6; i++) {
      events.push({ id: randomUUID(), type: 'ConnectionsConfigured', metadata: meta(), data: { organizationId: orgId, connections: [{ ...connection, features: { ...connection.features, workflows: i % 2 === 0 } }], ...acting } });
    }
    yield { streamId: organizationStream(orgId), expected: 'any', events };
    produced += events.length;
  }
}

async function load(store: SqliteEventStore): Promise<number> {
  let pending: StreamAppend[] = [];
  let count = 0;
  for (const append of generate(N)) {
    pending.push(append);
    count += append.events.length;
    if (pending.length >= 200) {
      await store.appendMany(pending);
      pending = [];
    }
  }
  if (pending.length) await store.appendMany(pending);
  return count;
}

/** The baseline: the same number of rows inserted into one plain table, in batches, in one connection. */
function plainInsert(dir: string, rows: number): number {
  const db = new Database(join(dir, 'baseline.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE rows (id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID');
  const insert = db.prepare('INSERT INTO rows (id, doc) VALUES (?, ?)');
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) insert.run(`row-${i}`, JSON.stringify({ i, name: `row ${i}`, at: '2026-11-29T00:00:00.000Z' }));
  });
  const started = performance.now();
  for (let i = 0; i < rows; i += 1000) batch(i, Math.min(rows, i + 1000));
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return seconds;
}

async function rebuild(events: SqliteEventStore, dir: string): Promise<number> {
  const readStore = new SqliteReadStore(join(dir, 'read-models.sqlite'), { walCheckpoints: 'inline' });
  const runner = new ProjectionRunner('bench', events, readStore, ALL_PROJECTIONS, { batchSize: 2000 });
  const head = (await events.headPosition())!;
  const started = performance.now();
  await runner.start();
  while (!runner.projections.every(() => true) || !(await runner.waitFor(head, ALL_PROJECTIONS.map((p) => p.name), 1000))) {
    /* waiting for the rebuild to reach the head */
  }
  const seconds = (performance.now() - started) / 1000;
  await runner.stop();
  await readStore.close();
  return seconds;
}

/** The measured part, in a fresh process so that its peak RSS is the rebuild's own. */
async function measure(dir: string, count: number): Promise<void> {
  // Repeatable on a kept directory (BENCH_KEEP): start from no read models and no baseline table.
  for (const f of readdirSync(dir)) if (f.startsWith('baseline.') || f.startsWith('read-models.')) rmSync(join(dir, f));
  const events = new SqliteEventStore(join(dir, 'events.sqlite'));
  const seconds = await rebuild(events, dir);
  await events.close();
  const rss = peakRss(); // the rebuild's own peak, before the baseline runs
  const baseline = plainInsert(dir, count);
  printTable('rebuild of every read model (embedded stores)', [
    ['events', count.toLocaleString()],
    ['rebuild time', `${seconds.toFixed(2)} s`],
    ['rebuild rate', `${Math.round(count / seconds).toLocaleString()} events/s (target ≥ 100,000)`],
    ['baseline: plain batched SQLite insert of as many rows', `${baseline.toFixed(2)} s = ${Math.round(count / baseline).toLocaleString()} rows/s`],
    ['rebuild time / baseline time', `${(seconds / baseline).toFixed(2)}×`],
    ['peak RSS of the rebuild process', `${rss} MB (target ≤ 300; node ${process.execArgv.filter((a) => a.startsWith('--max')).join(' ')})`],
  ]);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--measure') return measure(process.argv[3], Number(process.argv[4]));
  const dir = mkdtempSync(join(tmpdir(), 'mam-bench-'));
  try {
    const events = new SqliteEventStore(join(dir, 'events.sqlite'));
    process.stdout.write(`generating ${N.toLocaleString()} events… `);
    const loadStarted = performance.now();
    const count = await load(events);
    await events.close();
    process.stdout.write(`done in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s\n`);
    // The live data of a rebuild is one batch: a capped old space shows it (V8 otherwise grows the heap
    // lazily to ~400 MB); a young generation of 16 MB semi-spaces keeps per-batch garbage out of the old one.
    const child = spawnSync(process.execPath, [...HEAP_FLAGS, ...process.execArgv, __filename, '--measure', dir, String(count)], { stdio: 'inherit' });
    if (child.status !== 0) throw new Error(`the measuring process failed (${child.status ?? child.signal})`);
  } finally {
    if (process.env.BENCH_KEEP) console.log(dir);
    else rmSync(dir, { recursive: true, force: true });
  }
}

void main();
