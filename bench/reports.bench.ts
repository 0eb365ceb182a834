/**
 * Multi-account reports benchmark (R5/R6 at scale). Run from the repo root:
 *
 *   node -r @swc-node/register bench/reports.bench.ts
 *
 * Env knobs: BENCH_REPORT_CONTACTS (default 1000000, across 5 accounts),
 * BENCH_SMALL_CONTACTS (10000), BENCH_READ_RATE (200/s), BENCH_UPDATE_RATE
 * (500/s), BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_KEEP_DATA=1.
 *
 * Set-up (not measured): two organizations of 5 accounts, each source with a
 * reporting flow into the primary; N contacts across the first's accounts and
 * 10k across the second's, each with a `region` property of 10 values,
 * appended straight through the EventStore port; projections catch up.
 * (a) Back-fill: POST a report grouped by account and property:region over
 *     all 5 accounts, and time until GET results with X-Min-Position of the
 *     answer returns its rows (target ≤ 5 s for 1M); the same for the report
 *     over 10k contacts, as the baseline of the same run.
 * (b) Reads at BENCH_READ_RATE/s of the big report's results over real HTTP
 *     while contact updates (each moving a contact to another region) arrive
 *     at BENCH_UPDATE_RATE/s, both open-loop from worker threads; then the same
 *     reads of the 10k-contact report under the same updates. Target p99 ≤ 20
 *     ms and a ratio of about 1. Figures are printed, never asserted.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { contactStream } from '@mam/domain';
import type { StreamAppend } from '@mam/event-store';
import { ProjectionsService } from '../apps/api/src/projections/projections.service';
import { reportsProjection } from '../apps/api/src/reports/report.projection';
import { ReportQueries } from '../apps/api/src/reports/report.queries';
import { SagasService } from '../apps/api/src/sagas/sagas.service';
import { TestApp, TOKEN } from '../apps/api/test/test-app';
import { eligibleAccounts, features, ok, orgHeaders, postOrganization } from '../apps/api/test/fixtures';
import { load as loadAverage, summaryRow } from './report';

const N = Number(process.env.BENCH_REPORT_CONTACTS ?? 1_000_000);
const SMALL = Number(process.env.BENCH_SMALL_CONTACTS ?? 10_000);
const READ_RATE = Number(process.env.BENCH_READ_RATE ?? 200);
const UPDATE_RATE = Number(process.env.BENCH_UPDATE_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const ACCOUNTS = 5;
const REGIONS = 10;
const CHUNK = 1000;

const log = (...args: unknown[]) => console.log(...args);
const ms = (n: number) => `${n.toFixed(1)} ms`;
const percentile = (s: number[], p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN);
const summary = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return `p50 ${ms(percentile(s, 50))}  p95 ${ms(percentile(s, 95))}  p99 ${ms(percentile(s, 99))}  max ${ms(s[s.length - 1] ?? NaN)}  (n=${s.length})`;
};

interface Org {
  user: string;
  organizationId: string;
  accounts: string[];
}

async function organization(t: TestApp, prefix: string): Promise<Org> {
  const e = await eligibleAccounts(t, ACCOUNTS, prefix);
  const connections = e.others.map((id) => ({ accounts: [id, e.primary] as [string, string], direction: 'one-way' as const, from: id, features: features({ reporting: true }) }));
  const org = await ok(postOrganization(t, e.user, { primaryAccountId: e.primary, additionalAccountIds: e.others, connections }), 201);
  return { user: e.user, organizationId: org.organizationId, accounts: [e.primary, ...e.others] };
}

/** `count` contacts spread over the accounts, contact i in account i % 5 with region (i / 5) % 10: every account has every region. */
async function load(t: TestApp, org: Org, count: number): Promise<void> {
  const at = new Date().toISOString();
  for (let from = 0; from < count; from += CHUNK) {
    const appends: StreamAppend[] = [];
    for (let i = from; i < Math.min(count, from + CHUNK); i++) {
      const accountId = org.accounts[i % ACCOUNTS];
      const contactId = `c${i}`;
      const streamId = contactStream(accountId, contactId);
      const data = { accountId, contactId, email: `c${i}@example.com`, firstName: `First${i}`, properties: { region: `r${Math.floor(i / ACCOUNTS) % REGIONS}`, city: 'Dublin' } };
      appends.push({ streamId, expected: 'no_stream', events: [{ id: `bench-${streamId}`, type: 'ContactUpserted', data, metadata: { at, correlationId: 'bench-load' } }] });
    }
    await t.events.appendMany(appends);
  }
}

/** Projections and sagas at the head: a saga still reading a million events behind would share the CPU with the measured run. */
async function caughtUp(t: TestApp): Promise<void> {
  const projections = t.app.get(ProjectionsService);
  const head = await t.headPosition();
  if (!(await projections.waitFor(head, projections.runner.projections.map((p) => p.name), 30 * 60_000))) throw new Error('projections did not catch up');
  const sagas = t.app.get(SagasService);
  for (;;) {
    const infos = await sagas.info();
    if (infos.every((i) => i.position !== null && BigInt(i.position) >= head)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const definition = (org: Org) => ({
  name: 'Contacts by account and region',
  destinationAccountId: org.accounts[0],
  sourceAccountIds: org.accounts.slice(1),
  object: 'contacts',
  groupBy: ['account', 'property:region'],
  measures: ['count'],
});

/** POST the report, then GET its results with the answer's position until they are there: the back-fill as a reader sees it. */
async function backfill(t: TestApp, org: Org): Promise<{ reportId: string; ms: number; rows: number; total: number }> {
  const started = performance.now();
  const res = await ok(t.request('POST', `/v1/organizations/${org.organizationId}/reports`, { body: definition(org), headers: await orgHeaders(org.user) }), 201);
  for (;;) {
    const got = await t.read(`/v1/reports/${res.reportId}/results`, res.position, { 'x-actor-user-id': org.user });
    if (got.status === 200) {
      const total = got.body.rows.reduce((n: number, r: { count: number }) => n + r.count, 0);
      return { reportId: res.reportId, ms: performance.now() - started, rows: got.body.rows.length, total };
    }
    if (got.status !== 503) throw new Error(`GET results: ${got.status} ${JSON.stringify(got.body)}`);
  }
}

/** Open-loop HTTP client in a worker thread: reads of a report's results, or contact updates that move contacts between regions. */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const http = require('node:http');
const { port, token, user, mode, rate, durationMs, reportId, accounts, count, offset } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const headers = { authorization: 'Bearer ' + token, 'x-actor-user-id': user };
function request(method, path, body) {
  return new Promise((resolve, reject) => {
    const h = body === undefined ? headers : { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: h, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
const latencies = [];
const errors = [];
async function one(seq) {
  const started = performance.now();
  let res;
  if (mode === 'read') res = await request('GET', '/v1/reports/' + reportId + '/results');
  else {
    const i = (offset + seq * 7919) % count;
    const body = JSON.stringify({ email: 'c' + i + '@example.com', firstName: 'First' + i, properties: { region: 'r' + ((i + seq + 1) % 10), city: 'Dublin' } });
    res = await request('PUT', '/v1/accounts/' + accounts[i % accounts.length] + '/contacts/c' + i, body);
  }
  if (res.status !== 200) errors.push(res.status + ' ' + res.text.slice(0, 200));
  else latencies.push(performance.now() - started);
}
(async () => {
  const tasks = [];
  let issued = 0;
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    const due = Math.floor(((performance.now() - started) * rate) / 1000);
    while (issued < due) tasks.push(one(issued++).catch((e) => errors.push(String(e))));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(tasks);
  agent.destroy();
  parentPort.postMessage({ latencies, errors: errors.slice(0, 3), errorCount: errors.length, issued });
})();
`;

interface ClientReport {
  latencies: number[];
  errors: string[];
  errorCount: number;
  issued: number;
}

const client = (data: Record<string, unknown>) =>
  new Promise<ClientReport>((resolve, reject) => {
    const worker = new Worker(CLIENT, { eval: true, workerData: data });
    worker.once('message', (m) => resolve(m as ClientReport));
    worker.once('error', reject);
  });

/**
 * Baseline of (a): the least a back-fill can cost on this store, in this run —
 * a bare SQLite range scan of the same contact rows with a JSON.parse each,
 * on a read-only connection to the read-model file, nothing counted or written.
 */
function bareScan(dataDir: string, accounts: string[]): number {
  const db = new Database(join(dataDir, 'read-models.sqlite'), { readonly: true });
  const select = db.prepare('SELECT doc FROM "rm_rpt_contacts" WHERE id >= ? AND id < ?');
  const started = performance.now();
  let rows = 0;
  for (const a of accounts) {
    for (const row of select.iterate(`${a}|`, `${a}}`) as Iterable<{ doc: string }>) {
      JSON.parse(row.doc);
      rows += 1;
    }
  }
  const elapsed = performance.now() - started;
  db.close();
  if (rows === 0) throw new Error('bare scan found no rows');
  return elapsed;
}

/** Time the reports projection spends per contact event (its share of an update's cost). */
const applied = { events: 0, ms: 0 };
const apply = reportsProjection.apply.bind(reportsProjection);
(reportsProjection as { apply: typeof apply }).apply = async (event, tx) => {
  if (event.type !== 'ContactUpserted') return apply(event, tx);
  const started = performance.now();
  await apply(event, tx);
  applied.events += 1;
  applied.ms += performance.now() - started;
};

/** CPU time of the main thread (the service's event loop) in ms, where Linux tells it; the clients run on other threads. */
function mainThreadCpuMs(): number | null {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mam-bench-reports-'));
  log(`load average ${loadAverage()}`);
  log(`reports bench: ${N} contacts across ${ACCOUNTS} accounts (and ${SMALL} in a second organization); reads ${READ_RATE}/s during ${UPDATE_RATE} updates/s for ${SECONDS} s`);
  log(`DATA_DIR ${dataDir}; node ${process.version}; figures taken on a shared machine, compare the ratios`);
  const t = await TestApp.start({}, dataDir);
  try {
    const big = await organization(t, 'rbig');
    const small = await organization(t, 'rsmall');
    let started = performance.now();
    await load(t, big, N);
    await load(t, small, SMALL);
    log(`load: ${N + SMALL} contact events appended in ${ms(performance.now() - started)} — not measured`);
    started = performance.now();
    await caughtUp(t);
    log(`catch-up: every projection reached position ${await t.headPosition()} in ${ms(performance.now() - started)} — not measured`);

    // ── (a) back-fill ─────────────────────────────────────────────────────
    const smallReport = await backfill(t, small);
    const bigReport = await backfill(t, big);
    log('');
    log('(a) back-fill of a new report (POST → results readable with X-Min-Position)');
    log(`    ${N} contacts: ${ms(bigReport.ms)}   (target ≤ 5000 ms; ${bigReport.rows} rows counting ${bigReport.total} contacts; ${((bigReport.ms * 1000) / N).toFixed(2)} µs per contact)`);
    log(`    baseline, ${SMALL} contacts: ${ms(smallReport.ms)}   (${smallReport.rows} rows counting ${smallReport.total}; ${((smallReport.ms * 1000) / SMALL).toFixed(2)} µs per contact)`);
    const bare = bareScan(dataDir, big.accounts);
    log(`    baseline, a bare SQLite range scan + JSON.parse of the same ${N} rows: ${ms(bare)} → back-fill ${(bigReport.ms / bare).toFixed(2)}× its time`);
    summaryRow({
      workload: `report back-fill, ${N} contacts / 5 accounts`,
      baseline: `bare scan of the rows: ${ms(bare)}; ${SMALL} contacts: ${ms(smallReport.ms)}`,
      figure: ms(bigReport.ms),
      ratio: `${(bigReport.ms / bare).toFixed(2)}× the bare scan`,
      target: '≤ 5000 ms',
    });

    // The service's own cost of a read, without HTTP or queueing: the two reports read in turn, so load hits both alike.
    const queries = t.app.get(ReportQueries);
    const inProcess = { big: [] as number[], small: [] as number[] };
    for (let i = 0; i < 2000; i++) {
      const [which, report, org] = i % 2 ? (['big', bigReport, big] as const) : (['small', smallReport, small] as const);
      const started = performance.now();
      await queries.results(report.reportId, org.user);
      inProcess[which].push(performance.now() - started);
    }
    const med = (l: number[]) => percentile([...l].sort((a, b) => a - b), 50);
    log('');
    log('    results query in process (no HTTP), the two reports in turn:');
    log(`    ${N} contacts: ${summary(inProcess.big)}`);
    log(`    ${SMALL} contacts: ${summary(inProcess.small)}   → ratio p50 ${(med(inProcess.big) / med(inProcess.small)).toFixed(2)}×`);
    summaryRow({
      workload: `report results query in process, ${N} contacts`,
      baseline: `${SMALL} contacts: p50 ${ms(med(inProcess.small))}`,
      figure: `p50 ${ms(med(inProcess.big))}`,
      ratio: `${(med(inProcess.big) / med(inProcess.small)).toFixed(2)}×`,
      target: 'ratio ≈ 1',
    });

    // ── (b) reads under updates ───────────────────────────────────────────
    await t.app.listen(0, '127.0.0.1');
    const port = (t.app.getHttpServer().address() as { port: number }).port;
    const updates = { port, token: TOKEN, user: big.user, mode: 'update', rate: UPDATE_RATE, accounts: big.accounts, count: N };
    const reads = (reportId: string, user: string) => ({ port, token: TOKEN, user, mode: 'read', rate: READ_RATE, reportId });
    const phase = async (reportId: string, user: string, seconds: number, offset: number) => {
      const [r, u] = await Promise.all([
        client({ ...reads(reportId, user), durationMs: seconds * 1000 }),
        client({ ...updates, durationMs: seconds * 1000, offset }),
      ]);
      await caughtUp(t);
      return { r, u };
    };
    const warm = await phase(bigReport.reportId, big.user, WARMUP_SECONDS, 1);
    applied.events = 0;
    applied.ms = 0;
    const cpuBefore = mainThreadCpuMs();
    const bigRun = await phase(bigReport.reportId, big.user, SECONDS, 3);
    const cpu = cpuBefore === null ? null : mainThreadCpuMs()! - cpuBefore;
    const perUpdate = { events: applied.events, ms: applied.ms };
    const smallRun = await phase(smallReport.reportId, small.user, SECONDS, 5);
    const quiet = await client({ ...reads(bigReport.reportId, big.user), durationMs: Math.min(SECONDS, 5) * 1000 });
    const p99 = (l: number[]) => percentile([...l].sort((a, b) => a - b), 99);
    const p50 = (l: number[]) => percentile([...l].sort((a, b) => a - b), 50);
    log('');
    log(`(b) GET results at ${READ_RATE}/s while ${UPDATE_RATE} contact updates/s arrive (clients in worker threads, real HTTP)`);
    log(`    warm-up ${WARMUP_SECONDS} s (not counted): reads ${summary(warm.r.latencies)}`);
    log(`    report over ${N} contacts:  ${summary(bigRun.r.latencies)}   (target p99 ≤ 20 ms; errors ${bigRun.r.errorCount}${bigRun.r.errors[0] ? ` e.g. ${bigRun.r.errors[0]}` : ''})`);
    log(`        updates meanwhile: ${summary(bigRun.u.latencies)}, errors ${bigRun.u.errorCount}${bigRun.u.errors[0] ? ` e.g. ${bigRun.u.errors[0]}` : ''}`);
    log(`    report over ${SMALL} contacts: ${summary(smallRun.r.latencies)}   (errors ${smallRun.r.errorCount})`);
    log(`        updates meanwhile: ${summary(smallRun.u.latencies)}, errors ${smallRun.u.errorCount}`);
    if (cpu !== null) log(`    service main thread CPU per request (HTTP, commands, projections, sagas): ${((cpu * 1000) / (bigRun.u.latencies.length + bigRun.r.latencies.length)).toFixed(0)} µs`);
    log(`    reports projection per contact update: ${((perUpdate.ms * 1000) / Math.max(1, perUpdate.events)).toFixed(0)} µs (${perUpdate.events} updates)`);
    log(`    ratio big / small: p50 ${(p50(bigRun.r.latencies) / p50(smallRun.r.latencies)).toFixed(2)}×, p99 ${(p99(bigRun.r.latencies) / p99(smallRun.r.latencies)).toFixed(2)}×`);
    log(`    baseline, big report read with no updates: ${summary(quiet.latencies)}`);
    summaryRow({
      workload: `report results read, ${READ_RATE}/s during ${UPDATE_RATE} updates/s, ${N} contacts`,
      baseline: `same read, ${SMALL} contacts: p99 ${ms(p99(smallRun.r.latencies))}`,
      figure: `p99 ${ms(p99(bigRun.r.latencies))}`,
      ratio: `${(p99(bigRun.r.latencies) / p99(smallRun.r.latencies)).toFixed(2)}× (p50 ${(p50(bigRun.r.latencies) / p50(smallRun.r.latencies)).toFixed(2)}×)`,
      target: 'p99 ≤ 20 ms, ratio ≈ 1',
    });
  } finally {
    await t.close({ keepData: process.env.BENCH_KEEP_DATA === '1' });
  }
  log('');
  log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (process, incl. the client workers)`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
