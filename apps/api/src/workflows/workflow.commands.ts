import { Injectable } from '@nestjs/common';
import {
  accountStream,
  createdContact,
  emptyWorld,
  evolveWorkflowWorld,
  organizationStream,
  updatedContact,
  userStream,
  workflowDecider,
  workflowRunStream,
  type OrganizationEvent,
  type WorkflowCommand,
  type WorkflowWorld,
  type WorldEvent,
} from '@mam/domain';
import type { CommandContext } from '../commands/command-context';
import { CommandExecutor, type CommandResult } from '../commands/command-executor';
import { CrmCommands } from '../crm/crm.commands';
import { stepUpClaim, StepUpVerifier } from '../organizations/step-up.verifier';
import type { WorkflowProcessCommand } from './workflows.process';

/**
 * Workflow commands: the definition (W2, an organization change decided
 * against the organization's stream, its members and the actor's two-factor
 * set-up, with the step-up claimed in the same append) and the workflows
 * process's commands (the target's contacts through its CRM commands, and
 * the run's record).
 */
@Injectable()
export class WorkflowCommands {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly stepUp: StepUpVerifier,
    private readonly crm: CrmCommands,
  ) {}

  async define(context: CommandContext | undefined, command: WorkflowCommand, stepUpToken: string | undefined): Promise<CommandResult> {
    const { actorUserId, organizationId, workflowId } = command.data;
    const verified = await this.stepUp.verify(stepUpToken, actorUserId);
    return this.executor.execute({
      context,
      name: command.type,
      actorUserId,
      reply: { workflowId },
      decide: async (loader) => {
        const { stepUp, claims } = await stepUpClaim(loader, verified, actorUserId, command.type);
        const orgStreamId = organizationStream(organizationId);
        let world: WorkflowWorld = { ...emptyWorld(), workflows: [] };
        const apply = (events: WorldEvent[]) => (world = events.reduce(evolveWorkflowWorld, world));
        apply(await loader.load<OrganizationEvent>(orgStreamId));
        const members = world.organization?.members.map((m) => m.accountId) ?? [];
        for (const id of new Set([...members, command.data.sourceAccountId, command.data.targetAccountId])) {
          apply(await loader.load<WorldEvent>(accountStream(id)));
        }
        apply(await loader.load<WorldEvent>(userStream(actorUserId)));
        const events = workflowDecider.decide({ ...command, data: { ...command.data, stepUp } }, world);
        return { writes: [{ streamId: orgStreamId, events }], claims };
      },
    });
  }

  /** The workflows process's commands, with the ids it derived from the trigger. */
  dispatch(command: WorkflowProcessCommand, commandId: string, causationId: string): Promise<CommandResult> {
    switch (command.type) {
      case 'WriteTargetContacts': {
        const { targetAccountId, source, action, writes } = command.data;
        return this.crm.mergeContacts(
          targetAccountId,
          writes.map(({ contactId, create }) => ({
            contactId,
            // A matched contact deleted since the lookup is not brought back; the created one may exist by now.
            merge: (current) => (current ? updatedContact(current, action) : create ? createdContact(source, action) : null),
          })),
          { commandId, causationId },
        );
      }
      case 'RecordWorkflowRun': {
        const run = command.data.data;
        const streamId = workflowRunStream(run.organizationId, run.workflowId, run.triggerEventId);
        return this.executor.execute({
          context: undefined,
          name: command.data.type,
          commandId,
          causationId,
          // The run stream's first event is the run's outcome: once recorded, never again.
          decide: async (loader) => ({ writes: [{ streamId, events: (await loader.exists(streamId)) ? [] : [command.data] }] }),
        });
      }
    }
  }
}
