/**
 * Asset-copy benchmark (AC1–AC4 at the size of a real campaign). Run from the repo root:
 *
 *   node -r @swc-node/register bench/asset-copies.bench.ts
 *
 * Env knobs: BENCH_EMAILS (default 500), BENCH_LISTS (50), BENCH_FORMS (50),
 * BENCH_RUNS (3: copies of the same set, each with its own copyId).
 *
 * On the embedded stores in a temp dir, through the real app: stores the
 * lists, forms and automated emails (each email references one list and one
 * form) with PUT (not measured), then asks for one copy of every email and
 * times, from the 202 until GET /v1/asset-copies/{copyId} answers
 * `completed`, and counts the assets written into the target. Target ≤ 2 s.
 *
 * Baseline in the same run: one atomic appendMany of as many events of the
 * same size into fresh streams — the store's floor for the copy's single
 * append. Figures are printed, never asserted.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { StreamAppend } from '@mam/event-store';
import { TestApp } from '../apps/api/test/test-app';
import { eligibleAccounts, features, givenOrganization, ok } from '../apps/api/test/fixtures';
import { load, printTable, runBench, summaryRow } from './report';

const EMAILS = Number(process.env.BENCH_EMAILS ?? 500);
const LISTS = Number(process.env.BENCH_LISTS ?? 50);
const FORMS = Number(process.env.BENCH_FORMS ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const ms = (n: number) => `${n.toFixed(0)} ms`;
const log = (...args: unknown[]) => console.log(...args);

const emailContent = (i: number) => ({
  subject: `Spring campaign, wave ${i}`,
  preheader: 'Our best offers of the season',
  html: `<html><body><h1>Hello {{contact.firstName}}</h1><p>${'Campaign copy. '.repeat(40)}</p><a href="https://example.com/offer/${i}">Offer</a></body></html>`,
  schedule: { type: 'workflow', delayMinutes: 60 * (i % 24) },
});

async function main(): Promise<void> {
  const t = await TestApp.start();
  try {
    const e = await eligibleAccounts(t, 3, 'bench');
    const [source, target] = e.others;
    const { organizationId } = await givenOrganization(t, e, {
      connections: [{ accounts: [source, target], direction: 'one-way', from: source, features: features({ assetCopying: true }) }],
    });

    const loadStart = performance.now();
    const put = (assetId: string, body: Record<string, unknown>) => ok(t.request('PUT', `/v1/accounts/${source}/assets/${assetId}`, { body }));
    for (let i = 0; i < LISTS; i++) await put(`list-${i}`, { type: 'list', name: `List ${i}`, content: { filter: { property: 'city', equals: `City ${i}` } } });
    for (let i = 0; i < FORMS; i++) await put(`form-${i}`, { type: 'form', name: `Form ${i}`, content: { fields: ['email', 'firstName', 'company'], submitText: 'Send' } });
    const emailIds: string[] = [];
    for (let i = 0; i < EMAILS; i++) {
      emailIds.push(`email-${i}`);
      await put(`email-${i}`, { type: 'marketing-email', name: `Email ${i}`, automated: true, draft: i % 10 === 0, content: emailContent(i), references: [`list-${i % LISTS}`, `form-${i % FORMS}`] });
    }
    log(`loaded ${LISTS} lists, ${FORMS} forms, ${EMAILS} automated emails in ${ms(performance.now() - loadStart)} (not measured)`);

    const rows: Array<[string, string]> = [];
    const durations: number[] = [];
    let written = 0;
    for (let run = 1; run <= RUNS; run++) {
      const copyId = `bench-copy-${run}-${randomUUID().slice(0, 8)}`;
      const started = performance.now();
      const accepted = await ok(
        t.request('POST', `/v1/organizations/${organizationId}/asset-copies`, {
          body: { copyId, sourceAccountId: source, targetAccountId: target, assetIds: emailIds },
          headers: { 'x-actor-user-id': e.user },
        }),
        202,
      );
      const answered = performance.now();
      let status: any;
      for (;;) {
        status = (await t.request('GET', `/v1/asset-copies/${copyId}`, { headers: { 'x-actor-user-id': e.user }, unchecked: true })).body;
        if (status?.status === 'completed' || status?.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 5));
      }
      const completed = performance.now();
      const copyEvents = await t.events.readStream(`asset-copy-${copyId}`);
      const eventGap = Date.parse(copyEvents.at(-1)!.metadata.at) - Date.parse(copyEvents[0].metadata.at);
      const assetEvents = (await t.events.readAll({ after: BigInt(accepted.position), limit: 100_000 })).filter((x) => x.type === 'AssetCopied' && x.metadata.causationId === copyEvents[0].id);
      const bytes = assetEvents.reduce((n, x) => n + Buffer.byteLength(JSON.stringify(x.data)), 0) + Buffer.byteLength(JSON.stringify(copyEvents.at(-1)!.data));
      durations.push(completed - answered);
      written = assetEvents.length;
      rows.push([
        `copy ${run}: 202 → completed`,
        `${ms(completed - answered)}  (POST answered in ${ms(answered - started)}; request → completion event ${eventGap} ms; status ${status.status}; ${status.items.length} items; ${assetEvents.length} assets written; ${(bytes / 1024).toFixed(0)} KiB in one append)`,
      ]);
    }

    // Baseline: one atomic append of as many events of the same size, into fresh streams.
    const sample = (await t.events.readAll({ after: null, limit: 100_000 })).filter((x) => x.type === 'AssetCopied').slice(0, EMAILS + LISTS + FORMS);
    const appends: StreamAppend[] = sample.map((x) => ({
      streamId: `baseline-${randomUUID()}`,
      expected: 'no_stream',
      events: [{ id: randomUUID(), type: 'Baseline', data: x.data, metadata: { at: new Date().toISOString() } }],
    }));
    const baseStart = performance.now();
    await t.events.appendMany(appends);
    const baseline = performance.now() - baseStart;
    rows.push([`baseline: one appendMany of ${appends.length} events`, ms(baseline)]);
    rows.push(['target', '≤ 2000 ms from the 202 to completed']);
    printTable(`Asset copy: ${EMAILS} automated emails, ${LISTS} lists, ${FORMS} forms (load average ${load()})`, rows);
    const median = [...durations].sort((a, b) => a - b)[Math.floor(durations.length / 2)];
    summaryRow({
      workload: `asset copy of ${EMAILS} emails (+${LISTS} lists, ${FORMS} forms): 202 → completed, median of ${RUNS}`,
      baseline: `one appendMany of ${appends.length} such events: ${ms(baseline)}`,
      figure: `${ms(median)}, ${written} assets written`,
      ratio: `${(median / baseline).toFixed(1)}× the append`,
      target: '≤ 2 s',
    });
  } finally {
    await t.close();
  }
}

runBench(main);
