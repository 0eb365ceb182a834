/**
 * Durable commands over HTTP: autocannon (64 connections) PUTs distinct
 * contacts into one account of the BUILT service (dist/, its own process,
 * embedded stores in a temp DATA_DIR, production settings), against a bare
 * Fastify route parsing the same body in its own process, in the same run.
 * Each answer of the service comes after its event's commit (synchronous=FULL).
 *
 *   npm run bench:http     BENCH_HTTP_SECONDS (10), BENCH_HTTP_CONNECTIONS (64),
 *                          BENCH_NO_BUILD=1 (reuse dist/), BENCH_CPU_PROF=<dir> (profiles of both processes)
 */
import type autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { putContacts } from './http/cannon';
import { api, buildService, cpuMs, startBare, startService, type Service } from './http/processes';
import { fmt, load, summaryRow } from './report';

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 64);
const ACCOUNT = 'bench-acc';

/** PUTs of distinct contacts into the bench account. */
function cannon(url: string, seconds: number, offset: number): Promise<autocannon.Result> {
  return putContacts(url, { account: ACCOUNT, connections: CONNECTIONS, seconds, offset });
}

const describe = (r: autocannon.Result & { cpuUs: number | null }) =>
  `${fmt(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}${r.errors ? `, ${r.errors} errors` : ''}, server CPU ${r.cpuUs === null ? '?' : fmt(r.cpuUs)} µs per request`;

/** The run, and the server process's CPU time per answered request (less noisy than rates on a shared machine). */
async function measure(service: Service, offset: number): Promise<autocannon.Result & { cpuUs: number | null }> {
  await cannon(service.url, Math.min(3, SECONDS), offset); // warm-up: JIT, connections (not counted)
  const before = cpuMs(service.process);
  const result = await cannon(service.url, SECONDS, offset + 10_000_000);
  const after = cpuMs(service.process);
  return { ...result, cpuUs: before === null || after === null ? null : ((after - before) * 1000) / result.requests.total };
}

async function main(): Promise<void> {
  buildService();
  console.log(`durable commands over HTTP: ${CONNECTIONS} connections, ${SECONDS} s each (after 3 s of warm-up); load average ${load()}`);
  const bare = await startBare();
  let baseline: Awaited<ReturnType<typeof measure>>;
  try {
    baseline = await measure(bare, 0);
  } finally {
    await bare.stop();
  }
  console.log(`  bare Fastify route: ${describe(baseline)}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'mam-bench-http-'));
  const service = await startService(dataDir);
  let result: Awaited<ReturnType<typeof measure>>;
  try {
    const created = await api(service.url, 'POST', '/v1/accounts', { accountId: ACCOUNT, name: 'Bench', hostingLocation: 'na1', subscriptions: [{ hub: 'sales', tier: 'professional' }] });
    if (created.status !== 201) throw new Error(`POST /v1/accounts: ${created.status} ${JSON.stringify(created.body)}`);
    result = await measure(service, 0);
  } finally {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`  the service:        ${describe(result)}`);
  summaryRow({
    workload: `PUT contact over HTTP, ${CONNECTIONS} connections, ${SECONDS} s (autocannon)`,
    baseline: `bare Fastify route: ${fmt(baseline.requests.average)} req/s, p99 ${baseline.latency.p99} ms, ${fmt(baseline.cpuUs ?? NaN)} µs CPU each`,
    figure: `${fmt(result.requests.average)} commands/s, p99 ${result.latency.p99} ms${result.non2xx ? `, ${result.non2xx} non-2xx` : ''}, ${fmt(result.cpuUs ?? NaN)} µs CPU each`,
    ratio: `${(result.requests.average / baseline.requests.average).toFixed(2)} of bare (CPU: ${((baseline.cpuUs ?? NaN) / (result.cpuUs ?? NaN)).toFixed(2)})`,
    target: '≥ 0.30 of bare, p99 ≤ 25 ms',
  });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
