import { createHash } from 'node:crypto';
import {
  entersClosedWon,
  normalizeEmail,
  suspensionReason,
  type ContactFields,
  type DealFields,
  type WorkflowAction,
  type WorkflowRunEvent,
} from '@mam/domain';
import type { RecordedEvent } from '@mam/event-store';
import type { ProcessManager } from '../sagas/saga';
import type { DefinedWorkflow, WorkflowsContext } from './workflows.context';

/** The target's contacts one source contact leads to: those with its email, or the one to create. */
export interface TargetWrite {
  contactId: string;
  /** True for the contact the action creates when none matched (it may exist by now: then it is updated). */
  create: boolean;
}

export type WorkflowProcessCommand =
  | {
      type: 'WriteTargetContacts';
      data: {
        organizationId: string;
        workflowId: string;
        targetAccountId: string;
        sourceContactId: string;
        source: ContactFields;
        action: WorkflowAction;
        writes: TargetWrite[];
      };
    }
  | { type: 'RecordWorkflowRun'; data: WorkflowRunEvent };

export const WORKFLOWS_PROCESS = 'process:workflows';

/**
 * The contact a workflow creates for a source contact of a trigger: the same
 * id on every delivery, so a repeat finds it instead of creating another.
 */
export function createdContactId(triggerEventId: string, organizationId: string, workflowId: string, sourceContactId: string): string {
  const hash = createHash('sha256').update([triggerEventId, organizationId, workflowId, sourceContactId].join('\u0000')).digest('hex');
  return `wf-${hash.slice(0, 40)}`;
}

type DealSaved = { accountId: string; dealId: string; previousStage?: string | null } & DealFields;

/** W1: the workflows of the deal's account that this trigger fires, oldest definition first. */
async function firedWorkflows(event: RecordedEvent, deal: DealSaved, context: WorkflowsContext): Promise<{ organizationId: string; workflows: DefinedWorkflow[] }> {
  const found = await context.organizationOf(deal.accountId);
  if (!found) return { organizationId: '', workflows: [] };
  const { organization, workflows } = found;
  return {
    organizationId: organization.organizationId,
    workflows: workflows.filter(
      (w) =>
        w.sourceAccountId === deal.accountId &&
        w.status === 'active' &&
        // A deal closed before the workflow existed is no trigger of it, however late it is read.
        w.definedAt < event.position &&
        // W4 on the current state: a flow taken away since the trigger stops the action now.
        suspensionReason(organization, w) === null,
    ),
  };
}

/**
 * W1, W3: a deal of S entering closed-won fires every active workflow of S
 * along a flow S → T in effect. Per distinct email among the deal's
 * contacts (as they stood at the trigger), T's contacts with that email are
 * updated, or one is created with an id derived from the trigger, the
 * workflow and the source contact; then the run is recorded once. A
 * deactivated target fails the run with its reason instead of retrying.
 * Every command id derives from the trigger, so a redelivery — also after a
 * crash between two of them — writes nothing twice and counts the run once.
 */
export const workflowsProcess: ProcessManager<WorkflowProcessCommand, WorkflowsContext> = {
  name: WORKFLOWS_PROCESS,
  eventTypes: new Set(['DealSaved']),
  commandId: (event, command) => {
    const d = command.data as { organizationId: string; workflowId: string; sourceContactId?: string };
    return [event.id, WORKFLOWS_PROCESS, d.organizationId, d.workflowId, command.type, d.sourceContactId ?? ''].join(':');
  },

  async react(event, context) {
    const deal = event.data as DealSaved;
    if (deal.stage !== 'closedwon') return [];
    const previous = deal.previousStage !== undefined ? deal.previousStage : await context.stageBefore(event);
    if (!entersClosedWon(previous, deal.stage)) return [];
    const { organizationId, workflows } = await firedWorkflows(event, deal, context);
    if (workflows.length === 0) return [];

    const sources: Array<ContactFields & { contactId: string }> = [];
    for (const contactId of deal.contactIds) {
      const contact = await context.contact(deal.accountId, contactId, event.position);
      // One write per email: two source contacts sharing one would otherwise create two targets.
      if (contact && !sources.some((s) => normalizeEmail(s.email) === normalizeEmail(contact.email))) sources.push({ ...contact, contactId });
    }

    const commands: WorkflowProcessCommand[] = [];
    // Contacts this reaction creates, by target and email: a second workflow into the same target updates them.
    const planned = new Map<string, string>();
    for (const w of workflows) {
      const run = { organizationId, workflowId: w.workflowId, sourceAccountId: w.sourceAccountId, targetAccountId: w.targetAccountId, dealId: deal.dealId, triggerEventId: event.id };
      const target = await context.account(w.targetAccountId);
      if (!target || target.status === 'deactivated') {
        const detail = `target account ${w.targetAccountId} is deactivated and takes no contacts`;
        commands.push({ type: 'RecordWorkflowRun', data: { type: 'WorkflowRunFailed', data: { ...run, reason: 'TARGET_DEACTIVATED', detail } } });
        continue;
      }
      const written: string[] = [];
      for (const { contactId: sourceContactId, ...source } of sources) {
        const key = `${w.targetAccountId}\u0000${normalizeEmail(source.email)}`;
        const matches = planned.has(key) ? [] : await context.contactsWithEmail(w.targetAccountId, normalizeEmail(source.email), event.position);
        let writes: TargetWrite[] = matches.map((contactId) => ({ contactId, create: false }));
        if (writes.length === 0) {
          const contactId = planned.get(key) ?? createdContactId(event.id, organizationId, w.workflowId, sourceContactId);
          planned.set(key, contactId);
          writes = [{ contactId, create: true }];
        }
        written.push(...writes.map((x) => x.contactId));
        commands.push({
          type: 'WriteTargetContacts',
          data: { organizationId, workflowId: w.workflowId, targetAccountId: w.targetAccountId, sourceContactId, source, action: w.action, writes },
        });
      }
      commands.push({ type: 'RecordWorkflowRun', data: { type: 'WorkflowRunCompleted', data: { ...run, contactIds: written } } });
    }
    return commands;
  },
};
