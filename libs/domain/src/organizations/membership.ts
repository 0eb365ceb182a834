import type { AccountEvent } from '../accounts/account.events';
import type { OrganizationEvent } from './organization.events';

/**
 * The account-stream side of an organization event. The command handler
 * appends both in one atomic multi-stream append, each account stream at the
 * revision it was read at: two organizations racing for one account cannot
 * both win (O4), and nothing half-written remains.
 */
export function membershipEvents(event: OrganizationEvent): AccountEvent[] {
  const organizationId = event.data.organizationId;
  const joined = (accountId: string): AccountEvent => ({ type: 'AccountJoinedOrganization', data: { accountId, organizationId } });
  switch (event.type) {
    case 'OrganizationCreated':
      return event.data.memberIds.map(joined);
    case 'MembersChanged':
      return [
        ...event.data.added.map(joined),
        ...event.data.removed.map(
          (accountId): AccountEvent => ({ type: 'AccountLeftOrganization', data: { accountId, organizationId, reason: 'removed' } }),
        ),
      ];
    case 'MemberEvicted':
      return [
        { type: 'AccountLeftOrganization', data: { accountId: event.data.accountId, organizationId, reason: event.data.reason } },
      ];
    case 'OrganizationDeleted':
      return event.data.releasedAccountIds.map(
        (accountId): AccountEvent => ({
          type: 'AccountLeftOrganization',
          data: { accountId, organizationId, reason: 'organization-deleted' },
        }),
      );
    case 'ConnectionsConfigured':
    case 'FlowsRevoked':
    case 'WorkflowDefined':
    case 'WorkflowSuspended':
      return [];
  }
}
