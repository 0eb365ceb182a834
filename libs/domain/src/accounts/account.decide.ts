import { fail } from '../shared/domain-error';
import { assertNever, type Decider } from '../shared/decider';
import type { Subscription } from '../shared/subscriptions';
import type { AccountEvent, AccountFacts, Role, Seat } from './account.events';
import { evolveAccount, initialAccountState, type Account, type AccountState } from './account.state';

export type AccountCommand =
  | { type: 'RegisterAccount'; data: AccountFacts }
  | { type: 'ChangeSubscriptions'; data: { accountId: string; subscriptions: Subscription[] } }
  | { type: 'ChangeHostingLocation'; data: { accountId: string; hostingLocation: string } }
  | { type: 'SetSensitiveData'; data: { accountId: string; enabled: boolean } }
  | { type: 'DeactivateAccount'; data: { accountId: string } }
  | { type: 'SetAccountUser'; data: { accountId: string; userId: string; roles: Role[]; seats: Seat[] } }
  | { type: 'RemoveAccountUser'; data: { accountId: string; userId: string } };

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

const subscriptionKeys = (s: Subscription[]): string[] => s.map((x) => `${x.hub}:${x.tier}`);

/** A2: a deactivated account takes no further facts. */
function activeAccount(state: AccountState, accountId: string): Account {
  if (state === null) fail('NOT_FOUND', `account ${accountId} does not exist`);
  if (state.status === 'deactivated') fail('ACCOUNT_DEACTIVATED', `account ${accountId} is deactivated`);
  return state;
}

/**
 * Account facts as other services report them. A report that changes nothing
 * appends nothing (and answers with the current position).
 */
export function decideAccount(command: AccountCommand, state: AccountState): AccountEvent[] {
  switch (command.type) {
    case 'RegisterAccount':
      if (state !== null) fail('ALREADY_EXISTS', `account ${command.data.accountId} already exists`);
      return [{ type: 'AccountRegistered', data: command.data }];
    case 'ChangeSubscriptions': {
      const account = activeAccount(state, command.data.accountId);
      if (sameSet(subscriptionKeys(account.subscriptions), subscriptionKeys(command.data.subscriptions))) return [];
      return [
        {
          type: 'SubscriptionsChanged',
          data: { accountId: account.accountId, subscriptions: command.data.subscriptions, previous: account.subscriptions },
        },
      ];
    }
    case 'ChangeHostingLocation': {
      const account = activeAccount(state, command.data.accountId);
      if (account.hostingLocation === command.data.hostingLocation) return [];
      return [
        {
          type: 'HostingLocationChanged',
          data: { accountId: account.accountId, hostingLocation: command.data.hostingLocation, previous: account.hostingLocation },
        },
      ];
    }
    case 'SetSensitiveData': {
      const account = activeAccount(state, command.data.accountId);
      if (!command.data.enabled) {
        // A1 — also when it is off already: turning it "off" is never a fact we accept.
        fail('SENSITIVE_DATA_IRREVERSIBLE', 'sensitive data cannot be turned off');
      }
      if (account.sensitiveData) return [];
      return [{ type: 'SensitiveDataEnabled', data: { accountId: account.accountId } }];
    }
    case 'DeactivateAccount': {
      const account = activeAccount(state, command.data.accountId);
      return [{ type: 'AccountDeactivated', data: { accountId: account.accountId } }];
    }
    case 'SetAccountUser': {
      const account = activeAccount(state, command.data.accountId);
      const current = account.users[command.data.userId];
      if (current && sameSet(current.roles, command.data.roles) && sameSet(current.seats, command.data.seats)) return [];
      return [{ type: 'AccountUserSet', data: command.data }];
    }
    case 'RemoveAccountUser': {
      const account = activeAccount(state, command.data.accountId);
      if (!account.users[command.data.userId]) fail('NOT_FOUND', `user ${command.data.userId} is not a user of ${account.accountId}`);
      return [{ type: 'AccountUserRemoved', data: command.data }];
    }
    default:
      return assertNever(command);
  }
}

export const accountDecider: Decider<AccountState, AccountCommand, AccountEvent> = {
  decide: decideAccount,
  evolve: evolveAccount,
  initialState: initialAccountState,
};
