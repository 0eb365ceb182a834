import type { ContactFields, CrmEvent, OrganizationEvent, SuspensionReason, WorkflowAction, WorkflowCommand } from '@mam/domain';
import { AT, ORG, PRIMARY, USER } from './fixtures';

/** Builders for workflow specs (W1–W4): defaults are a workflow `wf-1` from PRIMARY into `b`. */
export const WORKFLOW = 'wf-1';
const acting = { actorUserId: USER, actingAccountId: PRIMARY, verification: 'otp' as const };

export const action = (overrides: Partial<WorkflowAction> = {}): WorkflowAction => ({
  type: 'create-or-update-contact',
  properties: {},
  markCrossSellOpportunity: false,
  ...overrides,
});

type Definition = Extract<OrganizationEvent, { type: 'WorkflowDefined' }>['data'];

export const workflowDefined = (overrides: Partial<Definition> = {}): OrganizationEvent => ({
  type: 'WorkflowDefined',
  data: {
    organizationId: ORG,
    workflowId: WORKFLOW,
    name: 'Cross-sell',
    sourceAccountId: PRIMARY,
    targetAccountId: 'b',
    trigger: { type: 'deal-closed-won' },
    action: action(),
    ...acting,
    at: AT,
    ...overrides,
  },
});

export const workflowSuspended = (reason: SuspensionReason, workflowId = WORKFLOW): OrganizationEvent => ({
  type: 'WorkflowSuspended',
  data: { organizationId: ORG, workflowId, reason },
});

export const defineWorkflow = (overrides: Partial<WorkflowCommand['data']> = {}): WorkflowCommand => ({
  type: 'DefineWorkflow',
  data: {
    actorUserId: USER,
    stepUp: { verification: 'otp' },
    organizationId: ORG,
    actingAccountId: PRIMARY,
    workflowId: WORKFLOW,
    name: 'Cross-sell',
    sourceAccountId: PRIMARY,
    targetAccountId: 'b',
    trigger: { type: 'deal-closed-won' },
    action: action(),
    at: AT,
    ...overrides,
  },
});

// ── CRM facts ─────────────────────────────────────────────────────────────
export const contactUpserted = (accountId: string, contactId: string, fields: Partial<ContactFields> & { email: string }): CrmEvent => ({
  type: 'ContactUpserted',
  data: { accountId, contactId, properties: {}, ...fields },
});
export const contactDeleted = (accountId: string, contactId: string): CrmEvent => ({ type: 'ContactDeleted', data: { accountId, contactId } });

/** A deal saved at `stage`; `previousStage` as the decider records it (leave it `undefined` for an event stored before it did). */
export const dealSaved = (accountId: string, dealId: string, stage: string, contactIds: string[], previousStage?: string | null): CrmEvent => ({
  type: 'DealSaved',
  data: { accountId, dealId, name: `Deal ${dealId}`, stage, contactIds, ...(previousStage !== undefined ? { previousStage } : {}) },
});
