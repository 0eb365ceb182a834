import { effectiveFlows } from '../connections/connection';
import type { OrganizationEvent } from '../organizations/organization.events';
import { evolveOrganization, isMember, type OrganizationState } from '../organizations/organization.state';
import type { SuspensionReason, WorkflowDefinition, WorkflowEvent } from './workflow.events';

export interface Workflow extends WorkflowDefinition {
  organizationId: string;
  status: 'active' | 'suspended';
  suspendedReason?: SuspensionReason;
}

/** The workflows of one organization, folded from its stream beside the organization itself. */
export type WorkflowsState = Workflow[];

const isWorkflowEvent = (e: OrganizationEvent): e is WorkflowEvent => e.type === 'WorkflowDefined' || e.type === 'WorkflowSuspended';

export function evolveWorkflows(state: WorkflowsState, event: OrganizationEvent): WorkflowsState {
  if (!isWorkflowEvent(event)) return state;
  if (event.type === 'WorkflowDefined') {
    const { actorUserId: _u, actingAccountId: _a, verification: _v, at: _t, ...definition } = event.data;
    return [...state, { ...definition, status: 'active' }];
  }
  return state.map((w) => (w.workflowId === event.data.workflowId ? { ...w, status: 'suspended', suspendedReason: event.data.reason } : w));
}

export const foldWorkflows = (events: OrganizationEvent[]): WorkflowsState => events.reduce(evolveWorkflows, []);

/** W4: why a workflow can no longer fire in this organization, or null while its flow is in effect. */
export function suspensionReason(org: OrganizationState, w: WorkflowDefinition): SuspensionReason | null {
  if (org === null || org.status === 'deleted') return 'organization-deleted';
  if (!isMember(org, w.sourceAccountId) || !isMember(org, w.targetAccountId)) return 'account-left';
  const flowing = org.connections.some((c) => effectiveFlows(c).workflows.some((f) => f.from === w.sourceAccountId && f.to === w.targetAccountId));
  return flowing ? null : 'flow-revoked';
}

/**
 * W4 with the change that causes it: the organization events a command
 * decided, followed by a suspension for every active workflow whose flow
 * they take away (connections edited, C4, an account leaving, deletion).
 * A suspended workflow stays suspended when a flow comes back: it is
 * defined again, with a fresh step-up, if it should fire again.
 */
export function withWorkflowSuspensions(history: OrganizationEvent[], decided: OrganizationEvent[]): OrganizationEvent[] {
  if (decided.length === 0) return decided;
  const active = foldWorkflows(history).filter((w) => w.status === 'active');
  if (active.length === 0) return decided;
  const after = decided.reduce(evolveOrganization, history.reduce(evolveOrganization, null as OrganizationState));
  const suspensions: OrganizationEvent[] = [];
  for (const w of active) {
    const reason = suspensionReason(after, w);
    if (reason) suspensions.push({ type: 'WorkflowSuspended', data: { organizationId: w.organizationId, workflowId: w.workflowId, reason } });
  }
  return [...decided, ...suspensions];
}
