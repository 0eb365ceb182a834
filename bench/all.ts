/**
 * `npm run bench`: every `bench:<part>` script of package.json, in the order
 * listed, each in its own process, then one summary table of the rows they
 * reported (figure, baseline from the same run, ratio, target). A new part
 * is one `bench:<part>` script; nothing here lists them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, type SummaryRow } from './report';
import { buildService } from './http/processes';

const scripts = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).scripts as Record<string, string>;
const only = process.argv.slice(2);
const parts = Object.keys(scripts).filter((name) => name.startsWith('bench:') && (only.length === 0 || only.includes(name.slice(6))));
const dir = mkdtempSync(join(tmpdir(), 'mam-bench-rows-'));
const rowsFile = join(dir, 'rows.jsonl');
const started = performance.now();
const outcomes: string[] = [];
// Parts that run the built service share one build.
buildService();
process.env.BENCH_NO_BUILD = '1';
console.log(`npm run bench: ${parts.join(', ')}; load average ${load()} (2 cores: figures under load are noisier; ratios are against baselines from the same run)`);
for (const name of parts) {
  const partStarted = performance.now();
  console.log(`\n━━ ${name} ━━`);
  const run = spawnSync('npm', ['run', '--silent', name], { stdio: 'inherit', env: { ...process.env, BENCH_ROWS_FILE: rowsFile } });
  outcomes.push(`${name} ${run.status === 0 ? 'ok' : `FAILED (${run.status ?? run.signal})`} in ${((performance.now() - partStarted) / 1000).toFixed(0)} s`);
}
let rows: Array<SummaryRow & { load: string }> = [];
try {
  rows = readFileSync(rowsFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
} catch {
  /* no part reported a row */
}
rmSync(dir, { recursive: true, force: true });
const columns: Array<[keyof SummaryRow | 'load', string]> = [
  ['workload', 'workload'],
  ['baseline', 'baseline in the same run'],
  ['figure', 'the service'],
  ['ratio', 'ratio'],
  ['target', 'target'],
  ['load', 'load avg'],
];
console.log(`\n━━ summary (${((performance.now() - started) / 1000).toFixed(0)} s in total; ${outcomes.join(', ')}) ━━\n`);
console.log(`| ${columns.map(([, h]) => h).join(' | ')} |`);
console.log(`|${columns.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${columns.map(([k]) => String(row[k] ?? '')).join(' | ')} |`);
if (outcomes.some((o) => o.includes('FAILED'))) process.exitCode = 1;
