import { Injectable } from '@nestjs/common';
import {
  accountDecider,
  accountStream,
  fold,
  userDecider,
  userStream,
  type AccountCommand,
  type AccountEvent,
  type UserEvent,
} from '@mam/domain';
import type { CommandContext } from '../commands/command-context';
import { CommandExecutor, type CommandResult } from '../commands/command-executor';

/** Account facts reported by other services: one stream per account, one per user. */
@Injectable()
export class AccountCommands {
  constructor(private readonly executor: CommandExecutor) {}

  account(context: CommandContext | undefined, command: AccountCommand, reply?: Record<string, unknown>): Promise<CommandResult> {
    const streamId = accountStream(command.data.accountId);
    return this.executor.execute({
      context,
      name: command.type,
      reply,
      decide: async (loader) => {
        const state = fold(accountDecider, await loader.load<AccountEvent>(streamId));
        return { writes: [{ streamId, events: accountDecider.decide(command, state) }] };
      },
    });
  }

  twoFactor(context: CommandContext | undefined, userId: string, enabled: boolean): Promise<CommandResult> {
    const streamId = userStream(userId);
    return this.executor.execute({
      context,
      name: 'SetTwoFactor',
      decide: async (loader) => {
        const state = fold(userDecider, await loader.load<UserEvent>(streamId));
        return { writes: [{ streamId, events: userDecider.decide({ type: 'SetTwoFactor', data: { userId, enabled } }, state) }] };
      },
    });
  }
}
