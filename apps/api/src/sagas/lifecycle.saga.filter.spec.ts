import {
  MHE,
  PRIMARY,
  SALES_PRO,
  SagaSpecification,
  connectionsConfigured,
  created,
  deactivated,
  flowsRevoked,
  hostingMoved,
  joined,
  left,
  memberEvicted,
  membersChanged,
  oneWay,
  organizationDeleted,
  registered,
  sensitiveDataEnabled,
  sub,
  subscriptionsChanged,
  twoWay,
  userRemoved,
  userSet,
  withMembership,
  type SpecEvent,
} from '@mam/testing';
import type { AccountEvent, OrganizationCommand, OrganizationEvent, WorkflowEvent } from '@mam/domain';
import { lifecycleSaga } from './lifecycle.saga';

/**
 * The saga's subscription carries only its `eventTypes`: a fact it should
 * react to but is not given would never be acted on. Rather than trust a
 * list, each kind of fact is tried: if an account or organization event
 * changes what the saga decides about the organization (asked through a
 * neutral change of members, which re-checks every member), its type must
 * be in the filter. The samples are typed by every event type, so a new
 * account or organization event does not compile here until it has one.
 */
const spec = SagaSpecification.for<OrganizationCommand>(lifecycleSaga);

const MARKETING_PRO = sub('marketing', 'professional');
const STARTER_ONLY = [sub('sales', 'starter')];

/** PRIMARY holds MHE; b and c are healthy members; `low` and `mkt` are not members yet. */
const world: SpecEvent[] = [
  registered(PRIMARY, { subscriptions: [MHE, SALES_PRO] }),
  registered('b', { subscriptions: [SALES_PRO, MARKETING_PRO] }),
  registered('c'),
  registered('low', { subscriptions: STARTER_ONLY }),
  registered('mkt', { subscriptions: [MARKETING_PRO] }),
  ...withMembership(created([PRIMARY, 'b', 'c', 'mkt'], { connections: [twoWay(PRIMARY, 'b')] })),
];

/** One fact of each account type, each the kind that would call for a policy if any does. */
const accountSamples: Record<AccountEvent['type'], SpecEvent[]> = {
  AccountRegistered: [registered('new', { subscriptions: STARTER_ONLY })],
  SubscriptionsChanged: [subscriptionsChanged('b', STARTER_ONLY)],
  HostingLocationChanged: [hostingMoved('b', 'eu1')],
  SensitiveDataEnabled: [sensitiveDataEnabled('b')],
  AccountDeactivated: [deactivated('c')],
  AccountUserSet: [userSet('b', 'someone', ['partner-admin'])],
  AccountUserRemoved: [userSet('b', 'someone', ['partner-admin']), userRemoved('b', 'someone')],
  AccountJoinedOrganization: [joined('low')],
  AccountLeftOrganization: [left('b', 'removed')],
};

/** One fact of each organization type (workflow definitions change no member, connection or location). */
const organizationSamples: Record<Exclude<OrganizationEvent['type'], WorkflowEvent['type']>, SpecEvent[]> = {
  OrganizationCreated: [created([PRIMARY, 'low'], { organizationId: 'org-2' })],
  MembersChanged: [membersChanged(['low'], [])],
  ConnectionsConfigured: [connectionsConfigured([twoWay(PRIMARY, 'b'), oneWay(PRIMARY, 'mkt')])],
  MemberEvicted: [memberEvicted(PRIMARY, 'downgrade')],
  FlowsRevoked: [flowsRevoked('b', 'sensitive-data', [])],
  OrganizationDeleted: [organizationDeleted([PRIMARY, 'b', 'c', 'mkt'])],
};

/** What the saga decides about an organization after `facts`: its reaction to a change of no members. */
async function decisions(facts: SpecEvent[], organizationId = 'org-1'): Promise<OrganizationCommand[]> {
  return spec.given(facts).when(membersChanged([], [], { organizationId })).commands();
}

describe('lifecycle saga: the event types it is fed', () => {
  const samples = Object.entries({ ...accountSamples, ...organizationSamples });

  it.each(samples)('%s: if such a fact changes what the saga decides, the saga is given it', async (type, facts) => {
    const organizationId = (facts[facts.length - 1].data as { organizationId?: string }).organizationId ?? 'org-1';
    const before = await decisions(world, organizationId);
    const after = await decisions([...world, ...facts], organizationId);
    if (JSON.stringify(after) !== JSON.stringify(before)) expect([...lifecycleSaga.eventTypes]).toContain(type);
  });

  it('the samples do change decisions (else the test above could not fail): downgrades, moves, new members and connections do', async () => {
    const changing: string[] = [];
    for (const [type, facts] of samples) {
      const organizationId = (facts[facts.length - 1].data as { organizationId?: string }).organizationId ?? 'org-1';
      if (JSON.stringify(await decisions([...world, ...facts], organizationId)) !== JSON.stringify(await decisions(world, organizationId))) {
        changing.push(type);
      }
    }
    expect(changing.length).toBeGreaterThanOrEqual(6);
  });

  it('every type it is given is one it has a reaction for: a fact of each issues what the organization needs', async () => {
    for (const [type, facts] of samples) {
      if (!lifecycleSaga.eventTypes.has(type)) continue;
      const organizationId = (facts[facts.length - 1].data as { organizationId?: string }).organizationId ?? 'org-1';
      const reaction = await spec.given([...world, ...facts.slice(0, -1)]).when(facts[facts.length - 1]).commands();
      expect({ type, reaction }).toEqual({ type, reaction: await decisions([...world, ...facts], organizationId) });
    }
  });
});
