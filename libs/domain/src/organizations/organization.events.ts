import type { EvictionReason } from '../accounts/account.events';
import type { Connection, Revocation, RevocationReason } from '../connections/connection';
import { WORKFLOW_EVENT_TYPES, type WorkflowEvent } from '../workflows/workflow.events';

export type Verification = 'otp' | 'passkey';

/** Who changed the organization, from where, proven how (O5, O6, O8) — kept for the history. */
export interface Acting {
  actorUserId: string;
  actingAccountId: string;
  verification: Verification;
}

export type DeletionReason = 'no-marketing-enterprise';

/** Facts about one organization, in the stream `organization-{organizationId}`. */
export type OrganizationEvent =
  | {
      type: 'OrganizationCreated';
      data: Acting & {
        organizationId: string;
        name: string;
        primaryAccountId: string;
        hostingLocation: string;
        memberIds: string[];
        connections: Connection[];
        at: string;
      };
    }
  | { type: 'MembersChanged'; data: Acting & { organizationId: string; added: string[]; removed: string[]; at: string } }
  | { type: 'ConnectionsConfigured'; data: Acting & { organizationId: string; connections: Connection[] } }
  | { type: 'MemberEvicted'; data: { organizationId: string; accountId: string; reason: EvictionReason } }
  | {
      type: 'FlowsRevoked';
      data: { organizationId: string; accountId: string; reason: RevocationReason; revoked: Revocation[] };
    }
  | {
      type: 'OrganizationDeleted';
      data: Partial<Acting> & { organizationId: string; reason?: DeletionReason; releasedAccountIds: string[] };
    }
  // Workflow definitions and suspensions are organization changes too (W2, W4).
  | WorkflowEvent;

export const ORGANIZATION_EVENT_TYPES: ReadonlyArray<OrganizationEvent['type']> = [
  'OrganizationCreated',
  'MembersChanged',
  'ConnectionsConfigured',
  'MemberEvicted',
  'FlowsRevoked',
  'OrganizationDeleted',
  ...WORKFLOW_EVENT_TYPES,
];

export const organizationStream = (organizationId: string): string => `organization-${organizationId}`;
