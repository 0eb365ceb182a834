import type { EvictionReason } from '../accounts/account.events';
import type { Connection, RevocationReason } from '../connections/connection';
import type { DeletionReason, Verification } from './organization.events';

/** What the infrastructure proved about the acting user (O6); null when no valid, unused assertion came. */
export interface UserContext {
  actorUserId: string;
  stepUp: { verification: Verification } | null;
}

export type OrganizationCommand =
  | {
      type: 'CreateOrganization';
      data: UserContext & {
        organizationId: string;
        name: string;
        primaryAccountId: string;
        additionalAccountIds: string[];
        connections: Connection[];
        acknowledgeImpact: boolean;
        acknowledgeBeta: boolean;
        at: string;
      };
    }
  | {
      type: 'ChangeMembers';
      data: UserContext & { organizationId: string; actingAccountId: string; accountIds: string[]; at: string };
    }
  | {
      type: 'ConfigureConnections';
      data: UserContext & { organizationId: string; actingAccountId: string; connections: Connection[] };
    }
  | { type: 'DeleteOrganization'; data: UserContext & { organizationId: string; actingAccountId: string } }
  // Issued by the lifecycle policies (sagas), not by users.
  | { type: 'EvictMember'; data: { organizationId: string; accountId: string; reason: EvictionReason } }
  | { type: 'RevokeFlows'; data: { organizationId: string; accountId: string; reason: RevocationReason } }
  | { type: 'DissolveOrganization'; data: { organizationId: string; reason: DeletionReason } };

export type UserCommandType = 'CreateOrganization' | 'ChangeMembers' | 'ConfigureConnections' | 'DeleteOrganization';
