import {
  AT,
  connectionsConfigured,
  created,
  flowsRevoked,
  joined,
  memberEvicted,
  membersChanged,
  oneWay,
  organizationDeleted,
  organizationDissolved,
  ORG,
  PRIMARY,
  ProjectionSpecification,
  registered,
  twoWay,
  USER,
  EVENT_AT,
} from '@mam/testing';
import type { Connection, Revocation } from '@mam/domain';
import {
  historyEntry,
  historyId,
  ORGANIZATION_HISTORY,
  ORGANIZATIONS,
  organizationHistoryProjection,
  organizationsProjection,
} from './organization.projections';

const organizations = ProjectionSpecification.for(organizationsProjection);
const history = ProjectionSpecification.for(organizationHistoryProjection);

const P = PRIMARY;
const LATER = '2025-02-01T00:00:00.000Z';
const all = { dataMirroring: true, assetCopying: true, workflows: true };
const state = (c: Connection, revoked: Revocation[] = []) => ({ ...c, revoked });
const members = (...ids: string[]) => ids.map((accountId) => ({ accountId, joinedAt: AT }));

const pa = twoWay(P, 'a', all);
const ab = oneWay('a', 'b', { dataMirroring: true, workflows: true });
const pb = twoWay(P, 'b', { assetCopying: true });

/** The organization document right after `created([P, 'a', 'b'], { connections: [pa, ab, pb] })`. */
const org = {
  organizationId: ORG,
  name: 'Org',
  primaryAccountId: P,
  hostingLocation: 'na1',
  status: 'active',
  members: members(P, 'a', 'b'),
  connections: [state(pa), state(ab), state(pb)],
};
const creation = created([P, 'a', 'b'], { connections: [pa, ab, pb] });

const revokedFromA: Revocation[] = [
  { feature: 'dataMirroring', from: 'a', to: P, reason: 'sensitive-data' },
  { feature: 'workflows', from: 'a', to: P, reason: 'sensitive-data' },
  { feature: 'dataMirroring', from: 'a', to: 'b', reason: 'sensitive-data' },
  { feature: 'workflows', from: 'a', to: 'b', reason: 'sensitive-data' },
];

describe('organizations projection', () => {
  it('created: the primary and the members with their joining time, connections without revocations', () =>
    organizations.given([creation]).thenDocument(ORGANIZATIONS, ORG, org));

  it('members changed: added members join at the change, removed ones go with their connections', () =>
    organizations
      .given([creation, membersChanged(['c'], ['a'], { at: LATER })])
      .thenDocument(ORGANIZATIONS, ORG, {
        ...org,
        members: [...members(P, 'b'), { accountId: 'c', joinedAt: LATER }],
        connections: [state(pb)],
      }));

  it('connections configured: the whole set is replaced and starts without revocations', () =>
    organizations
      .given([creation, flowsRevoked('a', 'sensitive-data', revokedFromA), connectionsConfigured([twoWay('a', 'b')])])
      .thenDocument(ORGANIZATIONS, ORG, { ...org, connections: [state(twoWay('a', 'b'))] }));

  it('P7 an evicted member goes, with every connection it had', () =>
    organizations
      .given([creation, memberEvicted('a', 'downgrade')])
      .thenDocument(ORGANIZATIONS, ORG, { ...org, members: members(P, 'b'), connections: [state(pb)] }));

  it('C4 revoked flows are listed on their connections; the other flows stay', () =>
    organizations
      .given([creation, flowsRevoked('a', 'sensitive-data', revokedFromA)])
      .thenDocument(ORGANIZATIONS, ORG, {
        ...org,
        connections: [state(pa, revokedFromA.slice(0, 2)), state(ab, revokedFromA.slice(2)), state(pb)],
      }));

  it('C5 revocations add up on a connection', () => {
    const intoP: Revocation = { feature: 'dataMirroring', from: 'a', to: P, reason: 'mirroring-target-ineligible' };
    return organizations
      .given([creation, flowsRevoked(P, 'mirroring-target-ineligible', [intoP]), flowsRevoked('a', 'sensitive-data', revokedFromA.slice(1, 2))])
      .thenDocument(ORGANIZATIONS, ORG, { ...org, connections: [state(pa, [intoP, revokedFromA[1]]), state(ab), state(pb)] });
  });

  it('P8 a deleted organization keeps its document, status "deleted", with its members (for O10 and its history)', () =>
    organizations
      .given([creation, organizationDeleted([P, 'a', 'b'])])
      .thenDocument(ORGANIZATIONS, ORG, { ...org, status: 'deleted' }));

  it('P6 deleted by the policy likewise', () =>
    organizations
      .given([creation, memberEvicted('b', 'deactivated'), organizationDissolved([P, 'a'])])
      .thenDocument(ORGANIZATIONS, ORG, { ...org, status: 'deleted', members: members(P, 'a'), connections: [state(pa)] }));

  it('the whole life of an organization in one fold', () =>
    organizations
      .given([
        creation,
        membersChanged(['c'], ['b'], { at: LATER }),
        connectionsConfigured([twoWay(P, 'a', all), twoWay('a', 'c')]),
        flowsRevoked('a', 'sensitive-data', [{ feature: 'dataMirroring', from: 'a', to: 'c', reason: 'sensitive-data' }]),
        memberEvicted(P, 'hosting-moved'),
        organizationDissolved(['a', 'c']),
      ])
      .thenDocument(ORGANIZATIONS, ORG, {
        ...org,
        status: 'deleted',
        members: [{ accountId: 'a', joinedAt: AT }, { accountId: 'c', joinedAt: LATER }],
        connections: [state(twoWay('a', 'c'), [{ feature: 'dataMirroring', from: 'a', to: 'c', reason: 'sensitive-data' }])],
      }));

  it('keeps organizations apart and ignores account events', () =>
    organizations
      .given([creation, registered('x'), joined('x', 'org-2'), created(['x'], { organizationId: 'org-2', name: 'Two' }), memberEvicted('a', 'downgrade')])
      .then(async (read) => {
        expect(await read.get(ORGANIZATIONS, ORG)).toEqual({ ...org, members: members(P, 'b'), connections: [state(pb)] });
        expect(await read.get(ORGANIZATIONS, 'org-2')).toEqual({
          ...org,
          organizationId: 'org-2',
          name: 'Two',
          primaryAccountId: 'x',
          members: members('x'),
          connections: [],
        });
        expect((await read.find(ORGANIZATIONS, {})).map((r) => r.id)).toEqual([ORG, 'org-2']);
      }));

  it('events of an organization never created make no document', () =>
    organizations.given([membersChanged(['a'], []), organizationDeleted(['a'])]).thenDocument(ORGANIZATIONS, ORG, null));
});

describe('organization-history projection', () => {
  const actor = { actorUserId: USER, actingAccountId: P, verification: 'otp' };

  it('records who, from which account, proven how, and why, oldest first (positions 9, 10, 11 sort as numbers)', () =>
    history
      .given([
        { ...creation, position: 9 },
        { ...membersChanged(['c'], ['b'], { at: LATER, verification: 'passkey' }), position: 10 },
        { ...connectionsConfigured([twoWay(P, 'c')], { actingAccountId: 'c' }), position: 11, metadata: { at: LATER } },
        { ...memberEvicted('a', 'downgrade'), position: 12, metadata: { causationId: 'evt-downgrade' } },
        {
          ...flowsRevoked('c', 'sensitive-data', [{ feature: 'dataMirroring', from: 'c', to: P, reason: 'sensitive-data' }]),
          position: 13,
          metadata: { causationId: 'evt-sensitive' },
        },
        { ...organizationDissolved([P, 'c']), position: 14, metadata: { causationId: 'evt-eviction' } },
      ])
      .thenDocuments(ORGANIZATION_HISTORY, { organizationId: ORG }, [
        {
          organizationId: ORG,
          position: '9',
          at: AT,
          type: 'OrganizationCreated',
          ...actor,
          details: { name: 'Org', primaryAccountId: P, hostingLocation: 'na1', memberIds: [P, 'a', 'b'], connections: [pa, ab, pb] },
        },
        {
          organizationId: ORG,
          position: '10',
          at: LATER,
          type: 'MembersChanged',
          ...actor,
          verification: 'passkey',
          details: { added: ['c'], removed: ['b'] },
        },
        {
          organizationId: ORG,
          position: '11',
          at: LATER,
          type: 'ConnectionsConfigured',
          ...actor,
          actingAccountId: 'c',
          details: { connections: [twoWay(P, 'c')] },
        },
        {
          organizationId: ORG,
          position: '12',
          at: EVENT_AT,
          type: 'MemberEvicted',
          reason: 'downgrade',
          causationId: 'evt-downgrade',
          details: { accountId: 'a' },
        },
        {
          organizationId: ORG,
          position: '13',
          at: EVENT_AT,
          type: 'FlowsRevoked',
          reason: 'sensitive-data',
          causationId: 'evt-sensitive',
          details: { accountId: 'c', revoked: [{ feature: 'dataMirroring', from: 'c', to: P, reason: 'sensitive-data' }] },
        },
        {
          organizationId: ORG,
          position: '14',
          at: EVENT_AT,
          type: 'OrganizationDeleted',
          reason: 'no-marketing-enterprise',
          causationId: 'evt-eviction',
          details: { releasedAccountIds: [P, 'c'] },
        },
      ]));

  it('a deletion by a user records the actor and the released accounts', () =>
    history
      .given([creation, organizationDeleted([P, 'a', 'b'], { verification: 'passkey' })])
      .then(async (read) => {
        const rows = await read.find(ORGANIZATION_HISTORY, { organizationId: ORG });
        expect(rows.map((r) => r.doc)).toEqual([
          expect.objectContaining({ type: 'OrganizationCreated', position: '1' }),
          {
            organizationId: ORG,
            position: '2',
            at: EVENT_AT,
            type: 'OrganizationDeleted',
            ...actor,
            verification: 'passkey',
            details: { releasedAccountIds: [P, 'a', 'b'] },
          },
        ]);
      }));

  it('keeps the histories of organizations apart and skips account events', () =>
    history
      .given([creation, registered('x'), created(['x'], { organizationId: 'org-2' }), memberEvicted('a', 'deactivated')])
      .then(async (read) => {
        expect((await read.find(ORGANIZATION_HISTORY, { organizationId: ORG })).map((r) => [r.id, (r.doc as { type: string }).type])).toEqual([
          [historyId(ORG, 1n), 'OrganizationCreated'],
          [historyId(ORG, 4n), 'MemberEvicted'],
        ]);
        expect((await read.find(ORGANIZATION_HISTORY, { organizationId: 'org-2' })).map((r) => r.id)).toEqual([historyId('org-2', 3n)]);
      }));

  it('history ids sort by position as text', () => {
    const ids = [1n, 9n, 10n, 100n, 12345678901234567890n].map((p) => historyId(ORG, p));
    expect([...ids].sort()).toEqual(ids);
  });

  it('an entry without a user has no actor fields at all', () => {
    const entry = historyEntry({
      id: 'e',
      streamId: `organization-${ORG}`,
      revision: 3n,
      position: 7n,
      type: 'MemberEvicted',
      data: memberEvicted('a', 'hosting-moved').data,
      metadata: { at: LATER },
    });
    expect(entry).toEqual({ organizationId: ORG, position: '7', at: LATER, type: 'MemberEvicted', reason: 'hosting-moved', details: { accountId: 'a' } });
  });
});
