import {
  connectionsConfigured,
  created,
  definition,
  flowsRevoked,
  memberEvicted,
  oneWay,
  organizationDeleted,
  PRIMARY,
  ProjectionSpecification,
  REPORT,
  reportDefined,
  reportDeleted,
  reportRedefined,
  type GivenEvent,
  type ProjectionRead,
} from '@mam/testing';
import type { ReportDefinition } from '@mam/domain';
import { REPORT_ACCOUNTS, REPORT_PROPERTIES, REPORT_ROWS, REPORTS, type ReportRowDoc } from './report.collections';
import { reportsProjection } from './report.projection';

const spec = ProjectionSpecification.for(reportsProjection);
const P = PRIMARY;

const contact = (accountId: string, contactId: string, properties: Record<string, string> = {}, email = `${contactId}@x.test`): GivenEvent => ({
  type: 'ContactUpserted',
  data: { accountId, contactId, email, properties },
});
const contactDeleted = (accountId: string, contactId: string): GivenEvent => ({ type: 'ContactDeleted', data: { accountId, contactId } });
const deal = (accountId: string, dealId: string, stage: string, amount: number | undefined, contactIds: string[] = []): GivenEvent => ({
  type: 'DealSaved',
  data: { accountId, dealId, name: dealId, stage, ...(amount !== undefined ? { amount } : {}), contactIds },
});

const reporting = oneWay('a', P, { reporting: true });
const org = (connections = [reporting]) => created([P, 'a', 'b'], { connections });
const byColor = definition({ sourceAccountIds: ['a'], groupBy: ['account', 'property:color'] });
const crm: GivenEvent[] = [
  contact(P, 'p1', { color: 'red' }),
  contact(P, 'p2', { color: 'blue' }),
  contact('a', 'a1', { color: 'red' }),
  contact('a', 'a2'),
  contact('b', 'b1', { color: 'red' }),
];

/** The report's rows as `account/values → count [sum m]`, in id order. */
async function rows(read: ProjectionRead, reportId = REPORT): Promise<string[]> {
  const found = await read.find<ReportRowDoc>(REPORT_ROWS, { r: reportId });
  return found.map(({ doc }) => `${doc.a}/${doc.k.join(',')}→${doc.n}${doc.s || doc.m ? ` ${doc.s} ${doc.m}` : ''}`).sort();
}
const expectRows = (events: GivenEvent[], expected: string[], reportId = REPORT) =>
  spec.given(events).then(async (read) => expect(await rows(read, reportId)).toEqual(expected.sort()));

describe('reports projection (R5, R6)', () => {
  it('R5 back-fills a new report from the contacts already projected: one row per account and value, null for a missing property', () =>
    expectRows([org(), ...crm, reportDefined(byColor)], [`${P}/${P},red→1`, `${P}/${P},blue→1`, 'a/a,red→1', 'a/a,→1']));

  it('R6 a contact created after the report is counted as it arrives', () =>
    expectRows([org(), reportDefined(byColor), ...crm], [`${P}/${P},red→1`, `${P}/${P},blue→1`, 'a/a,red→1', 'a/a,→1']));

  it('R6 an edit that moves a contact between groups decrements one row and increments another', () =>
    expectRows([org(), ...crm, reportDefined(byColor), contact('a', 'a1', { color: 'blue' }), contact(P, 'p2', { color: 'red' })], [
      `${P}/${P},red→2`,
      'a/a,blue→1',
      'a/a,→1',
    ]));

  it('R6 an edit that keeps the group changes nothing; a deletion decrements its group', () =>
    expectRows([org(), ...crm, reportDefined(byColor), contact('a', 'a1', { color: 'red', size: 'L' }), contactDeleted(P, 'p1'), contactDeleted(P, 'nobody')], [
      `${P}/${P},blue→1`,
      'a/a,red→1',
      'a/a,→1',
    ]));

  it('filters leave out what does not match, and follow edits in and out', () => {
    const reds = definition({ sourceAccountIds: ['a'], groupBy: ['account'], filters: [{ field: 'property:color', equals: 'red' }] });
    return expectRows([org(), ...crm, reportDefined(reds), contact('a', 'a2', { color: 'red' }), contact(P, 'p1', { color: 'green' })], ['a/a→2']);
  });

  it('R6 a revoked flow drops the source rows at once and lists it as no-flow; the report stays', () =>
    spec
      .given([org(), ...crm, reportDefined(byColor), flowsRevoked('a', 'sensitive-data', [{ feature: 'reporting', from: 'a', to: P, reason: 'sensitive-data' }]), contact('a', 'a3', { color: 'red' })])
      .then(async (read) => {
        expect(await rows(read)).toEqual([`${P}/${P},blue→1`, `${P}/${P},red→1`]);
        expect((await read.get<{ accounts: object }>(REPORTS, REPORT))?.accounts).toEqual({ [P]: 'included', a: 'no-flow' });
        expect(await read.get(REPORT_ACCOUNTS, 'a')).toBeNull();
      }));

  it('R6 a flow configured again back-fills the source, with what changed meanwhile', () =>
    expectRows(
      [org(), ...crm, reportDefined(byColor), connectionsConfigured([]), contact('a', 'a3', { color: 'red' }), connectionsConfigured([reporting])],
      [`${P}/${P},red→1`, `${P}/${P},blue→1`, 'a/a,red→2', 'a/a,→1'],
    ));

  it('R6 an evicted source leaves the results (left-organization) and its later edits count nowhere', () =>
    spec.given([org(), ...crm, reportDefined(byColor), memberEvicted('a', 'downgrade'), contact('a', 'a1', { color: 'blue' })]).then(async (read) => {
      expect(await rows(read)).toEqual([`${P}/${P},blue→1`, `${P}/${P},red→1`]);
      expect((await read.get<{ accounts: object }>(REPORTS, REPORT))?.accounts).toEqual({ [P]: 'included', a: 'left-organization' });
    }));

  it('R6 a definition edit recounts the report under the new definition', () => {
    const byAccount = definition({ sourceAccountIds: ['a'], groupBy: ['account'] });
    return expectRows([org(), ...crm, reportDefined(byColor), reportRedefined(byAccount), contact('a', 'a4')], [`${P}/${P}→2`, 'a/a→3']);
  });

  it('R6 a deleted report has no rows and counts nothing more', () =>
    spec.given([org(), ...crm, reportDefined(byColor), reportDeleted(), contact('a', 'a5', { color: 'red' })]).then(async (read) => {
      expect(await rows(read)).toEqual([]);
      expect(await read.get(REPORTS, REPORT)).toBeNull();
      expect(await read.get(REPORT_ACCOUNTS, P)).toBeNull();
    }));

  it('R6 deleting the organization deletes its reports', () =>
    spec.given([org(), ...crm, reportDefined(byColor), organizationDeleted([P, 'a', 'b'])]).then(async (read) => {
      expect(await rows(read)).toEqual([]);
      expect(await read.get(REPORTS, REPORT)).toBeNull();
    }));

  it('a definition that raced the organization deletion is not kept', () =>
    spec.given([org(), organizationDeleted([P, 'a', 'b']), reportDefined(byColor)]).then(async (read) => {
      expect(await read.get(REPORTS, REPORT)).toBeNull();
    }));

  describe('deals', () => {
    const money: ReportDefinition = definition({
      object: 'deals',
      sourceAccountIds: ['a'],
      groupBy: ['account', 'stage'],
      measures: ['count', 'sum:amount', 'avg:amount'],
    });

    it('sums amounts in integer cents; a deal whose amount changes moves its cents exactly', () =>
      expectRows([org(), deal(P, 'd1', 'open', 0.1), deal(P, 'd2', 'open', 0.2), reportDefined(money), deal(P, 'd3', 'open', 1234.56), deal(P, 'd1', 'open', 0.3), deal('a', 'd4', 'won', undefined)], [
        `${P}/${P},open→3 123506 3`,
        'a/a,won→1',
      ]));

    it('a deal moving stage leaves one group for another; adds and removes many times stay exact', () => {
      const flips = Array.from({ length: 20 }, (_, i) => deal(P, 'd1', i % 2 ? 'won' : 'open', 0.1));
      return expectRows([org(), reportDefined(money), deal(P, 'd2', 'open', 0.2), ...flips, deal(P, 'd1', 'won', 0.7)], [`${P}/${P},open→1 20 1`, `${P}/${P},won→1 70 1`]);
    });

    it("a deal is grouped by its first contact's property, and moves when that contact is edited or deleted", () => {
      const byTier = definition({ object: 'deals', sourceAccountIds: ['a'], groupBy: ['property:tier'], measures: ['count', 'sum:amount'] });
      return expectRows(
        [
          org(),
          contact(P, 'c1', { tier: 'gold' }),
          deal(P, 'd1', 'open', 10, ['c1', 'c2']),
          deal(P, 'd2', 'open', 5, ['c2']),
          reportDefined(byTier),
          contact(P, 'c2', { tier: 'silver' }),
          contact(P, 'c1', { tier: 'silver' }),
          deal(P, 'd3', 'open', 1, ['c1']),
          contactDeleted(P, 'c2'),
        ],
        [`${P}/→1 500 1`, `${P}/silver→2 1100 2`],
      );
    });
  });

  it('R5 counts and groups by any property name, __proto__ and constructor included', () => {
    const odd = definition({ sourceAccountIds: ['a'], groupBy: ['property:__proto__', 'property:constructor'] });
    const props = JSON.parse('{"__proto__":"x","constructor":"y"}');
    return spec.given([org(), contact('a', 'a1', props), contact(P, 'p1'), reportDefined(odd)]).then(async (read) => {
      expect(await rows(read)).toEqual(['a/x,y→1', `${P}/,→1`]);
      expect(Object.entries((await read.get<{ counts: object }>(REPORT_PROPERTIES, 'a'))!.counts)).toEqual([
        ['__proto__', 1],
        ['constructor', 1],
        ['email', 1],
      ]);
    });
  });

  it('R5 keeps per account how many contacts carry each property', () =>
    spec
      .given([...crm, contact('a', 'a2', { color: 'green', size: 'S' }), contact('a', 'a1'), contactDeleted(P, 'p2')])
      .then(async (read) => {
        expect(await read.get(REPORT_PROPERTIES, 'a')).toEqual({ counts: { email: 2, color: 1, size: 1 } });
        expect(await read.get(REPORT_PROPERTIES, P)).toEqual({ counts: { email: 1, color: 1 } });
      }));
});
