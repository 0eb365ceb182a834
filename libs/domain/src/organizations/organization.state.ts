import { assertNever } from '../shared/decider';
import { withAllFeatures, type ConnectionState } from '../connections/connection';
import type { OrganizationEvent } from './organization.events';

export interface Member {
  accountId: string;
  joinedAt: string;
}

export interface Organization {
  organizationId: string;
  name: string;
  primaryAccountId: string;
  hostingLocation: string;
  status: 'active' | 'deleted';
  members: Member[];
  connections: ConnectionState[];
}

export type OrganizationState = Organization | null;

export const initialOrganizationState = (): OrganizationState => null;

/** P7: an account that leaves takes its connections with it. */
const withoutAccounts = (connections: ConnectionState[], gone: string[]): ConnectionState[] =>
  connections.filter((c) => !c.accounts.some((a) => gone.includes(a)));

export function evolveOrganization(state: OrganizationState, event: OrganizationEvent): OrganizationState {
  if (event.type === 'OrganizationCreated') {
    const d = event.data;
    return {
      organizationId: d.organizationId,
      name: d.name,
      primaryAccountId: d.primaryAccountId,
      hostingLocation: d.hostingLocation,
      status: 'active',
      members: d.memberIds.map((accountId) => ({ accountId, joinedAt: d.at })),
      connections: d.connections.map((c) => ({ ...withAllFeatures(c), revoked: [] })),
    };
  }
  if (state === null) return state;
  switch (event.type) {
    case 'MembersChanged':
      return {
        ...state,
        members: [
          ...state.members.filter((m) => !event.data.removed.includes(m.accountId)),
          ...event.data.added.map((accountId) => ({ accountId, joinedAt: event.data.at })),
        ],
        connections: withoutAccounts(state.connections, event.data.removed),
      };
    case 'ConnectionsConfigured':
      // A new configuration starts without revocations: C2/C3 were checked against it.
      return { ...state, connections: event.data.connections.map((c) => ({ ...withAllFeatures(c), revoked: [] })) };
    case 'MemberEvicted':
      return {
        ...state,
        members: state.members.filter((m) => m.accountId !== event.data.accountId),
        connections: withoutAccounts(state.connections, [event.data.accountId]),
      };
    case 'FlowsRevoked': {
      const revoked = event.data.revoked;
      return {
        ...state,
        connections: state.connections.map((c) => {
          const mine = revoked.filter((r) => c.accounts.includes(r.from) && c.accounts.includes(r.to));
          return mine.length ? { ...c, revoked: [...c.revoked, ...mine] } : c;
        }),
      };
    }
    case 'OrganizationDeleted':
      return { ...state, status: 'deleted' };
    case 'WorkflowDefined':
    case 'WorkflowSuspended':
      // Folded by evolveWorkflows: the organization itself does not change.
      return state;
    default:
      return assertNever(event);
  }
}

export const memberIds = (org: Organization): string[] => org.members.map((m) => m.accountId);
export const isMember = (org: Organization, accountId: string): boolean =>
  org.members.some((m) => m.accountId === accountId);
