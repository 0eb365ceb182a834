import fc from 'fast-check';
import { created, definition, oneWay, PRIMARY, ProjectionSpecification, REPORT, reportDefined, type GivenEvent, type ProjectionRead } from '@mam/testing';
import { REPORT_ROWS, type ReportRowDoc } from './report.collections';
import { reportsProjection } from './report.projection';

/**
 * Nothing lost, nothing doubled: whatever edits, deletions and deal moves
 * come after a report is defined, its incrementally kept rows equal the
 * rows of the same report defined afterwards (a back-fill of the final data).
 */
const spec = ProjectionSpecification.for(reportsProjection);
const P = PRIMARY;
const org = created([P, 'a'], { connections: [oneWay('a', P, { reporting: true })] });

const account = fc.constantFrom(P, 'a');
const id = fc.constantFrom('x1', 'x2', 'x3', 'x4');
const color = fc.option(fc.constantFrom('red', 'blue', 'green'), { nil: undefined });
const change: fc.Arbitrary<GivenEvent> = fc.oneof(
  fc.record({ a: account, c: id, color }).map(({ a, c, color: k }) => ({
    type: 'ContactUpserted',
    data: { accountId: a, contactId: c, email: `${c}@x.test`, properties: k === undefined ? {} : { color: k } },
  })),
  fc.record({ a: account, c: id }).map(({ a, c }) => ({ type: 'ContactDeleted', data: { accountId: a, contactId: c } })),
  fc
    .record({ a: account, d: id, stage: fc.constantFrom('open', 'won'), amount: fc.option(fc.integer({ min: 0, max: 100_000 }).map((n) => n / 100), { nil: undefined }), first: fc.option(id, { nil: undefined }) })
    .map(({ a, d, stage, amount, first }) => ({
      type: 'DealSaved',
      data: { accountId: a, dealId: d, name: d, stage, ...(amount !== undefined ? { amount } : {}), contactIds: first ? [first] : [] },
    })),
);

const rows = async (read: ProjectionRead, reportId: string) =>
  (await read.find<ReportRowDoc>(REPORT_ROWS, {}))
    .map(({ doc }) => doc)
    .filter((r) => r.r === reportId)
    .map((r) => `${r.a}/${JSON.stringify(r.k)}→${r.n} ${r.s} ${r.m}`)
    .sort();

describe('reports projection, property: incremental rows equal a recount', () => {
  it.each([
    ['contacts by account and color', definition({ sourceAccountIds: ['a'], groupBy: ['account', 'property:color'] })],
    ['deals by stage and first contact color, with sums', definition({ object: 'deals', sourceAccountIds: ['a'], groupBy: ['stage', 'property:color'], measures: ['count', 'sum:amount', 'avg:amount'] })],
    ['contacts filtered to red', definition({ sourceAccountIds: ['a'], groupBy: [], filters: [{ field: 'property:color', equals: 'red' }] })],
  ])('%s', async (_what, def) => {
    await fc.assert(
      fc.asyncProperty(fc.array(change, { maxLength: 12 }), fc.array(change, { maxLength: 25 }), async (before, after) => {
        const events = [org, ...before, reportDefined(def), ...after, reportDefined(def, 'recount')];
        await spec.given(events).then(async (read) => {
          expect(await rows(read, REPORT)).toEqual(await rows(read, 'recount'));
        });
      }),
      { numRuns: 60 },
    );
  });
});
