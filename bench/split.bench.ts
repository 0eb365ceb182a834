/**
 * Past one process: the built service (dist/) split into one process that
 * runs the projections and sagas (its HTTP up for reads) and two HTTP
 * processes with RUN_PROJECTIONS=false and RUN_SAGAS=false, all on one
 * DATA_DIR — against the single process in the same run. autocannon PUTs
 * distinct contacts, its connections taking the two HTTP processes in turn.
 *
 * Prints throughput, p99, each process's CPU time per command and the
 * commands per second of service CPU (per core). While the load runs, a
 * probe creates an account through one HTTP process and reads it through
 * the other with X-Min-Position: a stale or missing answer fails the part.
 * After the run, the contacts in the read model must number the 2xx answers.
 *
 *   npm run bench:split    BENCH_SPLIT_SECONDS (8), BENCH_SPLIT_CONNECTIONS (64),
 *                          BENCH_NO_BUILD=1 (reuse dist/), BENCH_CPU_PROF=<dir>
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenerationalReadStore, SqliteReadStore } from '@mam/read-store';
import { CONTACTS } from '../apps/api/src/mirroring/mirroring.collections';
import { collectionOwners } from '../apps/api/src/projections/projection-owners';
import { ALL_PROJECTIONS } from '../apps/api/src/projections/projection-registry';
import { putContacts, type CannonResult } from './http/cannon';
import { api, buildService, cpuMs, startService, type Service } from './http/processes';
import { fmt, load, runBench, summaryRow } from './report';

const SECONDS = Number(process.env.BENCH_SPLIT_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_SPLIT_CONNECTIONS ?? 64);
const WARM_UP_SECONDS = Math.min(3, SECONDS);
const ACCOUNT = 'bench-acc';
const WARM_UP_ACCOUNT = 'warm-up-acc';
/** The contacts' read model: a GET waiting on it is served once this projection's checkpoint is there. */
const CONTACTS_PROJECTION = 'mirroring';

interface Named {
  name: string;
  service: Service;
}

interface Measured {
  result: CannonResult;
  seconds: number;
  /** Per process, its CPU time (every thread) per command of the run, in µs. */
  cpuUs: Array<{ name: string; us: number }>;
  /** This process (autocannon, the probe) per command: it shares the cores. */
  clientUs: number;
}

const commands = (m: Measured) => m.result['2xx'];
const rate = (m: Measured) => commands(m) / m.seconds;
const totalUs = (m: Measured) => m.cpuUs.reduce((sum, p) => sum + p.us, 0);
/** Commands per second of service CPU, all its processes and threads: the rate one core sustains. */
const perCore = (m: Measured) => 1e6 / totalUs(m);

/**
 * A warm-up of WARM_UP_SECONDS into another account (JIT, connections; not
 * counted), then as many PUTs as the warm-up's median second times SECONDS: a run
 * of a fixed number of requests answers every one, so what is stored can be
 * held to the 2xx answers (a timed run drops the requests in flight at its
 * end, stored or not).
 */
async function measure(targets: Named[], measured: Named[], offset: number): Promise<Measured> {
  const urls = targets.map((t) => t.service.url);
  const warm = await putContacts(urls, { account: WARM_UP_ACCOUNT, connections: CONNECTIONS, seconds: WARM_UP_SECONDS, offset });
  // The warm-up's median second, not its mean: its first second is slow (cold JIT).
  const amount = Math.max(CONNECTIONS * 10, Math.round(warm.requests.p50 * SECONDS));
  const before = measured.map((m) => cpuMs(m.service.process));
  const client = process.cpuUsage();
  const started = performance.now();
  const result = await putContacts(urls, { account: ACCOUNT, connections: CONNECTIONS, amount, offset: offset + 10_000_000 });
  const seconds = (performance.now() - started) / 1000;
  const clientCpu = process.cpuUsage(client);
  const after = measured.map((m) => cpuMs(m.service.process));
  const us = (ms: number) => (ms * 1000) / Math.max(1, result['2xx']);
  return {
    result,
    seconds,
    cpuUs: measured.map((m, i) => ({ name: m.name, us: before[i] === null || after[i] === null ? NaN : us(after[i]! - before[i]!) })),
    clientUs: (clientCpu.user + clientCpu.system) / Math.max(1, result['2xx']),
  };
}

async function createAccounts(service: Service): Promise<void> {
  for (const accountId of [WARM_UP_ACCOUNT, ACCOUNT]) {
    const created = await api(service.url, 'POST', '/v1/accounts', { accountId, name: accountId, hostingLocation: 'na1', subscriptions: [{ hub: 'sales', tier: 'professional' }] });
    if (created.status !== 201) throw new Error(`POST /v1/accounts: ${created.status} ${JSON.stringify(created.body)}`);
  }
}

interface Probes {
  served: number;
  /** 503 PROJECTION_LAG: the contract's answer when the wait (5 s) runs out — slow, not wrong. */
  lagged: number;
  /** A 200 without the write, a 404, or anything else: read-your-writes broken. */
  wrong: string[];
  /** From the command's answer to the read's, ms. */
  waits: number[];
}

/**
 * Read-your-writes across processes while the load runs: an account created
 * through one HTTP process, then read through the other with the command's
 * position, in turn both ways, one at a time until `stop` resolves.
 */
async function probe(a: Service, b: Service, stop: Promise<unknown>): Promise<Probes> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const probes: Probes = { served: 0, lagged: 0, wrong: [], waits: [] };
  for (let i = 0; !stopped; i++) {
    const [writer, reader] = i % 2 === 0 ? [a, b] : [b, a];
    const accountId = `probe-${i}`;
    const name = `Probe ${i}`;
    const created = await api(writer.url, 'POST', '/v1/accounts', { accountId, name, hostingLocation: 'eu1', subscriptions: [] });
    if (created.status !== 201) {
      // A command refused under load (503 OVERLOADED) wrote nothing: there is nothing to read back.
      if (created.status !== 503) probes.wrong.push(`POST ${accountId}: ${created.status} ${JSON.stringify(created.body)}`);
      continue;
    }
    const answered = performance.now();
    const read = await api(reader.url, 'GET', `/v1/accounts/${accountId}`, undefined, { 'x-min-position': String(created.body.position) });
    probes.waits.push(performance.now() - answered);
    if (read.status === 200 && read.body.name === name) probes.served += 1;
    else if (read.status === 503 && read.body?.code === 'PROJECTION_LAG') probes.lagged += 1;
    else probes.wrong.push(`GET ${accountId} after position ${created.body.position}: ${read.status} ${JSON.stringify(read.body)}`);
  }
  return probes;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Waits until the contacts' projection has stored a checkpoint at `position` (as another process reads it). */
async function projected(service: Service, position: bigint, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ops = await api(service.url, 'GET', '/v1/ops/projections');
    const item = (ops.body?.items ?? []).find((p: { name: string }) => p.name === CONTACTS_PROJECTION);
    if (item?.position && BigInt(item.position) >= position) return;
    if (Date.now() > deadline) throw new Error(`${CONTACTS_PROJECTION} did not reach position ${position} within ${timeoutMs / 1000} s: ${JSON.stringify(item)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Contacts of the bench account in the read model, read through the port (logical names, active generation). */
async function contactsInReadModel(dataDir: string): Promise<number> {
  const store = new GenerationalReadStore(new SqliteReadStore(join(dataDir, 'read-models.sqlite'), { walCheckpoints: 'inline' }), collectionOwners(ALL_PROJECTIONS));
  try {
    await store.refresh();
    let count = 0;
    let afterId: string | undefined;
    for (;;) {
      const page = await store.find(CONTACTS, { accountId: ACCOUNT }, { afterId, limit: 5000, fields: ['contactId'] });
      count += page.length;
      if (page.length < 5000) return count;
      afterId = page[page.length - 1].id;
    }
  } finally {
    await store.close();
  }
}

const describe = (m: Measured) =>
  `${fmt(rate(m))} commands/s (${fmt(commands(m))} in ${m.seconds.toFixed(1)} s), p50 ${m.result.latency.p50} ms, p99 ${m.result.latency.p99} ms` +
  `${m.result.non2xx ? `, ${m.result.non2xx} non-2xx` : ''}${m.result.errors ? `, ${m.result.errors} errors` : ''}; ` +
  `CPU per command ${m.cpuUs.map((p) => `${p.name} ${fmt(p.us)} µs`).join(' + ')} = ${fmt(totalUs(m))} µs ` +
  `(${fmt(perCore(m))} commands per CPU-second); autocannon ${fmt(m.clientUs)} µs`;

async function single(): Promise<Measured> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mam-bench-split-single-'));
  const service = await startService(dataDir);
  try {
    await createAccounts(service);
    const one = { name: 'single', service };
    return await measure([one], [one], 0);
  } finally {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function split(): Promise<{ measured: Measured; probes: Probes; contacts: number; expected: number; byProcess: number[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mam-bench-split-'));
  const started: Service[] = [];
  try {
    // The projection process first: it creates the read models' tables and checkpoints.
    const worker = await startService(dataDir);
    started.push(worker);
    const httpOnly = { RUN_PROJECTIONS: 'false', RUN_SAGAS: 'false' };
    const [a, b] = await Promise.all([startService(dataDir, httpOnly), startService(dataDir, httpOnly)]);
    started.push(a, b);
    await createAccounts(a);
    const fronts = [
      { name: 'HTTP A', service: a },
      { name: 'HTTP B', service: b },
    ];
    let done!: () => void;
    const stop = new Promise<void>((r) => (done = r));
    const probing = probe(a, b, stop);
    const measured = await measure(fronts, [...fronts, { name: 'projections+sagas', service: worker }], 20_000_000).finally(done);
    const probes = await probing;
    // Positions are given at commit, in order: once the projection is past this write, it is past every one answered before.
    const marker = await api(a.url, 'PUT', `/v1/accounts/${ACCOUNT}/contacts/marker`, { email: 'marker@example.com' });
    if (marker.status !== 200) throw new Error(`PUT marker: ${marker.status} ${JSON.stringify(marker.body)}`);
    await projected(b, BigInt(marker.body.position));
    const byProcess = fronts.map((f) => measured.result.okByOrigin[f.service.url] ?? 0);
    for (const s of started.splice(0)) await s.stop();
    return { measured, probes, contacts: await contactsInReadModel(dataDir), expected: commands(measured) + 1, byProcess };
  } finally {
    for (const s of started) await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  buildService();
  const loadBefore = load();
  console.log(`past one process: ${CONNECTIONS} connections, about ${SECONDS} s each (as many PUTs as ${WARM_UP_SECONDS} s of warm-up made in that time, every one answered); load average ${loadBefore}`);
  const baseline = await single();
  console.log(`  one process:                          ${describe(baseline)}`);
  const { measured, probes, contacts, expected, byProcess } = await split();
  console.log(`  projections+sagas + 2 HTTP processes: ${describe(measured)}; answered by A ${fmt(byProcess[0])}, by B ${fmt(byProcess[1])}`);
  console.log(
    `  read-your-writes across processes under the load: ${probes.served} of ${probes.served + probes.lagged + probes.wrong.length} served with the write` +
      `${probes.lagged ? `, ${probes.lagged} answered 503 PROJECTION_LAG` : ''}; wait p50 ${percentile(probes.waits, 50).toFixed(0)} ms, p99 ${percentile(probes.waits, 99).toFixed(0)} ms`,
  );
  const lost = contacts === expected ? 'nothing lost or doubled' : `MISMATCH (${contacts - expected > 0 ? '+' : ''}${contacts - expected})`;
  console.log(`  contacts in the read model after the run: ${fmt(contacts)}; 2xx answers of the run and the marker: ${fmt(expected)} — ${lost}`);
  summaryRow({
    workload: `PUT contact over HTTP, ${CONNECTIONS} connections, ${SECONDS} s: projections+sagas process + 2 HTTP processes on one DATA_DIR`,
    baseline: `one process: ${fmt(rate(baseline))} commands/s, p99 ${baseline.result.latency.p99} ms, ${fmt(totalUs(baseline))} µs CPU each (${fmt(perCore(baseline))}/CPU-s)`,
    figure:
      `${fmt(rate(measured))} commands/s, p99 ${measured.result.latency.p99} ms, ${measured.cpuUs.map((p) => `${p.name} ${fmt(p.us)}`).join(' + ')} = ${fmt(totalUs(measured))} µs CPU each ` +
      `(${fmt(perCore(measured))}/CPU-s); read-your-writes across processes ${probes.served}/${probes.served + probes.lagged + probes.wrong.length}; contacts ${fmt(contacts)} = 2xx ${fmt(expected)}: ${contacts === expected ? 'yes' : 'NO'}`,
    ratio: `${(rate(measured) / rate(baseline)).toFixed(2)}× the rate, ${(perCore(measured) / perCore(baseline)).toFixed(2)}× per core`,
    target: 'measure; nothing lost, read-your-writes',
  });
  if (probes.wrong.length > 0) throw new Error(`read-your-writes across processes failed:\n${probes.wrong.slice(0, 10).join('\n')}`);
  if (contacts !== expected) throw new Error(`${contacts} contacts in the read model, ${expected} acknowledged`);
}

runBench(main);
