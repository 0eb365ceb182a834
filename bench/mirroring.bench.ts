/**
 * Mirroring benchmark (M2/M4 at scale). Run from the repo root:
 *
 *   node -r @swc-node/register bench/mirroring.bench.ts
 *
 * Env knobs: BENCH_CONTACTS (default 100000), BENCH_RATE (updates/s, 1000),
 * BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (5), BENCH_EXTRA_RATES (lower rates also run for 5 s each,
 * default "100,300"; empty for none), BENCH_KEEP_DATA=1 keeps the temp DATA_DIR,
 * BENCH_CPU_PROF=<dir> writes a .cpuprofile of the service thread during the measured updates.
 *
 * (a) On the embedded stores in a temp dir: loads N source contacts (each with
 *     2 activities and 1 deal) and N matching target contacts straight through
 *     the EventStore port (appendMany; the load is not measured), waits until
 *     projections and sagas have caught up, then turns mirroring S → T on with
 *     PUT connections and measures the time until the views are queryable: GET
 *     with X-Min-Position of the command's answer returns 200 and a sample view
 *     has its source. Target ≤ 2 s.
 * (b) Drives source contact updates at BENCH_RATE/s for BENCH_SECONDS over real
 *     HTTP (127.0.0.1; the client runs in a worker thread so it does not share
 *     the server's event loop) and measures, per update, the time from sending
 *     the PUT until a GET of the matching view shows the new value. Target
 *     p99 ≤ 50 ms, in steady state: a warm-up at the same rate comes first
 *     (V8 compiles the hot paths only after many calls; a cold start queues up
 *     for about a second). Its figures are printed too, not counted.
 *
 * Baselines in the same run: (a) a plain batched SQLite insert of as many rows
 * as the back-fill writes; (b) GETs of a view alone at the same rate, no
 * writes. Figures are printed, never asserted.
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { contactStream, dealStream } from '@mam/domain';
import type { NewEvent, StreamAppend } from '@mam/event-store';
import { ProjectionsService } from '../apps/api/src/projections/projections.service';
import { SagasService } from '../apps/api/src/sagas/sagas.service';
import { TestApp, TOKEN } from '../apps/api/test/test-app';
import { eligibleAccounts, features, givenOrganization, ok, orgHeaders } from '../apps/api/test/fixtures';
import { summaryRow } from './report';

const N = Number(process.env.BENCH_CONTACTS ?? 100_000);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const EXTRA_RATES = (process.env.BENCH_EXTRA_RATES ?? '100,300').split(',').filter(Boolean).map(Number);
const CHUNK = 1000;

const ms = (n: number) => `${n.toFixed(1)} ms`;
const log = (...args: unknown[]) => console.log(...args);
let peakRss = 0;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage.rss()));
const rssTimer = setInterval(sampleRss, 200);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
function summary(values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  return `p50 ${ms(percentile(s, 50))}  p95 ${ms(percentile(s, 95))}  p99 ${ms(percentile(s, 99))}  max ${ms(s[s.length - 1] ?? NaN)}  (n=${s.length})`;
}

const pad = (i: number) => String(i).padStart(6, '0');
const sourceId = (i: number) => `s${pad(i)}`;
const targetId = (i: number) => `t${pad(i)}`;
/** Source and target spell the email differently: M1 matches trimmed and case-insensitively. */
const sourceEmail = (i: number) => `Contact.${i}@Example.com`;
const targetEmail = (i: number) => `contact.${i}@example.com`;
const sourceFields = (i: number) => ({ email: sourceEmail(i), firstName: `First${i}`, lastName: `Last${i}`, properties: { company: `Company ${i % 997}`, city: 'Dublin' } });

function ev(id: string, type: string, data: unknown, at: string): NewEvent {
  return { id, type, data, metadata: { at, correlationId: 'bench-load' } };
}

async function load(t: TestApp, S: string, T: string): Promise<number> {
  const at = new Date().toISOString();
  let events = 0;
  for (let from = 0; from < N; from += CHUNK) {
    const appends: StreamAppend[] = [];
    for (let i = from; i < Math.min(N, from + CHUNK); i++) {
      const c = sourceId(i);
      const stream = contactStream(S, c);
      appends.push({
        streamId: stream,
        expected: 'no_stream',
        events: [
          ev(`bench-${stream}-0`, 'ContactUpserted', { accountId: S, contactId: c, ...sourceFields(i) }, at),
          ev(`bench-${stream}-1`, 'ActivityLogged', { accountId: S, contactId: c, activityId: `a${i}-1`, type: 'call', occurredAt: '2026-01-01T10:00:00Z', summary: 'Intro call' }, at),
          ev(`bench-${stream}-2`, 'ActivityLogged', { accountId: S, contactId: c, activityId: `a${i}-2`, type: 'meeting', occurredAt: '2026-02-01T10:00:00Z', summary: 'Demo' }, at),
        ],
      });
      const deal = dealStream(S, `d${pad(i)}`);
      appends.push({
        streamId: deal,
        expected: 'no_stream',
        events: [ev(`bench-${deal}-0`, 'DealSaved', { accountId: S, dealId: `d${pad(i)}`, name: `Deal ${i}`, stage: 'qualified', amount: 1000 + i, contactIds: [c] }, at)],
      });
      events += 4;
    }
    await t.events.appendMany(appends);
  }
  for (let from = 0; from < N; from += CHUNK) {
    const appends: StreamAppend[] = [];
    for (let i = from; i < Math.min(N, from + CHUNK); i++) {
      const c = targetId(i);
      const stream = contactStream(T, c);
      appends.push({
        streamId: stream,
        expected: 'no_stream',
        events: [ev(`bench-${stream}-0`, 'ContactUpserted', { accountId: T, contactId: c, email: targetEmail(i), properties: {} }, at)],
      });
      events += 1;
    }
    await t.events.appendMany(appends);
  }
  return events;
}

async function caughtUp(t: TestApp): Promise<void> {
  const head = await t.headPosition();
  const projections = t.app.get(ProjectionsService);
  const names = projections.runner.projections.map((p) => p.name);
  if (!(await projections.waitFor(head, names, 30 * 60_000))) throw new Error('projections did not catch up');
  const sagas = t.app.get(SagasService);
  for (;;) {
    const infos = await sagas.info();
    if (infos.every((i) => i.position !== null && BigInt(i.position) >= head)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** CPU time of this process's main thread (the service's event loop) in ms, where Linux tells it; the client runs on another thread. */
function mainThreadCpuMs(): number | null {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100); // utime + stime, in clock ticks of 10 ms
  } catch {
    return null;
  }
}

/** Baseline (a): the same number of rows, one plain batched insert into a fresh SQLite file (same pragmas as the read store). */
function baselineInsert(dir: string, rows: number, withIndexes: boolean): number {
  const db = new Database(join(dir, `baseline-${withIndexes ? 'ix' : 'plain'}.sqlite`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE rm (id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID');
  if (withIndexes) {
    db.exec(`CREATE INDEX ix1 ON rm (json_extract(doc, '$.targetAccountId'), json_extract(doc, '$.emailKey'), id)`);
    db.exec(`CREATE INDEX ix2 ON rm (json_extract(doc, '$.targetAccountId'), id)`);
  }
  const insert = db.prepare('INSERT INTO rm (id, doc) VALUES (?, ?)');
  const started = performance.now();
  db.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const doc = { targetAccountId: 'bench-t', targetContactId: targetId(i), emailKey: targetEmail(i), sources: [{ accountId: 'bench-s', contactId: sourceId(i) }] };
      insert.run(`bench-t|${targetId(i)}`, JSON.stringify(doc));
    }
  })();
  const elapsed = performance.now() - started;
  db.close();
  return elapsed;
}

/** The HTTP client of (b), in a worker thread: open-loop updates (or view reads only, for the baseline). */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance, monitorEventLoopDelay } = require('node:perf_hooks');
const http = require('node:http');
const clientLoop = monitorEventLoopDelay({ resolution: 5 });
clientLoop.enable();
const { port, token, S, T, viewer, count, rate, durationMs, mode, offset } = workerData;
// node:http with keep-alive: much cheaper per request than fetch, so the client does not steal the server's CPU.
// A pool like a service consumer keeps: bounded, so bursts queue here instead of opening
// hundreds of connections at once (which overflows the listen backlog: 1 s SYN retries).
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const pad = (i) => String(i).padStart(6, '0');
const base = { authorization: 'Bearer ' + token, 'x-actor-user-id': viewer };
function request(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const h = body === undefined ? headers : { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: h, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, body: text ? JSON.parse(text) : undefined });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
const results = [];
const errors = [];
let retries = 0;
async function update(seq) {
  const i = (offset + seq * 7919) % count; // distinct contacts within a run (7919 is prime to count)
  const value = 'upd-' + seq;
  const started = performance.now();
  const body = JSON.stringify({ email: 'Contact.' + i + '@Example.com', firstName: value, lastName: 'Last' + i, properties: { company: 'Company ' + (i % 997), city: 'Dublin' } });
  const put = await request('PUT', '/v1/accounts/' + S + '/contacts/s' + pad(i), base, body);
  const putMs = performance.now() - started;
  if (put.status !== 200) { errors.push('PUT ' + put.status + ' ' + JSON.stringify(put.body)); return; }
  for (;;) {
    const res = await request('GET', '/v1/accounts/' + T + '/contacts/t' + pad(i) + '/mirrored', { ...base, 'x-min-position': put.body.position });
    if (res.status === 200 && res.body.sources.some((s) => s.properties.firstName === value)) {
      results.push([performance.now() - started, putMs]);
      return;
    }
    retries++;
    if (performance.now() - started > 30000) { errors.push('GET ' + res.status + ' never showed ' + value); return; }
  }
}
async function read(seq) {
  const i = (offset + seq * 7919) % count;
  const started = performance.now();
  const res = await request('GET', '/v1/accounts/' + T + '/contacts/t' + pad(i) + '/mirrored', base);
  if (res.status !== 200) { errors.push('GET ' + res.status); return; }
  results.push([performance.now() - started, 0]);
}
(async () => {
  const run = mode === 'update' ? update : read;
  const tasks = [];
  let issued = 0;
  let maxInFlight = 0;
  let inFlight = 0;
  const started = performance.now();
  // Open loop: requests are issued on schedule whatever the answers' latency (no coordinated omission).
  while (performance.now() - started < durationMs) {
    const due = Math.floor(((performance.now() - started) * rate) / 1000);
    while (issued < due) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      tasks.push(run(issued++).catch((e) => errors.push(String(e))).finally(() => inFlight--));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  const issuing = performance.now() - started;
  await Promise.all(tasks);
  agent.destroy();
  parentPort.postMessage({ clientLoopP99: clientLoop.percentile(99) / 1e6, clientLoopMax: clientLoop.max / 1e6, results, errors: errors.slice(0, 5), errorCount: errors.length, issued, issuingMs: issuing, totalMs: performance.now() - started, maxInFlight, retries });
})();
`;

interface ClientReport {
  results: Array<[number, number]>;
  errors: string[];
  errorCount: number;
  issued: number;
  issuingMs: number;
  totalMs: number;
  maxInFlight: number;
  retries: number;
}

function client(data: Record<string, unknown>): Promise<ClientReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CLIENT, { eval: true, workerData: data });
    worker.once('message', (m) => resolve(m as ClientReport));
    worker.once('error', reject);
  });
}

/** BENCH_CPU_PROF=<dir>: profiles this thread (the service's) over `run` only, not the load and catch-up before it. */
async function profiled<T>(name: string, run: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return run();
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `mirroring-${name}-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    log(`    CPU profile of the service thread: ${file}`);
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mam-bench-'));
  log(`mirroring bench: ${N} source contacts (2 activities + 1 deal each), ${N} target contacts; ${RATE} updates/s for ${SECONDS} s`);
  log(`DATA_DIR ${dataDir}; node ${process.version}`);
  const t = await TestApp.start({}, dataDir);
  try {
    // Set-up through the API: P (MHE), S and T (Sales Pro) in one organization, no mirroring yet; a viewer with a Sales seat in T.
    const e = await eligibleAccounts(t, 3, 'bench');
    const [S, T] = e.others;
    const viewer = 'bench-viewer';
    await ok(t.request('PUT', `/v1/accounts/${T}/users/${viewer}`, { body: { roles: [], seats: ['sales'] } }));
    const org = await givenOrganization(t, e, { connections: [{ accounts: [S, T], direction: 'one-way', from: S, features: features({ assetCopying: true }) }] });

    let started = performance.now();
    const events = await load(t, S, T);
    const loadMs = performance.now() - started;
    log(`load: ${events} events appended through EventStore.appendMany in ${ms(loadMs)} (${Math.round(events / (loadMs / 1000))} events/s) — not measured`);
    started = performance.now();
    await caughtUp(t);
    log(`catch-up: projections and sagas reached position ${await t.headPosition()} in ${ms(performance.now() - started)} — not measured`);
    sampleRss();

    // ── (a) mirroring on → views queryable ─────────────────────────────────
    const headers = await orgHeaders(e.user, { acting: e.primary });
    const sample = Math.floor(N / 2) + 17;
    const viewUrl = `/v1/accounts/${T}/contacts/${targetId(sample)}/mirrored`;
    started = performance.now();
    const put = await t.request('PUT', `/v1/organizations/${org.organizationId}/connections`, {
      body: { connections: [{ accounts: [S, T], direction: 'one-way', from: S, features: features({ assetCopying: true, dataMirroring: true }) }] },
      headers,
    });
    const putMs = performance.now() - started;
    if (put.status !== 200) throw new Error(`PUT connections: ${put.status} ${JSON.stringify(put.body)}`);
    let lagAnswers = 0;
    let view: any;
    for (;;) {
      const res = await t.read(viewUrl, put.body.position, { 'x-actor-user-id': viewer });
      if (res.status === 200 && res.body.sources?.length > 0) {
        view = res.body;
        break;
      }
      if (res.status !== 503) throw new Error(`GET view: ${res.status} ${JSON.stringify(res.body)}`);
      lagAnswers += 1;
    }
    const queryableMs = performance.now() - started;
    const list = await t.read(`/v1/accounts/${T}/mirrored-contacts?limit=200`, put.body.position, { 'x-actor-user-id': viewer });
    sampleRss();
    const baselinePlain = baselineInsert(dataDir, N, false);
    const baselineIndexed = baselineInsert(dataDir, N, true);
    log('');
    log(`(a) mirroring turned on for ${N} matching pairs (back-fill)`);
    log(`    PUT connections answered in        ${ms(putMs)}`);
    log(`    views queryable after              ${ms(queryableMs)}   (target ≤ 2000 ms; ${lagAnswers} × 503 PROJECTION_LAG on the way)`);
    log(`    sample view ${targetId(sample)}: ${view.sources.length} source(s), ${view.sources[0].activities.length} activities, ${view.sources[0].deals.length} deal(s), firstName ${view.sources[0].properties.firstName}`);
    log(`    listing: ${list.status}, ${list.body.items?.length} items on the first page, nextCursor ${list.body.nextCursor ? 'present' : 'absent'}`);
    log(`    baseline: plain batched SQLite insert of ${N} link rows        ${ms(baselinePlain)}  → ratio ${(queryableMs / baselinePlain).toFixed(1)}×`);
    log(`    baseline: same insert with the two mirror_links indexes      ${ms(baselineIndexed)}  → ratio ${(queryableMs / baselineIndexed).toFixed(1)}×`);

    // ── (b) updates at RATE/s → view shows the new value ───────────────────
    await caughtUp(t);
    const serverTimes: number[] = [];
    let connections = 0;
    if (process.env.BENCH_DEBUG) {
      t.app.getHttpServer().on('request', (_req: unknown, res: { on: (e: string, f: () => void) => void }) => {
        const s0 = performance.now();
        res.on('finish', () => serverTimes.push(performance.now() - s0));
      });
      t.app.getHttpServer().on('connection', () => (connections += 1));
    }
    await t.app.listen(0, '127.0.0.1');
    const address = t.app.getHttpServer().address() as { port: number };
    const baseUrl = `http://127.0.0.1:${address.port}`;
    const common = { port: address.port, token: TOKEN, S, T, viewer, count: N };
    // Warm-up at the same rate (JIT, connections, page cache): printed, not counted.
    const warmup = await client({ ...common, rate: RATE, durationMs: WARMUP_SECONDS * 1000, mode: 'update', offset: 1 });
    await caughtUp(t);
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const cpuBefore = process.cpuUsage();
    const mainCpuBefore = mainThreadCpuMs();
    const wallBefore = performance.now();
    const updates = await profiled('updates', () => client({ ...common, rate: RATE, durationMs: SECONDS * 1000, mode: 'update', offset: 3 }));
    const mainCpu = mainCpuBefore === null ? null : mainThreadCpuMs()! - mainCpuBefore;
    loopDelay.disable();
    if (process.env.BENCH_DEBUG) {
      const metrics = await t.request('GET', '/metrics', { token: null });
      log(String(metrics.body).split('\n').filter((l: string) => l.includes('UpsertContact')).join('\n'));
    }
    const cpu = process.cpuUsage(cpuBefore);
    if (process.env.BENCH_DEBUG) log(`    server-side request times: ${summary(serverTimes)}; connections accepted ${connections}`);
    if (process.env.BENCH_DEBUG) log(`    client loop delay p99 ${(updates as any).clientLoopP99} max ${(updates as any).clientLoopMax}`);
    if (mainCpu !== null) log(`    service main thread CPU per update (its HTTP, commands, projections, sagas): ${((mainCpu * 1000) / updates.results.length).toFixed(0)} µs`);
    log(`    process CPU during the updates (service + client thread): ${(((cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore)) * 100).toFixed(0)}% of one core (2 cores here)`);
    log(`    service event-loop delay during the updates: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`);
    sampleRss();
    await caughtUp(t);
    const reads = await client({ ...common, rate: RATE, durationMs: Math.min(SECONDS, 5) * 1000, mode: 'read', offset: 5 });
    sampleRss();
    const e2e = updates.results.map((r) => r[0]);
    const puts = updates.results.map((r) => r[1]);
    const sortedE2e = [...e2e].sort((a, b) => a - b);
    const sortedReads = reads.results.map((r) => r[0]).sort((a, b) => a - b);
    log('');
    log(`(b) source contact updates over HTTP at ${RATE}/s for ${SECONDS} s (client in a worker thread, ${baseUrl})`);
    log(`    issued ${updates.issued} in ${ms(updates.issuingMs)} (${Math.round(updates.issued / (updates.issuingMs / 1000))}/s), completed ${updates.results.length}, errors ${updates.errorCount}${updates.errors.length ? ` e.g. ${updates.errors[0]}` : ''}`);
    log(`    all done after ${ms(updates.totalMs)}; max in flight ${updates.maxInFlight}; GETs that had to be repeated ${updates.retries}`);
    log(`    warm-up, ${WARMUP_SECONDS} s at ${RATE}/s (not counted): update → view ${summary(warmup.results.map((r) => r[0]))}, errors ${warmup.errorCount}`);
    log(`    update → view shows new value:     ${summary(e2e)}   (target p99 ≤ 50 ms)`);
    log(`    of which the PUT alone:            ${summary(puts)}`);
    log(`    baseline: GET of a view, no writes, ${RATE}/s: ${summary(reads.results.map((r) => r[0]))}${reads.errorCount ? `, errors ${reads.errorCount}` : ''}`);
    log(`    ratio update-visible / read-only: p50 ${(percentile(sortedE2e, 50) / percentile(sortedReads, 50)).toFixed(1)}×, p99 ${(percentile(sortedE2e, 99) / percentile(sortedReads, 99)).toFixed(1)}×`);
    const cpuPerUpdate = mainCpu === null ? null : (mainCpu * 1000) / updates.results.length;
    summaryRow({
      workload: `update → mirrored view at ${RATE}/s`,
      baseline: `GET alone at ${RATE}/s: p99 ${ms(percentile(sortedReads, 99))}`,
      figure: `p99 ${ms(percentile(sortedE2e, 99))}, ${cpuPerUpdate === null ? '?' : cpuPerUpdate.toFixed(0)} µs of service CPU per update, max ${updates.maxInFlight} in flight${updates.errorCount ? `, ${updates.errorCount} errors` : ''}`,
      ratio: `p99 ${(percentile(sortedE2e, 99) / percentile(sortedReads, 99)).toFixed(1)}× the GET's`,
      target: '≤ 400 µs of service CPU per update, p99 ≤ 50 ms',
    });
    // The same at lower rates, to show the latency below saturation (informative).
    for (const rate of EXTRA_RATES) {
      await caughtUp(t);
      const r = await client({ ...common, rate, durationMs: 5000, mode: 'update', offset: 11 + rate });
      sampleRss();
      log(`    at ${String(rate).padStart(4)}/s for 5 s: update → view ${summary(r.results.map((x) => x[0]))}; PUT ${summary(r.results.map((x) => x[1]))}; errors ${r.errorCount}, max in flight ${r.maxInFlight}`);
    }
  } finally {
    sampleRss();
    await t.close({ keepData: process.env.BENCH_KEEP_DATA === '1' });
    clearInterval(rssTimer);
  }
  const maxRssKb = process.resourceUsage().maxRSS;
  log('');
  log(`peak RSS: ${(Math.max(peakRss, maxRssKb * 1024) / 1024 / 1024).toFixed(0)} MiB (process, incl. the client worker)`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
