/**
 * Workflows benchmark (W1 at a steady rate). Run from the repo root:
 *
 *   npm run bench:workflows     BENCH_WF_RATE (deals/s, 100), BENCH_WF_SECONDS (10), BENCH_WF_WARMUP_SECONDS (3)
 *
 * The real app on the embedded stores in a temp dir, with a workflow S → T
 * (marking cross-sell). Each deal of S is saved new at `closedwon` with two
 * contacts: one whose email T already has (updated) and one it has not
 * (created). Deals are PUT at the rate through the app's HTTP pipeline
 * (Fastify inject, in process); per deal, the time from its answer until
 * both of T's contacts are stored (seen by a live subscription to the log,
 * by their causation id: the deal's event). Baseline in the same run, at the
 * same rate: deals of T (no workflow has T as source), each answered by a
 * bare reaction in the bench's own subscription — one append per deal —
 * timed from the deal's answer until that append is stored: the floor of
 * "see a fact, write one event" on this machine. A warm-up at the same rate
 * comes first and is not counted. Figures are printed, never asserted.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { RecordedEvent } from '@mam/event-store';
import { TestApp } from '../apps/api/test/test-app';
import { ok } from '../apps/api/test/fixtures';
import { givenWorkflowOrg, listWorkflows, postWorkflow } from '../apps/api/test/workflow-fixtures';
import { load, runBench, summaryRow } from './report';

const RATE = Number(process.env.BENCH_WF_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_WF_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WF_WARMUP_SECONDS ?? 3);

const ms = (n: number) => `${n.toFixed(1)} ms`;
function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const stats = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN, n: s.length };
};
const describe = (v: number[]) => {
  const s = stats(v);
  return `p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  max ${ms(s.max)}  (n=${s.n})`;
};

interface Pending {
  answeredAt?: number;
  seenAt?: number;
  writtenAt?: number;
  contacts: number;
}

async function main(): Promise<void> {
  const t = await TestApp.start({ LOG_LEVEL: 'silent' });
  try {
    const o = await givenWorkflowOrg(t);
    await ok(postWorkflow(t, o, { action: { type: 'create-or-update-contact', properties: { segment: 'upsell' }, markCrossSellOpportunity: true } }), 201);
    const total = Math.round(RATE * (SECONDS + WARMUP_SECONDS));
    // Two source contacts per deal; T already has the first one's email (an update), not the second's (a create).
    for (let from = 0; from < total; from += 500) {
      const ids = Array.from({ length: Math.min(500, total - from) }, (_, k) => from + k);
      await ok(t.request('POST', `/v1/accounts/${o.source}/contacts:batch`, { body: { upserts: ids.flatMap((i) => [{ contactId: `a${i}`, email: `A.${i}@Example.com` }, { contactId: `b${i}`, email: `b.${i}@example.com` }]), deletes: [] } }));
      await ok(t.request('POST', `/v1/accounts/${o.target}/contacts:batch`, { body: { upserts: ids.map((i) => ({ contactId: `t${i}`, email: `a.${i}@example.com` })), deletes: [] } }));
    }
    await listWorkflows(t, o, String(await t.headPosition()));

    // Per trigger: by the deal event's position (the answer) and id (the writes' causation).
    const byPosition = new Map<bigint, Pending>();
    const byId = new Map<string, Pending>();
    const entry = (position: bigint) => byPosition.get(position) ?? (byPosition.set(position, { contacts: 0 }), byPosition.get(position)!);
    const subscription = t.events.subscribe(
      async (batch: RecordedEvent[]) => {
        const now = performance.now();
        for (const e of batch) {
          if (e.type === 'DealSaved') {
            const p = entry(e.position);
            p.seenAt = now;
            byId.set(e.id, p);
            if ((e.data as { accountId: string }).accountId === o.target) {
              // The baseline's bare reaction: one append, with an id derived from the fact.
              await t.events.append(`bench-echo-${e.id}`, [{ id: randomUUID(), type: 'BenchEchoed', data: {}, metadata: { at: new Date().toISOString(), causationId: e.id } }], 'no_stream');
              p.writtenAt = performance.now();
            }
          } else if (e.type === 'ContactUpserted' && e.metadata.causationId && (e.data as { accountId: string }).accountId === o.target) {
            const p = byId.get(e.metadata.causationId);
            if (p && ++p.contacts === 2) p.writtenAt = now;
          }
        }
      },
      { after: await t.headPosition(), lingerMs: 0, onError: (error) => console.error('measuring subscription failed', error) },
    );

    const drive = async (label: string, first: number, seconds: number, account = o.source) => {
      const count = Math.round(RATE * seconds);
      const positions: bigint[] = [];
      const started = performance.now();
      const requests: Promise<void>[] = [];
      for (let k = 0; k < count; k++) {
        const due = started + (k * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const i = first + k;
        requests.push(
          ok(t.request('PUT', `/v1/accounts/${account}/deals/d${i}`, { body: { name: `Deal ${i}`, stage: 'closedwon', amount: 1000, contactIds: account === o.source ? [`a${i}`, `b${i}`] : [`t${i}`] } })).then(({ position }) => {
            const p = BigInt(position);
            entry(p).answeredAt = performance.now();
            positions.push(p);
          }),
        );
      }
      await Promise.all(requests);
      const deadline = performance.now() + 30_000;
      while (positions.some((p) => byPosition.get(p)?.writtenAt === undefined) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const done = positions.map((p) => byPosition.get(p)!).filter((p) => p.writtenAt !== undefined);
      const written = done.map((p) => Math.max(0, p.writtenAt! - p.answeredAt!));
      const seen = positions.map((p) => byPosition.get(p)!).filter((p) => p.seenAt !== undefined).map((p) => Math.max(0, p.seenAt! - p.answeredAt!));
      console.log(`${label}: ${count} deals in ${((performance.now() - started) / 1000).toFixed(1)} s; ${done.length} reacted to`);
      console.log(`  answer → deal event delivered: ${describe(seen)}`);
      console.log(`  answer → ${account === o.source ? "target's two contacts written" : 'bare reaction appended'}: ${describe(written)}`);
      return { written, missing: count - done.length };
    };

    console.log(`workflows: ${RATE} closed-won deals/s, two contacts each (one update, one create in the target); load average ${load()}`);
    await drive(`warm-up (not counted, ${WARMUP_SECONDS} s)`, 0, WARMUP_SECONDS);
    const base = await drive(`baseline: deals of T, one bare append each (${SECONDS} s)`, 0, SECONDS, o.target);
    const { written, missing } = await drive(`measured (${SECONDS} s)`, Math.round(RATE * WARMUP_SECONDS), SECONDS);
    await subscription.stop();
    const runs = (await listWorkflows(t, o, String(await t.headPosition())))[0]?.runs;
    console.log(`  runs recorded: ${runs} (of ${total} deals)`);
    const s = stats(written);
    const b = stats(base.written);
    summaryRow({
      workload: `workflows: ${RATE} closed-won deals/s × 2 contacts, deal answer → target contacts written`,
      baseline: `answer → a bare reaction's append p50 ${ms(b.p50)}, p99 ${ms(b.p99)}`,
      figure: `p50 ${ms(s.p50)}, p99 ${ms(s.p99)}${missing ? `, ${missing} not written` : ''}`,
      ratio: `p99 ${(s.p99 / Math.max(b.p99, 0.1)).toFixed(1)}× the baseline's`,
      target: 'p99 ≤ 100 ms',
    });
  } finally {
    await t.close();
  }
}

runBench(main);
