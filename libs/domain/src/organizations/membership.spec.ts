import {
  connectionsConfigured,
  created,
  flowsRevoked,
  joined,
  left,
  memberEvicted,
  membersChanged,
  organizationDeleted,
  organizationDissolved,
  twoWay,
} from '@mam/testing';
import { membershipEvents } from './membership';

describe('membership events in the account streams (O4, P7, P8)', () => {
  it('OrganizationCreated: every member joins, the primary included', () =>
    expect(membershipEvents(created(['p', 'a', 'b']))).toEqual([joined('p'), joined('a'), joined('b')]));

  it('MembersChanged: added accounts join, removed ones leave with reason "removed"', () =>
    expect(membershipEvents(membersChanged(['c'], ['a', 'b']))).toEqual([joined('c'), left('a', 'removed'), left('b', 'removed')]));

  it.each(['downgrade', 'hosting-moved', 'deactivated'] as const)(
    'MemberEvicted (%s): the account leaves with the eviction reason',
    (reason) => expect(membershipEvents(memberEvicted('a', reason))).toEqual([left('a', reason)]),
  );

  it('OrganizationDeleted by a user: every released account leaves with "organization-deleted"', () =>
    expect(membershipEvents(organizationDeleted(['p', 'a']))).toEqual([
      left('p', 'organization-deleted'),
      left('a', 'organization-deleted'),
    ]));

  it('OrganizationDeleted by P6: likewise', () =>
    expect(membershipEvents(organizationDissolved(['p']))).toEqual([left('p', 'organization-deleted')]));

  it('ConnectionsConfigured and FlowsRevoked touch no account stream', () => {
    expect(membershipEvents(connectionsConfigured([twoWay('p', 'a')]))).toEqual([]);
    expect(
      membershipEvents(flowsRevoked('p', 'sensitive-data', [{ feature: 'dataMirroring', from: 'p', to: 'a', reason: 'sensitive-data' }])),
    ).toEqual([]);
  });
});
