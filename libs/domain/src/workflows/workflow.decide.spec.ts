import {
  administered,
  connectionsConfigured,
  created,
  DeciderSpecification,
  defineWorkflow,
  MHE,
  oneWay,
  organizationDeleted,
  PRIMARY,
  SALES_PRO,
  sensitiveDataEnabled,
  twoFactor,
  twoWay,
  userSet,
  USER,
  withMembership,
  workflowDefined,
  action,
  workflowSuspended,
} from '@mam/testing';
import type { Connection } from '../connections/connection';
import type { WorldEvent } from '../organizations/organization.world';
import { workflowDecider } from './workflow.decide';

const spec = DeciderSpecification.for(workflowDecider);
const P = PRIMARY;
const workflows = (on = true) => ({ workflows: on });

/** P (MHE), b and c; USER is Super Admin of all with two-factor; the organization of the three with `connections`. */
const organization = (connections: Connection[] = [oneWay(P, 'b', workflows())]): WorldEvent[] => [
  ...administered(P, { subscriptions: [MHE, SALES_PRO] }),
  ...administered('b'),
  ...administered('c'),
  twoFactor(),
  ...withMembership(created([P, 'b', 'c'], { connections })),
];

describe('workflowDecider (W1, W2)', () => {
  it('W2 defines a workflow along a workflows flow, with actor, acting account and verification', () =>
    spec
      .given(organization())
      .when(defineWorkflow({ action: action({ properties: { tier: 'gold' }, markCrossSellOpportunity: true }), stepUp: { verification: 'passkey' } }))
      .then([workflowDefined({ action: action({ properties: { tier: 'gold' }, markCrossSellOpportunity: true }), verification: 'passkey' })]));

  it('W1 a two-way workflows connection carries workflows both ways', () =>
    spec
      .given(organization([twoWay(P, 'b', workflows())]))
      .when(defineWorkflow({ sourceAccountId: 'b', targetAccountId: P }))
      .then([workflowDefined({ sourceAccountId: 'b', targetAccountId: P })]));

  it.each([
    ['no connection between them', [] as Connection[], P, 'b'],
    ['a connection without workflows', [twoWay(P, 'b', { dataMirroring: true, assetCopying: true })], P, 'b'],
    ['a one-way flow the other way', [oneWay(P, 'b', workflows())], 'b', P],
    ['a target outside the organization', [oneWay(P, 'b', workflows())], P, 'x'],
    ['a source outside the organization', [oneWay(P, 'b', workflows())], 'x', 'b'],
    ['the same account', [oneWay(P, 'b', workflows())], P, P],
  ])('W1 NO_FLOW with %s', (_what, connections, sourceAccountId, targetAccountId) =>
    spec.given(organization(connections)).when(defineWorkflow({ sourceAccountId, targetAccountId })).thenFails('NO_FLOW'));

  it('W1 NO_FLOW once C4 revoked the flow', () =>
    spec
      .given([
        ...organization(),
        sensitiveDataEnabled(P),
        { type: 'FlowsRevoked', data: { organizationId: 'org-1', accountId: P, reason: 'sensitive-data', revoked: [{ feature: 'workflows', from: P, to: 'b', reason: 'sensitive-data' }] } },
      ])
      .when(defineWorkflow())
      .thenFails('NO_FLOW'));

  it('C2 a source that stores sensitive data is refused before C4 revoked its flow (SENSITIVE_DATA_SOURCE)', () =>
    spec.given([...organization(), sensitiveDataEnabled(P)]).when(defineWorkflow()).thenFails('SENSITIVE_DATA_SOURCE'));

  it('W2 O5: the actor must be a Super Admin of every member, not only of source and target', () =>
    spec.given([...organization(), userSet('c', USER, ['partner-admin'])]).when(defineWorkflow()).thenFails('NOT_SUPER_ADMIN'));

  it('W2 O6: two-factor set up (TWO_FACTOR_REQUIRED), then a fresh step-up (STEP_UP_REQUIRED)', () => {
    spec.given([...organization(), twoFactor(USER, false)]).when(defineWorkflow()).thenFails('TWO_FACTOR_REQUIRED');
    spec.given(organization()).when(defineWorkflow({ stepUp: null })).thenFails('STEP_UP_REQUIRED');
  });

  it('W2 an acting account outside the organization is FORBIDDEN', () =>
    spec.given(organization()).when(defineWorkflow({ actingAccountId: 'x' })).thenFails('FORBIDDEN'));

  it('a repeated workflowId is ALREADY_EXISTS, also once suspended', () => {
    spec.given([...organization(), workflowDefined()]).when(defineWorkflow({ name: 'Other' })).thenFails('ALREADY_EXISTS');
    spec
      .given([...organization(), workflowDefined(), workflowSuspended('flow-revoked'), connectionsConfigured([oneWay(P, 'b', workflows())])])
      .when(defineWorkflow())
      .thenFails('ALREADY_EXISTS');
  });

  it('an unknown organization is NOT_FOUND, a deleted one ORGANIZATION_DELETED', () => {
    spec.given(organization().slice(0, 7)).when(defineWorkflow()).thenFails('NOT_FOUND');
    spec.given([...organization(), organizationDeleted([P, 'b', 'c'])]).when(defineWorkflow()).thenFails('ORGANIZATION_DELETED');
  });
});
