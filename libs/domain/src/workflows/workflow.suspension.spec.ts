import {
  administered,
  changeMembers,
  configureConnections,
  created,
  DeciderSpecification,
  deleteOrganization,
  dissolveOrganization,
  evictMember,
  flowsRevoked,
  MHE,
  oneWay,
  PRIMARY,
  revokeFlows,
  SALES_PRO,
  sensitiveDataEnabled,
  subscriptionsChanged,
  deactivated,
  twoFactor,
  twoWay,
  withMembership,
  workflowDefined,
  workflowSuspended,
} from '@mam/testing';
import type { Connection } from '../connections/connection';
import type { Decider } from '../shared/decider';
import type { OrganizationCommand } from '../organizations/organization.commands';
import { organizationDecider } from '../organizations/organization.decide';
import { ORGANIZATION_EVENT_TYPES, type OrganizationEvent } from '../organizations/organization.events';
import { emptyWorld, evolveWorld, type OrganizationWorld, type WorldEvent } from '../organizations/organization.world';
import { withWorkflowSuspensions } from './workflow.state';

/**
 * W4 as the organization commands decide it: the organization's decider,
 * followed by withWorkflowSuspensions over the organization's history —
 * the composition the command handler runs for every organization command,
 * by users and by policies alike.
 */
interface State {
  world: OrganizationWorld;
  history: OrganizationEvent[];
}
const ORG_TYPES: ReadonlySet<string> = new Set(ORGANIZATION_EVENT_TYPES);
const withSuspensions: Decider<State, OrganizationCommand, WorldEvent> = {
  decide: (command, { world, history }) => withWorkflowSuspensions(history, organizationDecider.decide(command, world) as OrganizationEvent[]),
  evolve: ({ world, history }, event) => ({
    world: evolveWorld(world, event),
    history: ORG_TYPES.has(event.type) ? [...history, event as OrganizationEvent] : history,
  }),
  initialState: () => ({ world: emptyWorld(), history: [] }),
};
const spec = DeciderSpecification.for(withSuspensions);

const P = PRIMARY;
const flow = oneWay(P, 'b', { workflows: true, dataMirroring: true });
/** P (MHE), b and c; an organization of the three with a workflows (and mirroring) flow P → b, and workflow wf-1 along it. */
const organization = (connections: Connection[] = [flow]): WorldEvent[] => [
  ...administered(P, { subscriptions: [MHE, SALES_PRO] }),
  ...administered('b'),
  ...administered('c', { subscriptions: [MHE, SALES_PRO] }),
  twoFactor(),
  ...withMembership(created([P, 'b', 'c'], { connections })),
  workflowDefined(),
];
const configured = (connections: Connection[]): WorldEvent => ({
  type: 'ConnectionsConfigured',
  data: { organizationId: 'org-1', connections, actorUserId: 'user-1', actingAccountId: P, verification: 'otp' },
});

describe('W4 suspension with the change that takes the flow away', () => {
  it('W4 connections edited without the workflows flow: the edit and the suspension (flow-revoked)', () =>
    spec
      .given(organization())
      .when(configureConnections([oneWay(P, 'b', { dataMirroring: true })]))
      .then([configured([oneWay(P, 'b', { dataMirroring: true })]), workflowSuspended('flow-revoked')]));

  it('W4 an edit that keeps the flow (here: two-way now) suspends nothing', () =>
    spec.given(organization()).when(configureConnections([twoWay(P, 'b', { workflows: true })])).then([configured([twoWay(P, 'b', { workflows: true })])]));

  it('W4 C4: the source\'s flows revoked for sensitive data suspend its workflow', () =>
    spec
      .given([...organization(), sensitiveDataEnabled(P)])
      .when(revokeFlows(P, 'sensitive-data'))
      .then([
        flowsRevoked(P, 'sensitive-data', [
          { feature: 'dataMirroring', from: P, to: 'b', reason: 'sensitive-data' },
          { feature: 'workflows', from: P, to: 'b', reason: 'sensitive-data' },
        ]),
        workflowSuspended('flow-revoked'),
      ]));

  it('W4 C5 revokes only mirroring into the target: the workflow stays active', () =>
    spec
      .given([...organization(), subscriptionsChanged('b', [MHE], [SALES_PRO])])
      .when(revokeFlows('b', 'mirroring-target-ineligible'))
      .then([flowsRevoked('b', 'mirroring-target-ineligible', [{ feature: 'dataMirroring', from: P, to: 'b', reason: 'mirroring-target-ineligible' }])]));

  it('W4 the target evicted (P3): account-left', () =>
    spec
      .given([...organization(), deactivated('b')])
      .when(evictMember('b', 'deactivated'))
      .then([{ type: 'MemberEvicted', data: { organizationId: 'org-1', accountId: 'b', reason: 'deactivated' } }, workflowSuspended('account-left')]));

  it('W4 the source removed by a members edit: account-left', () =>
    spec
      .given([...organization([oneWay('c', 'b', { workflows: true })]).slice(0, -1), workflowDefined({ sourceAccountId: 'c' })])
      .when(changeMembers([P, 'b']))
      .then([expect.objectContaining({ type: 'MembersChanged' }) as unknown as WorldEvent, workflowSuspended('account-left')]));

  it('W4 the organization deleted by a user or dissolved (P6): organization-deleted', () => {
    spec.given(organization()).when(deleteOrganization()).then([expect.objectContaining({ type: 'OrganizationDeleted' }) as unknown as WorldEvent, workflowSuspended('organization-deleted')]);
    spec
      .given([...organization(), subscriptionsChanged(P, [SALES_PRO], [MHE, SALES_PRO]), subscriptionsChanged('c', [SALES_PRO], [MHE, SALES_PRO])])
      .when(dissolveOrganization())
      .then([expect.objectContaining({ type: 'OrganizationDeleted' }) as unknown as WorldEvent, workflowSuspended('organization-deleted')]);
  });

  it('W4 a suspended workflow is not suspended again, and a change that decides nothing suspends nothing', () => {
    spec
      .given([...organization(), configured([]), workflowSuspended('flow-revoked')])
      .when(configureConnections([]))
      .then([configured([])]);
    spec.given(organization()).when(changeMembers([P, 'b', 'c'])).thenNothing();
  });
});
