import { WORKFLOW_EVENT_TYPES, WORKFLOW_RUN_EVENT_TYPES, type SuspensionReason, type WorkflowEvent, type WorkflowRunEvent } from '@mam/domain';
import type { RecordedEvent } from '@mam/event-store';
import { documentProjection } from '../projections/projection';

export const WORKFLOWS = 'workflows';

export interface WorkflowDoc {
  organizationId: string;
  workflowId: string;
  name: string;
  sourceAccountId: string;
  targetAccountId: string;
  trigger: { type: string };
  action: { type: string; properties: Record<string, string>; markCrossSellOpportunity: boolean };
  status: 'active' | 'suspended';
  suspendedReason?: SuspensionReason;
  /** Triggers handled: completed and failed runs. */
  runs: number;
  failedRuns: number;
  lastFailure?: { reason: string; detail: string; dealId: string; at: string };
}

export const workflowDocId = (organizationId: string, workflowId: string): string => `${organizationId}|${workflowId}`;

/**
 * One document per workflow: its definition, status (W4) and run counts.
 * A run event is applied once per event like any other, and there is one
 * run event per trigger, so `runs` counts triggers, not deliveries.
 */
export const workflowsProjection = documentProjection<WorkflowDoc>({
  name: 'workflows',
  collection: { name: WORKFLOWS, indexes: [['organizationId']] },
  eventTypes: [...WORKFLOW_EVENT_TYPES, ...WORKFLOW_RUN_EVENT_TYPES],
  key: (e) => {
    const d = e.data as { organizationId: string; workflowId: string };
    return workflowDocId(d.organizationId, d.workflowId);
  },
  evolve: (doc, e: RecordedEvent) => {
    const event = { type: e.type, data: e.data } as WorkflowEvent | WorkflowRunEvent;
    switch (event.type) {
      case 'WorkflowDefined': {
        const { organizationId, workflowId, name, sourceAccountId, targetAccountId, trigger, action } = event.data;
        return doc ?? { organizationId, workflowId, name, sourceAccountId, targetAccountId, trigger, action, status: 'active', runs: 0, failedRuns: 0 };
      }
      case 'WorkflowSuspended':
        return doc && { ...doc, status: 'suspended', suspendedReason: event.data.reason };
      case 'WorkflowRunCompleted':
        return doc && { ...doc, runs: doc.runs + 1 };
      case 'WorkflowRunFailed': {
        const { reason, detail, dealId } = event.data;
        return doc && { ...doc, runs: doc.runs + 1, failedRuns: doc.failedRuns + 1, lastFailure: { reason, detail, dealId, at: e.metadata.at } };
      }
    }
  },
});
