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
