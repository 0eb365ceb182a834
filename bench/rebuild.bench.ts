/**
 * Rebuild benchmark (issue: read models), on the embedded stores:
 *   (a) generates N events of the account and organization facts, then
 *       rebuilds every read model from scratch and prints events/s, peak RSS,
 *       and the ratio against a plain batched SQLite insert of as many rows;
 *   (b) generates a CRM store: C contacts in an account that is a mirroring
 *       source (each upserted, with activities; some edited), matching target
 *       contacts and deals, and rebuilds the `mirroring` read model on it —
 *       beside the same rebuild on (a)'s account events and a plain insert of
 *       as many rows, in the same process.
 *
 *   npm run bench:rebuild     BENCH_EVENTS (500,000), BENCH_CRM_CONTACTS (150,000)
 */
import 'reflect-metadata';
import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { SqliteEventStore, type NewEvent, type StreamAppend } from '@mam/event-store';
import { SqliteReadStore, type WriteSet } from '@mam/read-store';
import { accountStream, contactStream, dealStream, organizationStream } from '@mam/domain';
import { ProjectionRunner, REBUILD_BATCH_SIZE } from '../apps/api/src/projections/projection-runner';
import { ALL_PROJECTIONS } from '../apps/api/src/projections/projection-registry';
import type { Projection } from '../apps/api/src/projections/projection';
import { fmt, peakRss, printTable, summaryRow } from './report';

const N = Number(process.env.BENCH_EVENTS ?? 500_000);
const CRM_CONTACTS = Number(process.env.BENCH_CRM_CONTACTS ?? 150_000);
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

/**
 * CRM data in a mirroring source: accounts S and T, T's contacts (a tenth of
 * C, each matching one source contact), an organization with the flow S → T,
 * then C contacts in S, each upserted and with an activity; every fifth gets
 * a second activity and an edit, every fiftieth a deal.
 */
function* generateCrm(contacts: number): Generator<StreamAppend> {
  const at = new Date().toISOString();
  const [S, T] = ['crm-s', 'crm-t'];
  for (const id of [S, T]) {
    yield { streamId: accountStream(id), expected: 'any', events: [{ id: randomUUID(), type: 'AccountRegistered', metadata: meta(), data: { accountId: id, name: id, hostingLocation: 'na1', sandbox: false, subscriptions: [{ hub: 'sales', tier: 'professional' }], sensitiveData: false } }] };
  }
  const contact = (account: string, i: number, email: string, version = 0) => ({ accountId: account, contactId: `c${i}`, email, firstName: `First${i}`, lastName: version ? `Edited${i}` : `Last${i}`, properties: { company: `Company ${i % 997}`, city: 'Dublin' } });
  for (let i = 0; i < contacts; i += 10) {
    yield { streamId: contactStream(T, `c${i}`), expected: 'any', events: [{ id: randomUUID(), type: 'ContactUpserted', metadata: meta(), data: contact(T, i, ` contact.${i}@example.com`) }] };
  }
  const connections = [{ accounts: [S, T], direction: 'one-way', from: S, features: { dataMirroring: true, assetCopying: false, workflows: false } }];
  yield { streamId: organizationStream('crm-org'), expected: 'any', events: [{ id: randomUUID(), type: 'OrganizationCreated', metadata: meta(), data: { organizationId: 'crm-org', name: 'CRM', primaryAccountId: S, hostingLocation: 'na1', memberIds: [S, T], connections, actorUserId: 'crm-user', actingAccountId: S, verification: 'otp', at } }] };
  for (let i = 0; i < contacts; i++) {
    const events: NewEvent[] = [
      { id: randomUUID(), type: 'ContactUpserted', metadata: meta(), data: contact(S, i, `Contact.${i}@Example.com`) },
      { id: randomUUID(), type: 'ActivityLogged', metadata: meta(), data: { accountId: S, contactId: `c${i}`, activityId: `a${i}-1`, type: 'call', occurredAt: '2026-01-01T10:00:00Z', summary: 'Intro call' } },
    ];
    if (i % 5 === 0) {
      events.push({ id: randomUUID(), type: 'ActivityLogged', metadata: meta(), data: { accountId: S, contactId: `c${i}`, activityId: `a${i}-2`, type: 'meeting', occurredAt: '2026-02-01T10:00:00Z', summary: 'Demo' } });
      events.push({ id: randomUUID(), type: 'ContactUpserted', metadata: meta(), data: contact(S, i, `Contact.${i}@Example.com`, 1) });
    }
    yield { streamId: contactStream(S, `c${i}`), expected: 'any', events };
    if (i % 50 === 0) {
      yield { streamId: dealStream(S, `d${i}`), expected: 'any', events: [{ id: randomUUID(), type: 'DealSaved', metadata: meta(), data: { accountId: S, dealId: `d${i}`, name: `Deal ${i}`, stage: 'qualified', amount: 1000 + i, contactIds: [`c${i}`] } }] };
    }
  }
}

async function load(store: SqliteEventStore, appends: Iterable<StreamAppend>): Promise<number> {
  let pending: StreamAppend[] = [];
  let count = 0;
  for (const append of appends) {
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

/**
 * The baseline of (a): the documents the rebuild stored, inserted into one
 * plain table of the read store's shape (a rowid table, unique id, no
 * expression index) with its pragmas and durability (WAL,
 * synchronous=NORMAL), 1000 per transaction, each serialized as the rebuild
 * serializes its own. Only the inserts are timed, not reading them back.
 */
function plainInsertOf(dir: string, file: string): { rows: number; bytes: number; seconds: number; cpu: number } {
  const source = new Database(join(dir, file), { readonly: true });
  const tables = source.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rm%'").pluck().all() as string[];
  const db = new Database(join(dir, 'baseline.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -32768');
  db.exec('CREATE TABLE rows (id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO rows (id, doc) VALUES (?, ?)');
  const batch = db.transaction((docs: Array<[string, unknown]>) => {
    for (const [id, doc] of docs) insert.run(id, JSON.stringify(doc));
  });
  let rows = 0;
  let bytes = 0;
  let ms = 0;
  let cpu = 0;
  for (const table of tables) {
    const page = source.prepare(`SELECT id, doc FROM "${table}" WHERE id > ? ORDER BY id LIMIT 1000`);
    for (let after = ''; ; ) {
      const chunk = page.all(after) as Array<{ id: string; doc: string }>;
      if (chunk.length === 0) break;
      after = chunk[chunk.length - 1].id;
      const docs = chunk.map((r): [string, unknown] => [`${table}:${r.id}`, JSON.parse(r.doc)]);
      for (const r of chunk) bytes += r.doc.length;
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      batch(docs);
      cpu += cpuSecondsSince(cpuStarted);
      ms += performance.now() - started;
      rows += chunk.length;
    }
  }
  source.close();
  db.close();
  return { rows, bytes, seconds: ms / 1000, cpu };
}

/** CPU time of this process (every thread) since `from`, in seconds: it swings far less than wall time on a shared machine. */
function cpuSecondsSince(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1e6;
}
/** The CPU time of the last `rebuild()`. */
let lastCpuSeconds = 0;

/** Counts the documents a rebuild writes: the baseline stores as many. */
class CountingReadStore extends SqliteReadStore {
  puts = 0;

  override async commit(writes: WriteSet): Promise<void> {
    this.puts += writes.puts.length;
    return super.commit(writes);
  }
}

async function rebuild(events: SqliteEventStore, dir: string, projections: Projection[] = ALL_PROJECTIONS, file = 'read-models.sqlite', readStore = new CountingReadStore(join(dir, file), { walCheckpoints: 'inline' })): Promise<number> {
  const runner = new ProjectionRunner('bench', events, readStore, projections, { batchSize: REBUILD_BATCH_SIZE });
  const head = (await events.headPosition())!;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  await runner.start();
  while (!(await runner.waitFor(head, projections.map((p) => p.name), 1000))) {
    /* waiting for the rebuild to reach the head */
  }
  const seconds = (performance.now() - started) / 1000;
  lastCpuSeconds = cpuSecondsSince(cpuStarted);
  await runner.stop();
  await readStore.close();
  return seconds;
}

/** The measured part, in a fresh process so that its peak RSS is the rebuild's own. */
async function measure(dir: string, count: number): Promise<void> {
  // Repeatable on a kept directory (BENCH_KEEP): start from no read models and no baseline table.
  for (const f of readdirSync(dir)) if (f.startsWith('baseline.') || f.startsWith('read-models.')) rmSync(join(dir, f));
  const events = new SqliteEventStore(join(dir, 'events.sqlite'));
  const readStore = new CountingReadStore(join(dir, 'read-models.sqlite'), { walCheckpoints: 'inline' });
  const seconds = await rebuild(events, dir, ALL_PROJECTIONS, 'read-models.sqlite', readStore);
  const cpu = lastCpuSeconds;
  await events.close();
  const rss = peakRss(); // the rebuild's own peak, before the baseline runs
  const baseline = plainInsertOf(dir, 'read-models.sqlite');
  printTable('rebuild of every read model (embedded stores)', [
    ['events', count.toLocaleString()],
    ['rebuild time', `${seconds.toFixed(2)} s`],
    ['rebuild rate', `${Math.round(count / seconds).toLocaleString()} events/s (target ≥ 100,000)`],
    ['documents written by the rebuild', `${fmt(readStore.puts)} (${fmt(baseline.rows)} stored, ${(baseline.bytes / 1e6).toFixed(1)} MB of JSON)`],
    ['baseline: plain batched insert of the stored documents', `${baseline.seconds.toFixed(2)} s = ${fmt(baseline.rows / baseline.seconds)} rows/s`],
    ['rebuild time / baseline time', `${(seconds / baseline.seconds).toFixed(2)}×`],
    ['CPU: rebuild / baseline', `${cpu.toFixed(2)} s (${((cpu / count) * 1e6).toFixed(1)} µs per event) / ${baseline.cpu.toFixed(2)} s = ${(cpu / baseline.cpu).toFixed(2)}×`],
    ['peak RSS of the rebuild process', `${rss} MB (target ≤ 300; node ${process.execArgv.filter((a) => a.startsWith('--max')).join(' ')})`],
  ]);
  summaryRow({
    workload: `rebuild every read model (${fmt(count)} account and organization events)`,
    baseline: `plain batched insert of the ${fmt(baseline.rows)} documents it stored: ${baseline.seconds.toFixed(2)} s, ${baseline.cpu.toFixed(1)} s CPU`,
    figure: `${seconds.toFixed(2)} s = ${fmt(count / seconds)} events/s, ${cpu.toFixed(1)} s CPU, peak RSS ${rss} MB`,
    ratio: `${(seconds / baseline.seconds).toFixed(2)}× its time (CPU ${(cpu / baseline.cpu).toFixed(2)}×)`,
    target: '≤ 2×',
  });
}

/** (b): `mirroring` alone, rebuilt on the account events and on the CRM store, then the plain insert; one process. */
async function measureCrm(dir: string, crmDir: string, count: number, crmCount: number): Promise<void> {
  for (const d of [dir, crmDir]) for (const f of readdirSync(d)) if (f.startsWith('baseline.') || f.startsWith('mirroring.')) rmSync(join(d, f));
  const mirroring = ALL_PROJECTIONS.filter((p) => p.name === 'mirroring');
  const accountEvents = new SqliteEventStore(join(dir, 'events.sqlite'));
  const onAccounts = await rebuild(accountEvents, dir, mirroring, 'mirroring.sqlite');
  await accountEvents.close();
  const crmEvents = new SqliteEventStore(join(crmDir, 'events.sqlite'));
  const onCrm = await rebuild(crmEvents, crmDir, mirroring, 'mirroring.sqlite');
  await crmEvents.close();
  const rss = peakRss();
  const baseline = plainInsert(crmDir, crmCount);
  const accountsRate = count / onAccounts;
  const crmRate = crmCount / onCrm;
  printTable('rebuild of the mirroring read model (embedded stores)', [
    ['on the account and organization events', `${fmt(count)} events in ${onAccounts.toFixed(2)} s = ${fmt(accountsRate)} events/s`],
    [`on CRM data: ${fmt(CRM_CONTACTS)} contacts in a mirroring source`, `${fmt(crmCount)} events in ${onCrm.toFixed(2)} s = ${fmt(crmRate)} events/s (target ≥ 50,000)`],
    ['baseline: plain batched SQLite insert of as many rows', `${baseline.toFixed(2)} s = ${fmt(crmCount / baseline)} rows/s → ${(onCrm / baseline).toFixed(2)}× its time`],
    ['peak RSS of the process', `${rss} MB`],
  ]);
  summaryRow({
    workload: `rebuild \`mirroring\`, ${fmt(CRM_CONTACTS)} contacts in a mirroring source (${fmt(crmCount)} events)`,
    baseline: `the same rebuild on account events: ${fmt(accountsRate)} events/s; plain insert: ${fmt(crmCount / baseline)} rows/s`,
    figure: `${fmt(crmRate)} events/s (${onCrm.toFixed(1)} s)`,
    ratio: `${(crmRate / accountsRate).toFixed(2)} of the account-event rate; ${(onCrm / baseline).toFixed(2)}× the insert's time`,
    target: '≥ 50k events/s',
  });
}

async function main(): Promise<void> {
  if (process.argv[2] === '--measure') return measure(process.argv[3], Number(process.argv[4]));
  if (process.argv[2] === '--measure-crm') return measureCrm(process.argv[3], process.argv[4], Number(process.argv[5]), Number(process.argv[6]));
  const dir = mkdtempSync(join(tmpdir(), 'mam-bench-'));
  const crmDir = join(dir, 'crm');
  try {
    const generate1 = async (d: string, what: string, appends: Iterable<StreamAppend>) => {
      const events = new SqliteEventStore(join(d, 'events.sqlite'));
      process.stdout.write(`generating ${what}… `);
      const loadStarted = performance.now();
      const n = await load(events, appends);
      await events.close();
      process.stdout.write(`${n.toLocaleString()} events in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s\n`);
      return n;
    };
    const count = await generate1(dir, 'account and organization events', generate(N));
    const crmCount = await generate1(crmDir, `CRM data, ${CRM_CONTACTS.toLocaleString()} contacts in a mirroring source`, generateCrm(CRM_CONTACTS));
    // The live data of a rebuild is one batch: a capped old space shows it (V8 otherwise grows the heap
    // lazily to ~400 MB); a young generation of 16 MB semi-spaces keeps per-batch garbage out of the old one.
    const run = (args: string[], flags = HEAP_FLAGS) => {
      const child = spawnSync(process.execPath, [...flags, ...process.execArgv, __filename, ...args], { stdio: 'inherit' });
      if (child.status !== 0) throw new Error(`the measuring process failed (${child.status ?? child.signal})`);
    };
    run(['--measure', dir, String(count)]);
    run(['--measure-crm', dir, crmDir, String(count), String(crmCount)], ['--max-semi-space-size=16']);
  } finally {
    if (process.env.BENCH_KEEP) console.log(dir);
    else rmSync(dir, { recursive: true, force: true });
  }
}

void main();
