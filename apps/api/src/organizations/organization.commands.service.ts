import { Injectable } from '@nestjs/common';
import {
  accountStream,
  emptyWorld,
  evolveWorld,
  membershipEvents,
  organizationDecider,
  organizationStream,
  userStream,
  withWorkflowSuspensions,
  type OrganizationCommand,
  type OrganizationEvent,
  type OrganizationWorld,
  type WorldEvent,
} from '@mam/domain';
import type { CommandContext } from '../commands/command-context';
import { CommandExecutor, type CommandResult, type Decision, type StreamLoader } from '../commands/command-executor';
import { stepUpClaim, StepUpVerifier } from './step-up.verifier';

type UserCommand = Extract<OrganizationCommand, { data: { actorUserId: string } }>;
type PolicyCommand = Exclude<OrganizationCommand, UserCommand>;

/** Accounts a command names besides the current members. */
function namedAccounts(command: OrganizationCommand): string[] {
  switch (command.type) {
    case 'CreateOrganization':
      return [command.data.primaryAccountId, ...command.data.additionalAccountIds];
    case 'ChangeMembers':
      return [...command.data.accountIds, command.data.actingAccountId];
    case 'ConfigureConnections':
    case 'DeleteOrganization':
      return [command.data.actingAccountId];
    case 'EvictMember':
    case 'RevokeFlows':
      return [command.data.accountId];
    case 'DissolveOrganization':
      return [];
  }
}

/**
 * Organization commands: load the organization, every account it names or
 * has, and the actor's two-factor stream; decide; append the organization's
 * events, the accounts' membership events and the step-up `jti` claim in one
 * atomic append, each stream at the revision it was read.
 */
@Injectable()
export class OrganizationCommands {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly stepUp: StepUpVerifier,
  ) {}

  async byUser(context: CommandContext | undefined, command: UserCommand, stepUpToken: string | undefined, reply?: Record<string, unknown>): Promise<CommandResult> {
    const verified = await this.stepUp.verify(stepUpToken, command.data.actorUserId);
    return this.executor.execute({
      context,
      name: command.type,
      actorUserId: command.data.actorUserId,
      reply,
      decide: async (loader) => {
        const { stepUp, claims } = await stepUpClaim(loader, verified, command.data.actorUserId, command.type);
        const withStepUp = { ...command, data: { ...command.data, stepUp } } as OrganizationCommand;
        return { ...(await this.decide(withStepUp, loader, command.data.actorUserId)), claims };
      },
    });
  }

  /** Saga reactions: `commandId` derives from the causing event, so a redelivery appends nothing twice. */
  byPolicy(command: PolicyCommand, commandId: string, causationId: string): Promise<CommandResult> {
    return this.executor.execute({
      context: undefined,
      name: command.type,
      commandId,
      causationId,
      decide: (loader) => this.decide(command, loader),
    });
  }

  private async decide(command: OrganizationCommand, loader: StreamLoader, actorUserId?: string): Promise<Decision> {
    const orgStreamId = organizationStream(command.data.organizationId);
    let world: OrganizationWorld = emptyWorld();
    const apply = (events: WorldEvent[]) => (world = events.reduce(evolveWorld, world));
    const history = await loader.load<OrganizationEvent>(orgStreamId);
    apply(history);
    const members = world.organization?.members.map((m) => m.accountId) ?? [];
    for (const id of new Set([...members, ...namedAccounts(command)])) apply(await loader.load<WorldEvent>(accountStream(id)));
    if (actorUserId) apply(await loader.load<WorldEvent>(userStream(actorUserId)));

    // W4: a change that takes a workflow's flow away suspends the workflow in the same append.
    const events = withWorkflowSuspensions(history, organizationDecider.decide(command, world) as OrganizationEvent[]);
    const byAccount = new Map<string, WorldEvent[]>();
    for (const e of events) {
      for (const m of membershipEvents(e)) byAccount.set(m.data.accountId, [...(byAccount.get(m.data.accountId) ?? []), m]);
    }
    return {
      writes: [
        { streamId: orgStreamId, events },
        ...[...byAccount].map(([accountId, accountEvents]) => ({ streamId: accountStream(accountId), events: accountEvents })),
      ],
    };
  }
}
