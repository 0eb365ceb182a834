/**
 * Bulk sync over HTTP: `POST /v1/accounts/:id/contacts:batch` of 1000
 * upserts, 4 batches in flight, against the BUILT service in its own process
 * (embedded stores, production settings):
 *   (a) into a plain account (BENCH_SYNC_BATCHES, default 60 batches);
 *   (b) into an account that is a mirroring source S → T, where T holds a
 *       matching contact for each (BENCH_SYNC_MIRROR_BATCHES, default 40).
 * Prints the acknowledged rate (the last answer comes after its commit),
 * how far the read models are behind at the last answer (a GET with
 * X-Min-Position of the last answer, repeated until it is served), and the
 * end-to-end rate. Baseline in the same run: a plain batched better-sqlite3
 * insert of as many rows (1000 per transaction, WAL, synchronous=FULL).
 *
 *   npm run bench:bulk-sync    BENCH_NO_BUILD=1 reuses dist/, BENCH_CPU_PROF=<dir>
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestApp } from '../apps/api/test/test-app';
import { STEP_UP_SECRET } from '../apps/api/test/test-app';
import { eligibleAccounts, features, givenOrganization, type Eligible } from '../apps/api/test/fixtures';
import { api, buildService, cpuMs, startService, type Service } from './http/processes';
import { fmt, load, perSecond, summaryRow } from './report';

const BATCHES = Number(process.env.BENCH_SYNC_BATCHES ?? 60);
const MIRROR_BATCHES = Number(process.env.BENCH_SYNC_MIRROR_BATCHES ?? 40);
const SIZE = 1000;
const IN_FLIGHT = 4;
const VIEWER = 'bench-viewer';

const upsert = (prefix: string, i: number, email = `Contact.${i}@Example.com`) => ({
  contactId: `${prefix}${i}`,
  email,
  firstName: `First${i}`,
  lastName: `Last${i}`,
  properties: { company: `Company ${i % 997}`, city: 'Dublin', lifecycle: 'lead' },
});

/** The shared fixtures drive a TestApp through `request`; here the same requests go to the service over HTTP. */
function remote(service: Service): TestApp {
  return {
    request: async (method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) => {
      const answer = await api(service.url, method, path, options.body, options.headers);
      return { ...answer, headers: {} };
    },
  } as unknown as TestApp;
}

function baseline(dir: string, rows: number): number {
  const db = new Database(join(dir, 'baseline.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE contacts (position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO contacts (id, doc) VALUES (?, ?)');
  const batch = db.transaction((from: number) => {
    for (let i = from; i < from + SIZE; i++) insert.run(`c${i}`, JSON.stringify(upsert('c', i)));
  });
  const started = performance.now();
  for (let i = 0; i < rows; i += SIZE) batch(i);
  const ms = performance.now() - started;
  db.close();
  return perSecond(rows, ms);
}

interface SyncFigures {
  ackRate: number;
  lagMs: number;
  endToEndRate: number;
  maxBatchMs: number;
  /** The service process's CPU time per contact, from the first batch until the read models showed the last. */
  cpuUs: number | null;
}

/** `batches` batches of SIZE upserts, IN_FLIGHT at a time; then waits for the read models to reach the last answer. */
async function sync(service: Service, accountId: string, prefix: string, batches: number, email?: (i: number) => string): Promise<SyncFigures> {
  let next = 0;
  let last = 0n;
  let maxBatchMs = 0;
  const cpuBefore = cpuMs(service.process);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < batches) {
        const b = next++;
        const upserts = Array.from({ length: SIZE }, (_, k) => upsert(prefix, b * SIZE + k, email?.(b * SIZE + k)));
        const sent = performance.now();
        const res = await api(service.url, 'POST', `/v1/accounts/${accountId}/contacts:batch`, { upserts, deletes: [] });
        if (res.status !== 200) throw new Error(`contacts:batch: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        maxBatchMs = Math.max(maxBatchMs, performance.now() - sent);
        if (BigInt(res.body.position) > last) last = BigInt(res.body.position);
      }
    }),
  );
  const acknowledged = performance.now();
  for (;;) {
    const res = await api(service.url, 'GET', `/v1/accounts/${accountId}/mirrored-contacts?limit=1`, undefined, { 'x-actor-user-id': VIEWER, 'x-min-position': last.toString() });
    if (res.status === 200) break;
    if (res.status !== 503) throw new Error(`GET mirrored-contacts: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const visible = performance.now();
  const cpuAfter = cpuMs(service.process);
  const contacts = batches * SIZE;
  const cpuUs = cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1000) / contacts;
  return { ackRate: perSecond(contacts, acknowledged - started), lagMs: visible - acknowledged, endToEndRate: perSecond(contacts, visible - started), maxBatchMs, cpuUs };
}

async function viewer(service: Service, accountId: string): Promise<void> {
  const res = await api(service.url, 'PUT', `/v1/accounts/${accountId}/users/${VIEWER}`, { roles: [], seats: ['sales'] });
  if (res.status !== 200) throw new Error(`PUT user: ${res.status} ${JSON.stringify(res.body)}`);
}

async function main(): Promise<void> {
  buildService();
  const dir = mkdtempSync(join(tmpdir(), 'mam-bench-sync-'));
  console.log(`bulk sync: contacts:batch of ${SIZE}, ${IN_FLIGHT} in flight; ${BATCHES} batches into a plain account, ${MIRROR_BATCHES} into a mirroring source; load average ${load()}`);
  try {
    const plainRate = baseline(dir, BATCHES * SIZE);
    console.log(`  baseline: plain batched better-sqlite3 insert, ${SIZE} rows per transaction: ${fmt(plainRate)} rows/s`);
    const service = await startService(join(dir, 'data'), { STEP_UP_SECRET });
    try {
      const t = remote(service);
      const e: Eligible = await eligibleAccounts(t, 3, 'sync');
      const [S, T] = e.others;
      const plain = e.primary;
      for (const a of [plain, S, T]) await viewer(service, a);
      await givenOrganization(t, e, { connections: [{ accounts: [S, T], direction: 'one-way', from: S, features: features({ dataMirroring: true }) }] });
      // (a) a plain account (the organization's primary: no flow starts or ends there).
      await sync(service, plain, 'w', 2); // warm-up (not counted)
      const a = await sync(service, plain, 'p', BATCHES);
      console.log(`  (a) plain account: ${fmt(a.ackRate)} contacts/s acknowledged (slowest batch ${a.maxBatchMs.toFixed(0)} ms), read models ${a.lagMs.toFixed(0)} ms behind at the last answer, ${fmt(a.endToEndRate)} contacts/s end to end; service CPU ${a.cpuUs?.toFixed(0)} µs per contact`);
      summaryRow({
        workload: `contacts:batch of ${SIZE}, ${IN_FLIGHT} in flight, ${BATCHES} batches`,
        baseline: `plain batched insert: ${fmt(plainRate)} rows/s`,
        figure: `${fmt(a.ackRate)} contacts/s acknowledged, read models ${(a.lagMs / 1000).toFixed(2)} s behind at the end; ${a.cpuUs?.toFixed(0)} µs service CPU per contact`,
        ratio: `${(a.ackRate / plainRate).toFixed(2)} of it`,
        target: '≥ 30k contacts/s acknowledged, ≤ 0.5 s behind',
      });
      // (b) S is a mirroring source into T, and T holds a matching contact (other spelling, M1) for each.
      await sync(service, T, 't', MIRROR_BATCHES, (i) => ` contact.${i}@example.com`);
      const b = await sync(service, S, 's', MIRROR_BATCHES);
      console.log(`  (b) mirroring source: ${fmt(b.ackRate)} contacts/s acknowledged, read models ${b.lagMs.toFixed(0)} ms behind at the last answer, ${fmt(b.endToEndRate)} contacts/s end to end; service CPU ${b.cpuUs?.toFixed(0)} µs per contact`);
      const sample = await api(service.url, 'GET', `/v1/accounts/${T}/contacts/t${MIRROR_BATCHES * SIZE - 1}/mirrored`, undefined, { 'x-actor-user-id': VIEWER });
      if (sample.status !== 200 || sample.body.sources?.[0]?.contactId !== `s${MIRROR_BATCHES * SIZE - 1}`) throw new Error(`the last target's view does not show its source: ${sample.status} ${JSON.stringify(sample.body)}`);
      summaryRow({
        workload: `contacts:batch into a mirroring source, ${MIRROR_BATCHES} × ${SIZE}`,
        baseline: `the same into a plain account: ${fmt(a.ackRate)}/s acknowledged, ${fmt(a.endToEndRate)}/s end to end`,
        figure: `${fmt(b.ackRate)} contacts/s acknowledged, ${(b.lagMs / 1000).toFixed(2)} s behind: ${fmt(b.endToEndRate)} contacts/s end to end; ${b.cpuUs?.toFixed(0)} µs service CPU per contact`,
        ratio: `${(b.endToEndRate / a.endToEndRate).toFixed(2)} of plain end to end`,
        target: '≥ 20k contacts/s end to end',
      });
    } finally {
      await service.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
