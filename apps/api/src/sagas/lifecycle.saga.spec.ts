import {
  MHE,
  ORG,
  PRIMARY,
  SALES_PRO,
  SagaSpecification,
  connectionsConfigured,
  created,
  deactivated,
  dissolveOrganization,
  evictMember,
  flowsRevoked,
  hostingMoved,
  membersChanged,
  memberEvicted,
  oneWay,
  organizationDeleted,
  organizationDissolved,
  registered,
  revokeFlows,
  sensitiveDataEnabled,
  sub,
  subscriptionsChanged,
  twoWay,
  withMembership,
  type SpecEvent,
} from '@mam/testing';
import { decideOrganization, emptyWorld, evolveWorld, membershipEvents, type Connection, type OrganizationCommand, type WorldEvent } from '@mam/domain';
import { lifecycleSaga } from './lifecycle.saga';

/**
 * P1–P8 with C4/C5 as the saga sees them: given account and organization
 * facts, when one more fact happens, the saga issues these policy commands.
 * The deciders re-check every command (organization.decide.spec.ts); here
 * only what the saga asks for.
 */
// The fixtures build commands as OrganizationCommand; the saga's PolicyCommand is a part of it.
const spec = SagaSpecification.for<OrganizationCommand>(lifecycleSaga);

const MARKETING_PRO = sub('marketing', 'professional');
const SALES_STARTER = sub('sales', 'starter');
const SERVICE_PRO = sub('service', 'professional');

/** PRIMARY has MHE (and Sales Pro, so it can be a mirroring target); B and C have Sales Pro. */
const accounts: SpecEvent[] = [
  registered(PRIMARY, { subscriptions: [MHE, SALES_PRO] }),
  registered('b', { subscriptions: [SALES_PRO, MARKETING_PRO] }),
  registered('c'),
];
/** The organization of PRIMARY, B and C, with the accounts' membership events (O4). */
const org = (connections: Connection[] = []): SpecEvent[] => [...accounts, ...withMembership(created([PRIMARY, 'b', 'c'], { connections }))];

describe('lifecycle saga', () => {
  describe('P1 downgrade', () => {
    it('P1 evicts a member left without any Professional-or-higher subscription (reason downgrade)', () =>
      spec.given(org()).when(subscriptionsChanged('b', [SALES_STARTER])).then([evictMember('b', 'downgrade')]));

    it('P1 evicts a member left with no subscription at all', () =>
      spec.given(org()).when(subscriptionsChanged('c', [])).then([evictMember('c', 'downgrade')]));

    it('P1 does nothing when the downgrade keeps another Professional hub', () =>
      spec.given(org()).when(subscriptionsChanged('b', [SALES_STARTER, MARKETING_PRO])).thenNothing());

    it('P1 with C5: a kept Professional hub but lost Sales Pro only revokes mirroring into it', () =>
      spec
        .given(org([twoWay(PRIMARY, 'b')]))
        .when(subscriptionsChanged('b', [SALES_STARTER, MARKETING_PRO]))
        .then([revokeFlows('b', 'mirroring-target-ineligible')]));

    it('P1 with P6: the MHE member dropping to Marketing Professional keeps it, but dissolves the organization', () =>
      spec.given(org()).when(subscriptionsChanged(PRIMARY, [MARKETING_PRO])).then([dissolveOrganization()]));
  });

  describe('P2 hosting moved', () => {
    it('P2 evicts a member whose hosting location moves away (reason hosting-moved)', () =>
      spec.given(org()).when(hostingMoved('b', 'eu1')).then([evictMember('b', 'hosting-moved')]));

    it('P2 does nothing when the member moves back to the organization\'s location', () =>
      spec.given([...org(), hostingMoved('b', 'eu1')]).when(hostingMoved('b', 'na1', 'eu1')).thenNothing());
  });

  describe('P3 deactivated', () => {
    it('P3 evicts a deactivated member (reason deactivated)', () =>
      spec.given(org()).when(deactivated('c')).then([evictMember('c', 'deactivated')]));

    it('P3 wins over P2 and P1 when several hold (the most definite reason)', () =>
      spec
        .given([...org(), hostingMoved('c', 'eu1'), subscriptionsChanged('c', [SALES_STARTER])])
        .when(deactivated('c'))
        .then([evictMember('c', 'deactivated')]));

    it('P2 wins over P1 when both hold', () =>
      spec
        .given([...org(), subscriptionsChanged('c', [SALES_STARTER])])
        .when(hostingMoved('c', 'eu1'))
        .then([evictMember('c', 'hosting-moved')]));
  });

  describe('P4/C4 sensitive data', () => {
    it('P4/C4 revokes the flows of a member that is a mirroring source (reason sensitive-data)', () =>
      spec.given(org([twoWay(PRIMARY, 'b')])).when(sensitiveDataEnabled('b')).then([revokeFlows('b', 'sensitive-data')]));

    it('P4/C4 revokes the flows of a member that is a workflow source', () =>
      spec
        .given(org([oneWay('b', 'c', { workflows: true })]))
        .when(sensitiveDataEnabled('b'))
        .then([revokeFlows('b', 'sensitive-data')]));

    it('P4/C4/R4 revokes the flows of a member that is a reporting source', () =>
      spec
        .given(org([oneWay('b', PRIMARY, { reporting: true })]))
        .when(sensitiveDataEnabled('b'))
        .then([revokeFlows('b', 'sensitive-data')]));

    it('P4/C4 does nothing for a member that is only a reporting destination', () =>
      spec.given(org([oneWay(PRIMARY, 'b', { reporting: true })])).when(sensitiveDataEnabled('b')).thenNothing());

    it('P4/C4 does nothing for a member that is only a mirroring target', () =>
      spec.given(org([oneWay(PRIMARY, 'b')])).when(sensitiveDataEnabled('b')).thenNothing());

    it('P4/C4 does nothing for a member that is only an asset-copying source', () =>
      spec
        .given(org([twoWay(PRIMARY, 'b', { assetCopying: true })]))
        .when(sensitiveDataEnabled('b'))
        .thenNothing());

    it('P4/C4 does nothing for a member with no connection', () => spec.given(org()).when(sensitiveDataEnabled('c')).thenNothing());

    it('P4/C4 does nothing when its source flows are already revoked', () =>
      spec
        .given([
          ...org([oneWay('b', 'c')]),
          sensitiveDataEnabled('b'),
          flowsRevoked('b', 'sensitive-data', [{ feature: 'dataMirroring', from: 'b', to: 'c', reason: 'sensitive-data' }]),
        ])
        .when(sensitiveDataEnabled('b'))
        .thenNothing());
  });

  describe('P5/C5 mirroring target loses Sales/Service Pro', () => {
    it('P5/C5 revokes mirroring into a target that loses Sales Pro but stays a member (reason mirroring-target-ineligible)', () =>
      spec
        .given(org([oneWay(PRIMARY, 'b')]))
        .when(subscriptionsChanged('b', [MARKETING_PRO]))
        .then([revokeFlows('b', 'mirroring-target-ineligible')]));

    it('P5/C5 does nothing when the target keeps Service Pro', () =>
      spec
        .given([...org([oneWay(PRIMARY, 'b')]), subscriptionsChanged('b', [SALES_PRO, SERVICE_PRO, MARKETING_PRO])])
        .when(subscriptionsChanged('b', [SERVICE_PRO, MARKETING_PRO]))
        .thenNothing());

    it('P5/C5 does nothing for a member that is only a mirroring source', () =>
      spec.given(org([oneWay('b', PRIMARY)])).when(subscriptionsChanged('b', [MARKETING_PRO])).thenNothing());

    it('P5/C5 does nothing for a member whose mirroring into it is already revoked', () =>
      spec
        .given([
          ...org([oneWay(PRIMARY, 'b')]),
          subscriptionsChanged('b', [MARKETING_PRO]),
          flowsRevoked('b', 'mirroring-target-ineligible', [
            { feature: 'dataMirroring', from: PRIMARY, to: 'b', reason: 'mirroring-target-ineligible' },
          ]),
        ])
        .when(subscriptionsChanged('b', [MARKETING_PRO, sub('content', 'professional')]))
        .thenNothing());

    it('P5/C5 with P1: a target that loses everything is evicted, not revoked', () =>
      spec.given(org([oneWay(PRIMARY, 'b')])).when(subscriptionsChanged('b', [SALES_STARTER])).then([evictMember('b', 'downgrade')]));
  });

  describe('a saga running behind judges accounts as of the event it reacts to', () => {
    it('P1 evicts for a downgrade even though the account was upgraded again after it', () =>
      spec
        .given(org())
        .when(subscriptionsChanged('b', [SALES_STARTER]), { later: [subscriptionsChanged('b', [SALES_PRO, MARKETING_PRO])] })
        .then([evictMember('b', 'downgrade')]));

    it('P6 dissolves when the last MHE member downgrades, even though another member got MHE after it', () =>
      spec
        .given(org())
        .when(subscriptionsChanged(PRIMARY, [MARKETING_PRO, SALES_PRO]), { later: [subscriptionsChanged('c', [SALES_PRO, MHE])] })
        .then([dissolveOrganization()]));
  });

  describe('P6 no Marketing Hub Enterprise left', () => {
    it('P6 dissolves when the last MHE member downgrades Marketing but stays Professional (reason no-marketing-enterprise)', () =>
      spec.given(org()).when(subscriptionsChanged(PRIMARY, [MARKETING_PRO, SALES_PRO])).then([dissolveOrganization()]));

    it('P6 does nothing while another member still has MHE', () =>
      spec
        .given([...org(), subscriptionsChanged('c', [SALES_PRO, MHE])])
        .when(subscriptionsChanged(PRIMARY, [MARKETING_PRO]))
        .thenNothing());

    it('P6 with P3: evicting the only MHE member also dissolves the organization', () =>
      spec.given(org()).when(deactivated(PRIMARY)).then([evictMember(PRIMARY, 'deactivated'), dissolveOrganization()]));

    it('P6 with P2: evicting a non-MHE member does not dissolve', () =>
      spec.given(org()).when(hostingMoved('c', 'eu1')).then([evictMember('c', 'hosting-moved')]));

    it('P6 after the MHE member is evicted (MemberEvicted event) dissolves the organization', () =>
      spec
        .given([...org(), deactivated(PRIMARY)])
        .when(memberEvicted(PRIMARY, 'deactivated'))
        .then([dissolveOrganization()]));

    it('P6 after an eviction does nothing while an MHE member remains', () =>
      spec.given([...org(), subscriptionsChanged('c', [])]).when(memberEvicted('c', 'downgrade')).thenNothing());

    it('P6 after an eviction does nothing once the organization is deleted', () =>
      spec
        .given([
          ...org(),
          deactivated(PRIMARY),
          ...withMembership(memberEvicted(PRIMARY, 'deactivated'), organizationDissolved(['b', 'c'])),
        ])
        .when(memberEvicted(PRIMARY, 'deactivated'))
        .thenNothing());

    it('P6 after an eviction does nothing for an organization it does not know', () =>
      spec.given(accounts).when(memberEvicted('c', 'downgrade')).thenNothing());
  });

  describe('edge cases', () => {
    it('an already evicted member → nothing (the fact delivered again)', () =>
      spec
        .given([...org(), subscriptionsChanged('b', [SALES_STARTER]), ...withMembership(memberEvicted('b', 'downgrade'))])
        .when(subscriptionsChanged('b', [SALES_STARTER]))
        .thenNothing());

    it('an organization already deleted (P8 released its accounts) → nothing', () =>
      spec
        .given([...org(), ...withMembership(organizationDeleted([PRIMARY, 'b', 'c']))])
        .when(deactivated('b'))
        .thenNothing());

    it('an organization already deleted, even where the account still names it → nothing', () =>
      // The decider appends both atomically; this pins the saga's own guard.
      spec.given([...org(), organizationDeleted([PRIMARY, 'b', 'c'])]).when(deactivated('b')).thenNothing());

    it('an account in no organization → nothing', () =>
      spec.given([registered('x', { subscriptions: [MHE] })]).when(deactivated('x')).thenNothing());

    it('an account that is not registered → nothing', () => spec.given([]).when(subscriptionsChanged('ghost', [])).thenNothing());

    it('an account that left the organization by an edit → nothing', () =>
      spec
        .given([...org(), ...withMembership(membersChanged([], ['c']))])
        .when(deactivated('c'))
        .thenNothing());

    it('the same event twice → the same commands (determinism; the deciders make the second a no-op)', async () => {
      const when = spec.given(org([oneWay(PRIMARY, 'b')])).when(deactivated(PRIMARY));
      const first = await when.commands();
      expect(first).toEqual([evictMember(PRIMARY, 'deactivated'), dissolveOrganization()]);
      expect(await when.commands()).toEqual(first);
      const again = spec.given(org([oneWay(PRIMARY, 'b')])).when({ ...deactivated(PRIMARY), id: when.event.id });
      expect(again.event).toEqual(when.event);
      expect(await again.commands()).toEqual(first);

      // Run through the decider twice, as a redelivery would: the second time decides nothing.
      const given = [...org([oneWay(PRIMARY, 'b')]), deactivated(PRIMARY)] as WorldEvent[];
      let world = given.reduce(evolveWorld, emptyWorld());
      const decided = first.map((command) => {
        const events = decideOrganization(command, world);
        world = events.flatMap((e) => [e, ...membershipEvents(e)]).reduce(evolveWorld, world);
        return events.map((e) => e.type);
      });
      expect(decided).toEqual([['MemberEvicted'], ['OrganizationDeleted']]);
      for (const command of first) expect(decideOrganization(command, world)).toEqual([]);
    });

    it('commands name the organization of the event\'s account', async () => {
      const other = 'org-2';
      const commands = await spec
        .given([...accounts, ...withMembership(created([PRIMARY, 'b'], { organizationId: other }))])
        .when(hostingMoved('b', 'ap1'))
        .commands();
      expect(commands).toEqual([{ type: 'EvictMember', data: { organizationId: other, accountId: 'b', reason: 'hosting-moved' } }]);
    });
  });

  it('the spec hands the saga a recorded event of the fact\'s stream, after the given ones', () => {
    const when = spec.given(org()).when(deactivated('b'));
    expect(when.event).toMatchObject({ type: 'AccountDeactivated', streamId: 'account-b', data: { accountId: 'b' } });
    expect(when.event.position).toBe(BigInt(org().length + 1));
    return expect(when.context.account('b')).resolves.toMatchObject({ status: 'deactivated', organizationId: ORG });
  });

  describe('organization changes re-checked against the members (a command that raced a fact)', () => {
    const mirroringFrom = (from: string, to: string): Connection => oneWay(from, to, { dataMirroring: true });

    it('C4 revokes a sensitive source that a connection edit, decided before the fact landed, configured', () =>
      spec
        .given([...org(), sensitiveDataEnabled('b')])
        .when(connectionsConfigured([mirroringFrom('b', 'c')]))
        .then([revokeFlows('b', 'sensitive-data')]));

    it('P6 dissolves when a members edit, decided before the last MHE member downgraded, left none', () =>
      spec
        .given([
          ...accounts,
          registered('d', { subscriptions: [MHE] }),
          ...withMembership(created([PRIMARY, 'b', 'd'])),
          subscriptionsChanged('d', [MARKETING_PRO]),
        ])
        .when(membersChanged([], [PRIMARY]))
        .then([dissolveOrganization()]));

    it('P1 evicts a member that an edit added while its downgrade was being recorded', () =>
      spec
        .given([...accounts, ...withMembership(created([PRIMARY, 'b'])), subscriptionsChanged('c', [SALES_STARTER])])
        .when(membersChanged(['c'], []))
        .then([evictMember('c', 'downgrade')]));

    it('an organization change with every member in order needs nothing', () =>
      spec.given(org()).when(connectionsConfigured([twoWay(PRIMARY, 'b', { dataMirroring: true })])).thenNothing());
  });
});
