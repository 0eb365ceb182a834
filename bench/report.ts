import { appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resourceUsage } from 'node:process';

/** Peak resident set size of this process so far, in MB (maxRSS is in KiB on Linux). */
export function peakRss(): number {
  return Math.round(resourceUsage().maxRSS / 1024);
}

export function printTable(title: string, rows: Array<[string, string]>): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`\n${title}\n${'-'.repeat(title.length)}\n`);
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}

/** The machine's load while a figure was taken: other work on the same cores makes every figure noisier. */
export function load(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

/** One row of the summary `npm run bench` prints at the end: the service's figure beside its baseline from the same run. */
export interface SummaryRow {
  workload: string;
  baseline: string;
  figure: string;
  /** The service against its baseline, e.g. "0.31 of bare" or "1.8× its time". */
  ratio: string;
  target: string;
}

/** Prints the row and, under `npm run bench`, hands it to the summary (a JSON line in BENCH_ROWS_FILE). */
export function summaryRow(row: SummaryRow): void {
  process.stdout.write(`  » ${row.workload}: ${row.figure} | baseline ${row.baseline} | ${row.ratio} | target ${row.target} | load ${load()}\n`);
  const file = process.env.BENCH_ROWS_FILE;
  if (file) appendFileSync(file, `${JSON.stringify({ ...row, load: load() })}\n`);
}

export const perSecond = (count: number, ms: number): number => Math.round(count / (ms / 1000));
export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Runs a bench part as a process: exit 0 when it finishes, 1 with the error when it fails. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
