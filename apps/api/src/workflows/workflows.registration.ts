import { normalizeEmail } from '@mam/domain';
import type { EventStore } from '@mam/event-store';
import type { ReadStore } from '@mam/read-store';
import type { ProjectionsService } from '../projections/projections.service';
import type { ProcessRegistration } from '../sagas/sagas.service';
import type { WorkflowCommands } from './workflow.commands';
import { eventStoreWorkflowsContext, type WorkflowsContext } from './workflows.context';
import { workflowsProcess, type WorkflowProcessCommand } from './workflows.process';

/** How long a lookup by email waits for the contacts read model before the reaction is retried. */
const CONTACTS_WAIT_MS = 5000;

/**
 * The workflows process on the saga runner: its context reads the streams
 * and the mirroring projection's contacts, and hears of the contacts each
 * dispatched command created, at the position they were stored.
 */
export function workflowsRegistration(
  events: EventStore,
  readStore: ReadStore,
  projections: ProjectionsService,
  commands: WorkflowCommands,
): ProcessRegistration<unknown, unknown> {
  const context = eventStoreWorkflowsContext(events, readStore, (position) => projections.waitFor(position, ['mirroring'], CONTACTS_WAIT_MS));
  const r: ProcessRegistration<WorkflowProcessCommand, WorkflowsContext> = {
    process: workflowsProcess,
    context,
    dispatch: async (command, commandId, causationId) => {
      const result = await commands.dispatch(command, commandId, causationId);
      if (command.type === 'WriteTargetContacts') {
        const { targetAccountId, source, writes } = command.data;
        for (const w of writes) if (w.create) context.created(targetAccountId, normalizeEmail(source.email), w.contactId, BigInt(result.position));
      }
      return result;
    },
  };
  // The runner list mixes processes (sagas.service's `registration`, not imported: it imports this file).
  return r as ProcessRegistration<unknown, unknown>;
}
