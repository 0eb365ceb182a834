import type { Acting } from '../organizations/organization.events';

export const DEAL_CLOSED_WON = 'deal-closed-won';
/** The deal stage that is W1's trigger (api.md: stage `"closedwon"`). */
export const CLOSED_WON_STAGE = 'closedwon';

export interface WorkflowAction {
  type: 'create-or-update-contact';
  /** Set on every contact the action writes. */
  properties: Record<string, string>;
  markCrossSellOpportunity: boolean;
}

export interface WorkflowDefinition {
  workflowId: string;
  name: string;
  sourceAccountId: string;
  targetAccountId: string;
  trigger: { type: typeof DEAL_CLOSED_WON };
  action: WorkflowAction;
}

export type SuspensionReason = 'flow-revoked' | 'account-left' | 'organization-deleted';

/**
 * Workflow facts that are organization changes, in the organization's own
 * stream: a definition is decided against the organization's flows and
 * members at its revision, and a suspension is appended with the change that
 * took the flow away, so neither can race an edit of the organization.
 */
export type WorkflowEvent =
  | { type: 'WorkflowDefined'; data: Acting & WorkflowDefinition & { organizationId: string; at: string } }
  | { type: 'WorkflowSuspended'; data: { organizationId: string; workflowId: string; reason: SuspensionReason } };

export const WORKFLOW_EVENT_TYPES: ReadonlyArray<WorkflowEvent['type']> = ['WorkflowDefined', 'WorkflowSuspended'];

interface RunFacts {
  organizationId: string;
  workflowId: string;
  sourceAccountId: string;
  targetAccountId: string;
  dealId: string;
  /** The DealSaved event that fired the workflow. */
  triggerEventId: string;
}

/**
 * One run per trigger and workflow, in its own stream: the first event of
 * `workflow-run-…` is the run's outcome, and a stream that exists is a run
 * already counted, however often the trigger is delivered.
 */
export type WorkflowRunEvent =
  | { type: 'WorkflowRunCompleted'; data: RunFacts & { contactIds: string[] } }
  | { type: 'WorkflowRunFailed'; data: RunFacts & { reason: string; detail: string } };

export const WORKFLOW_RUN_EVENT_TYPES: ReadonlyArray<WorkflowRunEvent['type']> = ['WorkflowRunCompleted', 'WorkflowRunFailed'];

export const workflowRunStream = (organizationId: string, workflowId: string, triggerEventId: string): string =>
  `workflow-run-${organizationId}|${workflowId}|${triggerEventId}`;
