import {
  connectionsConfigured,
  created,
  flowsRevoked,
  memberEvicted,
  membersChanged,
  oneWay,
  organizationDeleted,
  ORG,
  ProjectionSpecification,
  registered,
  twoWay,
  userSet,
  type GivenEvent,
  type ProjectionRead,
} from '@mam/testing';
import type { ActivityType, CrmEvent, OrganizationEvent, Revocation } from '@mam/domain';
import type { ReadStore } from '@mam/read-store';
import type { Projection } from '../projections/projection';
import { accountsProjection } from '../accounts/account.projections';
import { mirroringProjection } from './mirroring.projection';
import { CONTACTS, DEAL_LINKS, FLOWS, LINKS, MIRROR_ORGS, type LinkDoc } from './mirroring.collections';
import { MirroringQueries } from './mirroring.queries';

/**
 * M1–M4 and P7/P8 on the mirroring read model: given CRM and organization
 * events, then the link docs (mirror_links: per target contact, the matching
 * source contacts) and the views MirroringQueries assembles from them.
 *
 * The accounts projection runs beside it, so the queries' M3 check finds the
 * target accounts and their users (VIEWER holds a Sales seat in each).
 */

const P = 'p';
const S = 's';
const S2 = 's2';
const T = 't';
const VIEWER = 'viewer';

/** The mirroring projection with the accounts read model beside it (what MirroringQueries reads). */
const withAccounts: Projection = {
  name: 'mirroring+accounts',
  collections: [...mirroringProjection.collections, ...accountsProjection.collections],
  eventTypes: new Set([...mirroringProjection.eventTypes, ...accountsProjection.eventTypes]),
  async apply(event, tx) {
    if (accountsProjection.eventTypes.has(event.type)) await accountsProjection.apply(event, tx);
    if (mirroringProjection.eventTypes.has(event.type)) await mirroringProjection.apply(event, tx);
  },
};
const spec = ProjectionSpecification.for(withAccounts);

/** Every account exists and VIEWER has a Sales seat in each. */
const accounts: GivenEvent[] = [P, S, S2, T].flatMap((id) => [registered(id), userSet(id, VIEWER, [], ['sales'])]);
const given = (events: Array<CrmEvent | OrganizationEvent | GivenEvent>) => spec.given([...accounts, ...events]);

// ── CRM events ────────────────────────────────────────────────────────────
const contact = (
  accountId: string,
  contactId: string,
  email: string,
  extra: { firstName?: string; lastName?: string; properties?: Record<string, string> } = {},
): CrmEvent => ({
  type: 'ContactUpserted',
  data: { accountId, contactId, email, ...(extra.firstName !== undefined ? { firstName: extra.firstName } : {}), ...(extra.lastName !== undefined ? { lastName: extra.lastName } : {}), properties: extra.properties ?? {} },
});
const contactDeleted = (accountId: string, contactId: string): CrmEvent => ({ type: 'ContactDeleted', data: { accountId, contactId } });
const activity = (accountId: string, contactId: string, activityId: string, type: ActivityType, occurredAt: string, summary = `${type} ${activityId}`): CrmEvent => ({
  type: 'ActivityLogged',
  data: { accountId, contactId, activityId, type, occurredAt, summary },
});
const deal = (accountId: string, dealId: string, contactIds: string[], extra: { name?: string; stage?: string; amount?: number } = {}): CrmEvent => ({
  type: 'DealSaved',
  data: { accountId, dealId, name: extra.name ?? `Deal ${dealId}`, stage: extra.stage ?? 'appointmentscheduled', ...(extra.amount !== undefined ? { amount: extra.amount } : {}), contactIds },
});

// ── organizations ─────────────────────────────────────────────────────────
const ORG2 = 'org-2';
/** P, S, S2, T in one organization, with the given connections. */
const org = (...connections: ReturnType<typeof twoWay>[]) => created([P, S, S2, T], { connections });
const sToT = oneWay(S, T);
const s2ToT = oneWay(S2, T);
const revokedSensitive = (from: string, to: string): Revocation => ({ feature: 'dataMirroring', from, to, reason: 'sensitive-data' });
const revokedTarget = (from: string, to: string): Revocation => ({ feature: 'dataMirroring', from, to, reason: 'mirroring-target-ineligible' });

// ── reading the model ─────────────────────────────────────────────────────
const ref = (accountId: string, contactId: string) => ({ accountId, contactId });
const byRef = (a: { accountId: string; contactId: string }, b: { accountId: string; contactId: string }) =>
  a.accountId !== b.accountId ? (a.accountId < b.accountId ? -1 : 1) : a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0;

/** The link docs of target account `accountId`: target contact id → its sources (sorted). */
async function links(read: ProjectionRead, accountId: string): Promise<Record<string, Array<{ accountId: string; contactId: string }>>> {
  const result: Record<string, Array<{ accountId: string; contactId: string }>> = {};
  for (const { doc } of await read.find<LinkDoc>(LINKS, { targetAccountId: accountId })) {
    result[doc.targetContactId] = [...doc.sources].sort(byRef);
  }
  return result;
}

const queries = (read: ProjectionRead) => new MirroringQueries(read as ReadStore);
/** The assembled view of one target contact, or null when there is none (404). */
async function view(read: ProjectionRead, accountId: string, contactId: string): Promise<any> {
  try {
    return await queries(read).one(accountId, contactId, VIEWER);
  } catch (error) {
    if ((error as { code?: string }).code === 'NOT_FOUND') return null;
    throw error;
  }
}
const list = async (read: ProjectionRead, accountId: string, options: { email?: string; limit?: number; cursor?: string } = {}) =>
  queries(read).list(accountId, VIEWER, options);

const plain = (accountId: string, contactId: string, email: string) => ({
  accountId,
  contactId,
  properties: { email },
  activities: [],
  deals: [],
});

describe('mirroring projection', () => {
  describe('M1 matching by email', () => {
    it('M1 matches a source and a target contact whose emails differ only in case and surrounding spaces', () =>
      given([org(sToT), contact(S, 's1', '  Ann.Lee@Example.COM '), contact(T, 't1', 'ann.lee@example.com')]).then(async (read) => {
        expect(await read.get(LINKS, 't|t1')).toEqual({
          targetAccountId: T,
          targetContactId: 't1',
          emailKey: 'ann.lee@example.com',
          sources: [ref(S, 's1')],
        });
        expect((await view(read, T, 't1')).sources).toEqual([plain(S, 's1', '  Ann.Lee@Example.COM ')]);
      }));

    it('M1 matches whichever side is written first, the key is the trimmed lower-case email', () =>
      given([org(sToT), contact(T, 't1', 'BOB@example.com\t'), contact(S, 's1', ' bob@EXAMPLE.com')]).then(async (read) => {
        expect(await links(read, T)).toEqual({ t1: [ref(S, 's1')] });
        expect(((await read.get(LINKS, 't|t1')) as LinkDoc).emailKey).toBe('bob@example.com');
      }));

    it('M1 different addresses do not match (no fuzzy matching)', () =>
      given([
        org(sToT),
        contact(S, 's1', 'ann@example.com'),
        contact(T, 't1', 'anne@example.com'),
        contact(T, 't2', 'ann@example.org'),
        contact(T, 't3', 'ann+x@example.com'),
      ]).then(async (read) => {
        expect(await links(read, T)).toEqual({});
        expect(await view(read, T, 't1')).toBeNull();
      }));
  });

  describe('M2 views', () => {
    it('M2 a view shows the source properties flattened (email, firstName, lastName and the properties map), its activities by time and its deals', () =>
      given([
        contact(S, 's1', 'ann@example.com', { firstName: 'Ann', lastName: 'Lee', properties: { company: 'Acme', phone: '+1 555' } }),
        activity(S, 's1', 'a2', 'call', '2026-02-01T10:00:00Z', 'second'),
        activity(S, 's1', 'a1', 'note', '2026-01-01T10:00:00Z', 'first'),
        activity(S, 's1', 'a3', 'meeting', '2026-03-01T10:00:00Z'),
        activity(S, 's1', 'a4', 'email', '2026-04-01T10:00:00Z'),
        activity(S, 's1', 'a5', 'task', '2026-05-01T10:00:00Z'),
        deal(S, 'd1', ['s1'], { name: 'Big one', stage: 'closedwon', amount: 1250.5 }),
        deal(S, 'd2', ['s1', 'other'], { name: 'No amount', stage: 'qualified' }),
        contact(T, 't1', 'Ann@Example.com', { firstName: 'Annie', properties: { owner: 'target-only' } }),
        org(sToT),
      ]).then(async (read) => {
        const v = await view(read, T, 't1');
        expect(v).toEqual({
          email: 'Ann@Example.com',
          contactId: 't1',
          sources: [
            {
              accountId: S,
              contactId: 's1',
              properties: { email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee', company: 'Acme', phone: '+1 555' },
              activities: [
                { activityId: 'a1', type: 'note', occurredAt: '2026-01-01T10:00:00Z', summary: 'first' },
                { activityId: 'a2', type: 'call', occurredAt: '2026-02-01T10:00:00Z', summary: 'second' },
                { activityId: 'a3', type: 'meeting', occurredAt: '2026-03-01T10:00:00Z', summary: 'meeting a3' },
                { activityId: 'a4', type: 'email', occurredAt: '2026-04-01T10:00:00Z', summary: 'email a4' },
                { activityId: 'a5', type: 'task', occurredAt: '2026-05-01T10:00:00Z', summary: 'task a5' },
              ],
              deals: expect.arrayContaining([
                { dealId: 'd1', name: 'Big one', stage: 'closedwon', amount: 1250.5 },
                { dealId: 'd2', name: 'No amount', stage: 'qualified' },
              ]),
            },
          ],
        });
        expect(v.sources[0].deals).toHaveLength(2);
        expect(typeof v.sources[0].deals.find((d: { dealId: string }) => d.dealId === 'd1').amount).toBe('number');
        expect('amount' in v.sources[0].deals.find((d: { dealId: string }) => d.dealId === 'd2')).toBe(false);
        // The target's own properties are not part of the view: it shows the sources, read-only.
        expect(JSON.stringify(v)).not.toContain('target-only');
        expect(await list(read, T)).toEqual({ items: [v] });
      }));

    it('M2 a one-way flow S → T gives views in T only: the matching contact in S gets none', () =>
      given([org(sToT), contact(S, 's1', 'ann@example.com'), contact(T, 't1', 'ann@example.com')]).then(async (read) => {
        expect(await links(read, T)).toEqual({ t1: [ref(S, 's1')] });
        expect(await links(read, S)).toEqual({});
        expect(await view(read, S, 's1')).toBeNull();
        expect(await list(read, S)).toEqual({ items: [] });
      }));

    it('M2 a two-way connection mirrors both ways', () =>
      given([org(twoWay(S, T)), contact(S, 's1', 'ann@example.com'), contact(T, 't1', 'ann@example.com')]).then(async (read) => {
        expect(await links(read, T)).toEqual({ t1: [ref(S, 's1')] });
        expect(await links(read, S)).toEqual({ s1: [ref(T, 't1')] });
      }));

    it('M2 a connection without data mirroring (asset copying, workflows) gives no view', () =>
      given([
        org(twoWay(S, T, { assetCopying: true, workflows: true })),
        contact(S, 's1', 'ann@example.com'),
        contact(T, 't1', 'ann@example.com'),
      ]).then(async (read) => {
        expect(await links(read, T)).toEqual({});
        expect(await links(read, S)).toEqual({});
        expect(await read.find(FLOWS, {})).toEqual([]);
      }));

    it('M2 accounts without a connection, or in no organization, see nothing of each other', () =>
      given([org(sToT), contact(S2, 'x1', 'ann@example.com'), contact(P, 'p1', 'ann@example.com'), contact(T, 't1', 'ann@example.com')]).then(
        async (read) => {
          expect(await links(read, T)).toEqual({});
          expect(await view(read, T, 't1')).toBeNull();
        },
      ));

    it('M2 two sources matching one target: one view listing both', () =>
      given([
        org(sToT, s2ToT),
        contact(S, 's1', 'ann@example.com', { firstName: 'From S' }),
        contact(T, 't1', 'ann@example.com'),
        contact(S2, 'x1', 'ANN@example.com', { firstName: 'From S2' }),
      ]).then(async (read) => {
        expect(await links(read, T)).toEqual({ t1: [ref(S, 's1'), ref(S2, 'x1')] });
        const v = await view(read, T, 't1');
        expect(v.sources.map((s: { accountId: string; properties: Record<string, string> }) => [s.accountId, s.properties.firstName]).sort()).toEqual([
          [S, 'From S'],
          [S2, 'From S2'],
        ]);
      }));

    it('M2 two contacts of one source with the same email both appear in the view', () =>
      given([org(sToT), contact(T, 't1', 'ann@example.com'), contact(S, 's1', 'ann@example.com'), contact(S, 's2', 'Ann@example.com ')]).then(
        async (read) => expect(await links(read, T)).toEqual({ t1: [ref(S, 's1'), ref(S, 's2')] }),
      ));

    it('M2 a target written after two sources with its email lists them in id order, whatever order they came in', () =>
      given([org(sToT), contact(S, 's2', 'ann@example.com'), contact(S, 's1', 'Ann@example.com'), contact(T, 't1', 'ann@example.com')]).then(async (read) =>
        expect((await view(read, T, 't1')).sources.map((s: { contactId: string }) => s.contactId)).toEqual(['s1', 's2']),
      ));

    it('M2 two contacts of the target with the same email each get a view', () =>
      given([org(sToT), contact(S, 's1', 'ann@example.com'), contact(T, 't1', 'ann@example.com'), contact(T, 't2', 'ANN@example.com')]).then(
        async (read) => expect(await links(read, T)).toEqual({ t1: [ref(S, 's1')], t2: [ref(S, 's1')] }),
      ));

    it('M2 the listing filters by email (trimmed, case-insensitive) and pages by cursor without gaps or repeats', () =>
      given([
        org(sToT),
        ...Array.from({ length: 7 }, (_, i) => [contact(S, `s${i}`, `c${i}@example.com`), contact(T, `t${i}`, `C${i}@example.com`)]).flat(),
      ]).then(async (read) => {
        expect((await list(read, T, { email: '  c3@EXAMPLE.com ' })).items.map((v: { contactId: string }) => v.contactId)).toEqual(['t3']);
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page: { items: Array<{ contactId: string }>; nextCursor?: string } = await list(read, T, { limit: 3, cursor });
          expect(page.items.length).toBeLessThanOrEqual(3);
          seen.push(...page.items.map((v) => v.contactId));
          cursor = page.nextCursor;
          pages += 1;
        } while (cursor && pages < 10);
        expect(seen).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
        expect(pages).toBe(3);
      }));

    it('M2 source edits that keep the email are visible at once (views are read from the sources)', () =>
      given([
        org(sToT),
        contact(S, 's1', 'ann@example.com', { firstName: 'Ann' }),
        contact(T, 't1', 'ann@example.com'),
        contact(S, 's1', 'ANN@example.com', { firstName: 'Annabel', properties: { tier: 'gold' } }),
        activity(S, 's1', 'a1', 'note', '2026-01-01T00:00:00Z'),
      ]).then(async (read) => {
        expect(await links(read, T)).toEqual({ t1: [ref(S, 's1')] });
        expect((await view(read, T, 't1')).sources[0]).toEqual({
          accountId: S,
          contactId: 's1',
          properties: { email: 'ANN@example.com', firstName: 'Annabel', tier: 'gold' },
          activities: [{ activityId: 'a1', type: 'note', occurredAt: '2026-01-01T00:00:00Z', summary: 'note a1' }],
          deals: [],
        });
      }));
  });

  describe('M4 back-fill when a flow is added after the data', () => {
    const data = [
      contact(S, 's1', 'ann@example.com', { firstName: 'Ann' }),
      activity(S, 's1', 'a1', 'call', '2026-01-01T00:00:00Z'),
      deal(S, 'd1', ['s1'], { amount: 10 }),
      contact(S, 's2', 'bob@example.com'),
      contact(S2, 'x1', 'ann@example.com'),
      contact(T, 't1', 'Ann@Example.com'),
      contact(T, 't2', 'bob@example.com'),
      contact(T, 't3', 'carl@example.com'),
    ];

    it('M4 an organization created with a mirroring connection back-fills every matching pair, with activities and deals', () =>
      given([...data, org(sToT)]).then(async (read) => {
        expect(await links(read, T)).toEqual({ t1: [ref(S, 's1')], t2: [ref(S, 's2')] });
        const v = await view(read, T, 't1');
        expect(v.sources[0].activities).toHaveLength(1);
        expect(v.sources[0].deals).toEqual([{ dealId: 'd1', name: 'Deal d1', stage: 'appointmentscheduled', amount: 10 }]);
        expect(await read.find(FLOWS, {})).toEqual([{ id: 's|t', doc: { from: S, to: T, organizationId: ORG } }]);
      }));

    it('M4 connections configured with mirroring later back-fill; the other direction stays empty', () =>
      given([org(), ...data, connectionsConfigured([sToT])]).then(async (read) => {
        expect(await links(read, T)).toEqual({ t1: [ref(S, 's1')], t2: [ref(S, 's2')] });
        expect(await links(read, S)).toEqual({});
      }));

    it('M4 a second flow into the same target adds its sources to the existing views', () =>
      given([...data, org(sToT), connectionsConfigured([sToT, s2ToT])]).then(async (read) =>
        expect(await links(read, T)).toEqual({ t1: [ref(S, 's1'), ref(S2, 'x1')], t2: [ref(S, 's2')] }),
      ));

    it('M4 a flow configured again after a revocation back-fills again', () =>
      given([...data, org(sToT), flowsRevoked(S, 'sensitive-data', [revokedSensitive(S, T)]), connectionsConfigured([sToT])]).then(async (read) =>
        expect(await links(read, T)).toEqual({ t1: [ref(S, 's1')], t2: [ref(S, 's2')] }),
      ));

    it('M4 back-fill pages through more contacts than one page of the store (2000)', () =>
      given([
        ...Array.from({ length: 2101 }, (_, i) => [contact(S, `s${String(i).padStart(4, '0')}`, `c${i}@example.com`), contact(T, `t${String(i).padStart(4, '0')}`, `c${i}@example.com`)]).flat(),
        org(sToT),
      ]).then(async (read) => {
        const l = await links(read, T);
        expect(Object.keys(l)).toHaveLength(2101);
        expect(l.t2100).toEqual([ref(S, 's2100')]);
        expect(l.t0000).toEqual([ref(S, 's0000')]);
      }));
  });

  describe('M4 purge when a flow is revoked', () => {
    const data = [
      contact(S, 's1', 'ann@example.com'),
      contact(S2, 'x1', 'ann@example.com'),
      contact(T, 't1', 'ann@example.com'),
      contact(S, 's2', 'bob@example.com'),
      contact(T, 't2', 'bob@example.com'),
    ];
    const both = org(sToT, s2ToT);

    it('M4 connections reconfigured without data mirroring remove the views', () =>
      given([both, ...data, connectionsConfigured([twoWay(S, T, { assetCopying: true }), s2ToT])]).then(async (read) => {
        expect(await links(read, T)).toEqual({ t1: [ref(S2, 'x1')] });
        expect(await view(read, T, 't2')).toBeNull();
        expect((await read.find(FLOWS, {})).map((r) => r.id)).toEqual(['s2|t']);
      }));

    it('M4 connections reconfigured to the other direction: T no longer shows S, S now shows T', () =>
      given([org(sToT), ...data, connectionsConfigured([oneWay(T, S)])]).then(async (read) => {
        expect(await links(read, T)).toEqual({});
        expect(await links(read, S)).toEqual({ s1: [ref(T, 't1')], s2: [ref(T, 't2')] });
      }));

    it('M4/C4 FlowsRevoked (sensitive data) takes the source out of every view; other sources stay', () =>
      given([both, ...data, flowsRevoked(S, 'sensitive-data', [revokedSensitive(S, T)])]).then(async (read) => {
        expect(await links(read, T)).toEqual({ t1: [ref(S2, 'x1')] });
        expect((await view(read, T, 't1')).sources.map((s: { accountId: string }) => s.accountId)).toEqual([S2]);
        expect(await read.get(LINKS, 't|t2')).toBeNull();
      }));

    it('M4/C5 FlowsRevoked (target ineligible) removes every view in the target', () =>
      given([both, ...data, flowsRevoked(T, 'mirroring-target-ineligible', [revokedTarget(S, T), revokedTarget(S2, T)])]).then(async (read) => {
        expect(await links(read, T)).toEqual({});
        expect(await read.find(FLOWS, {})).toEqual([]);
        expect(await list(read, T)).toEqual({ items: [] });
      }));

    it('M4 after a revocation, new matching contacts create no view', () =>
      given([org(sToT), flowsRevoked(S, 'sensitive-data', [revokedSensitive(S, T)]), ...data]).then(async (read) =>
        expect(await links(read, T)).toEqual({}),
      ));

    it('P7 an evicted source: its contacts leave every view', () =>
      given([both, ...data, memberEvicted(S, 'downgrade')]).then(async (read) => {
        expect(await links(read, T)).toEqual({ t1: [ref(S2, 'x1')] });
        expect((await read.find(FLOWS, {})).map((r) => r.id)).toEqual(['s2|t']);
      }));

    it('P7 an evicted target: every view into it goes, and later data does not bring them back', () =>
      given([both, ...data, memberEvicted(T, 'hosting-moved'), contact(T, 't9', 'ann@example.com'), contact(S, 's1', 'bob@example.com')]).then(
        async (read) => {
          expect(await links(read, T)).toEqual({});
          expect(await read.find(FLOWS, {})).toEqual([]);
        },
      ));

    it('P7 an evicted member in a two-way connection: views into it and from it go', () =>
      given([org(twoWay(S, T), twoWay(S2, T)), ...data, memberEvicted(S, 'deactivated')]).then(async (read) => {
        expect(await links(read, S)).toEqual({});
        expect(await links(read, T)).toEqual({ t1: [ref(S2, 'x1')] });
        expect(await links(read, S2)).toEqual({ x1: [ref(T, 't1')] });
      }));

    it('P7 a member removed by an edit of the members loses its views the same way', () =>
      given([both, ...data, membersChanged([], [S])]).then(async (read) => expect(await links(read, T)).toEqual({ t1: [ref(S2, 'x1')] })));

    it('P8 a deleted organization: every view of it disappears', () =>
      given([org(twoWay(S, T), s2ToT), ...data, organizationDeleted([P, S, S2, T])]).then(async (read) => {
        for (const a of [P, S, S2, T]) expect(await links(read, a)).toEqual({});
        expect(await read.find(FLOWS, {})).toEqual([]);
        expect(((await read.get(MIRROR_ORGS, ORG)) as { status: string }).status).toBe('deleted');
      }));

    it('P8 the released accounts can mirror again in another organization (back-fill there)', () =>
      given([
        org(sToT),
        ...data,
        organizationDeleted([P, S, S2, T]),
        created([P, S, T], { organizationId: ORG2, connections: [sToT] }),
      ]).then(async (read) => {
        expect(await links(read, T)).toEqual({ t1: [ref(S, 's1')], t2: [ref(S, 's2')] });
        expect(await read.find(FLOWS, {})).toEqual([{ id: 's|t', doc: { from: S, to: T, organizationId: ORG2 } }]);
      }));

    it('P8 two organizations side by side: deleting one leaves the other one\'s views', () =>
      given([
        created([P, S, T], { connections: [sToT] }),
        created(['p2', S2, 't2'], { organizationId: ORG2, connections: [oneWay(S2, 't2')] }),
        ...data,
        contact('t2', 'u1', 'ann@example.com'),
        organizationDeleted([P, S, T]),
      ]).then(async (read) => {
        expect(await links(read, T)).toEqual({});
        // org-2's target shows org-2's source only, never S of the other organization.
        expect(await links(read, 't2')).toEqual({ u1: [ref(S2, 'x1')] });
      }));
  });

  describe('M4 re-match after an email change', () => {
    it('M4 a source contact whose email changes leaves the old view and joins the new one', () =>
      given([
        org(sToT),
        contact(S, 's1', 'ann@example.com'),
        contact(T, 't1', 'ann@example.com'),
        contact(T, 't2', 'bob@example.com'),
        contact(S, 's1', 'Bob@Example.com'),
      ]).then(async (read) => {
        expect(await links(read, T)).toEqual({ t2: [ref(S, 's1')] });
        expect(await view(read, T, 't1')).toBeNull();
        expect((await view(read, T, 't2')).sources[0].properties.email).toBe('Bob@Example.com');
      }));

    it('M4 a source email change leaves the other sources of the old view in place', () =>
      given([
        org(sToT, s2ToT),
        contact(S, 's1', 'ann@example.com'),
        contact(S2, 'x1', 'ann@example.com'),
        contact(T, 't1', 'ann@example.com'),
        contact(S, 's1', 'new@example.com'),
      ]).then(async (read) => expect(await links(read, T)).toEqual({ t1: [ref(S2, 'x1')] })));

    it('M4 a target contact whose email changes now shows the sources of its new email', () =>
      given([
        org(sToT),
        contact(S, 's1', 'ann@example.com'),
        contact(S, 's2', 'bob@example.com'),
        contact(T, 't1', 'ann@example.com'),
        contact(T, 't1', ' BOB@example.com'),
      ]).then(async (read) => {
        expect(await read.get(LINKS, 't|t1')).toEqual({ targetAccountId: T, targetContactId: 't1', emailKey: 'bob@example.com', sources: [ref(S, 's2')] });
        expect((await list(read, T, { email: 'ann@example.com' })).items).toEqual([]);
        expect((await list(read, T, { email: 'bob@example.com' })).items.map((v: { contactId: string }) => v.contactId)).toEqual(['t1']);
      }));

    it('M4 a target contact whose email changes to one without a match loses its view', () =>
      given([org(sToT), contact(S, 's1', 'ann@example.com'), contact(T, 't1', 'ann@example.com'), contact(T, 't1', 'nobody@example.com')]).then(
        async (read) => expect(await links(read, T)).toEqual({}),
      ));

    it('M4 a change of case or spaces only keeps the match', () =>
      given([org(sToT), contact(S, 's1', 'ann@example.com'), contact(T, 't1', 'ann@example.com'), contact(S, 's1', ' ANN@example.com '), contact(T, 't1', 'Ann@Example.Com')]).then(
        async (read) => expect(await links(read, T)).toEqual({ t1: [ref(S, 's1')] }),
      ));

    it('M4 in a two-way connection, an email change re-matches both as source and as target', () =>
      given([
        org(twoWay(S, T)),
        contact(S, 's1', 'ann@example.com'),
        contact(T, 't1', 'ann@example.com'),
        contact(T, 't2', 'bob@example.com'),
        contact(S, 's1', 'bob@example.com'),
      ]).then(async (read) => {
        expect(await links(read, T)).toEqual({ t2: [ref(S, 's1')] });
        expect(await links(read, S)).toEqual({ s1: [ref(T, 't2')] });
      }));
  });

  describe('M4 deletions', () => {
    it('M4 a deleted source contact leaves the view; the view goes with its last source', () =>
      given([org(sToT), contact(S, 's1', 'ann@example.com'), contact(T, 't1', 'ann@example.com'), contactDeleted(S, 's1')]).then(async (read) => {
        expect(await links(read, T)).toEqual({});
        expect(await view(read, T, 't1')).toBeNull();
        expect(await read.get(CONTACTS, 's|s1')).toBeNull();
      }));

    it('M4 a deleted source contact leaves the other sources of the view', () =>
      given([
        org(sToT, s2ToT),
        contact(S, 's1', 'ann@example.com'),
        contact(S2, 'x1', 'ann@example.com'),
        contact(T, 't1', 'ann@example.com'),
        contactDeleted(S, 's1'),
      ]).then(async (read) => expect(await links(read, T)).toEqual({ t1: [ref(S2, 'x1')] })));

    it('M4 a deleted target contact has no view any more; created again, it matches again', () =>
      given([org(sToT), contact(S, 's1', 'ann@example.com'), contact(T, 't1', 'ann@example.com'), contact(T, 't2', 'ann@example.com'), contactDeleted(T, 't1')]).then(
        async (read) => {
          expect(await links(read, T)).toEqual({ t2: [ref(S, 's1')] });
          expect(await view(read, T, 't1')).toBeNull();
        },
      ));

    it('M4 a target contact created again after deletion matches again', () =>
      given([org(sToT), contact(S, 's1', 'ann@example.com'), contact(T, 't1', 'ann@example.com'), contactDeleted(T, 't1'), contact(T, 't1', 'ann@example.com')]).then(
        async (read) => expect(await links(read, T)).toEqual({ t1: [ref(S, 's1')] }),
      ));

    it('M4 a source contact created again after deletion starts without its old activities', () =>
      given([
        org(sToT),
        contact(S, 's1', 'ann@example.com'),
        activity(S, 's1', 'a1', 'note', '2026-01-01T00:00:00Z'),
        contact(T, 't1', 'ann@example.com'),
        contactDeleted(S, 's1'),
        contact(S, 's1', 'ann@example.com'),
      ]).then(async (read) => {
        expect(await links(read, T)).toEqual({ t1: [ref(S, 's1')] });
        expect((await view(read, T, 't1')).sources[0].activities).toEqual([]);
      }));

    it('M4 a deleted contact that is a target and a source (two-way) goes from both sides', () =>
      given([org(twoWay(S, T)), contact(S, 's1', 'ann@example.com'), contact(T, 't1', 'ann@example.com'), contactDeleted(T, 't1')]).then(async (read) => {
        expect(await links(read, T)).toEqual({});
        expect(await links(read, S)).toEqual({});
      }));
  });

  describe('deals and activities of the sources', () => {
    const base = [org(sToT), contact(S, 's1', 'ann@example.com'), contact(S, 's2', 'bob@example.com'), contact(T, 't1', 'ann@example.com'), contact(T, 't2', 'bob@example.com')];
    const dealsOf = async (read: ProjectionRead, contactId: string) => ((await view(read, T, contactId))?.sources[0].deals ?? []) as unknown[];

    it('M2 activities come in the order they happened, also across time-zone offsets', () =>
      given([
        ...base,
        activity(S, 's1', 'late', 'call', '2026-01-01T09:30:00Z'),
        activity(S, 's1', 'early', 'note', '2026-01-01T10:00:00+02:00'), // 08:00Z
      ]).then(async (read) =>
        expect(((await view(read, T, 't1'))!.sources[0].activities as Array<{ activityId: string }>).map((a) => a.activityId)).toEqual(['early', 'late']),
      ));

    it('a deal whose contacts change moves from one view to the other', () =>
      given([...base, deal(S, 'd1', ['s1'], { amount: 5 }), deal(S, 'd1', ['s2'], { amount: 5 })]).then(async (read) => {
        expect(await dealsOf(read, 't1')).toEqual([]);
        expect(await dealsOf(read, 't2')).toEqual([{ dealId: 'd1', name: 'Deal d1', stage: 'appointmentscheduled', amount: 5 }]);
        expect((await read.find(DEAL_LINKS, { accountId: S })).map((r) => r.id)).toEqual(['s|s2|d1']);
      }));

    it('a deal linked to two contacts shows in both views; unlinked from all, in none', () =>
      given([...base, deal(S, 'd1', ['s1', 's2']), deal(S, 'd1', [])]).then(async (read) => {
        expect(await dealsOf(read, 't1')).toEqual([]);
        expect(await dealsOf(read, 't2')).toEqual([]);
        expect(await read.find(DEAL_LINKS, {})).toEqual([]);
      }));

    it('a deal saved again shows its new name, stage and amount', () =>
      given([...base, deal(S, 'd1', ['s1'], { amount: 5 }), deal(S, 'd1', ['s1', 's2'], { name: 'Renamed', stage: 'closedwon', amount: 7.25 })]).then(async (read) => {
        expect(await dealsOf(read, 't1')).toEqual([{ dealId: 'd1', name: 'Renamed', stage: 'closedwon', amount: 7.25 }]);
        expect(await dealsOf(read, 't2')).toEqual([{ dealId: 'd1', name: 'Renamed', stage: 'closedwon', amount: 7.25 }]);
      }));

    it('a deal saved before its contact exists shows once the contact matches', () =>
      given([org(sToT), deal(S, 'd1', ['s1'], { amount: 1 }), contact(T, 't1', 'ann@example.com'), contact(S, 's1', 'ann@example.com')]).then(async (read) =>
        expect(await dealsOf(read, 't1')).toEqual([{ dealId: 'd1', name: 'Deal d1', stage: 'appointmentscheduled', amount: 1 }]),
      ));

    it('the target account\'s own deals and activities are not part of its view', () =>
      given([...base, deal(T, 'dt', ['t1']), activity(T, 't1', 'at', 'note', '2026-01-01T00:00:00Z')]).then(async (read) => {
        const v = await view(read, T, 't1');
        expect(v.sources[0].deals).toEqual([]);
        expect(v.sources[0].activities).toEqual([]);
      }));

    it('an activity of an unknown contact is ignored', () =>
      given([...base, activity(S, 'ghost', 'a1', 'note', '2026-01-01T00:00:00Z')]).then(async (read) => expect(await read.get(CONTACTS, 's|ghost')).toBeNull()));
  });

  describe('M3 through the queries', () => {
    it('M3 the viewer needs a Sales or Service seat and the target Sales/Service Hub Professional', () =>
      given([
        org(sToT),
        contact(S, 's1', 'ann@example.com'),
        contact(T, 't1', 'ann@example.com'),
        userSet(T, 'marketer', [], ['marketing']),
        userSet(T, 'agent', [], ['service']),
      ]).then(async (read) => {
        await expect(queries(read).list(T, 'marketer', {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
        await expect(queries(read).one(T, 't1', 'stranger')).rejects.toMatchObject({ code: 'FORBIDDEN' });
        expect((await queries(read).list(T, 'agent', {})).items).toHaveLength(1);
      }));
  });
});
