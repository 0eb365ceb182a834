import { assertNever } from '../shared/decider';
import type { Subscription } from '../shared/subscriptions';
import type { AccountEvent, Role, Seat } from './account.events';

export interface AccountUser {
  roles: Role[];
  seats: Seat[];
}

export interface Account {
  accountId: string;
  name: string;
  hostingLocation: string;
  sandbox: boolean;
  status: 'active' | 'deactivated';
  subscriptions: Subscription[];
  sensitiveData: boolean;
  users: Record<string, AccountUser>;
  organizationId: string | null;
}

/** `null` until the account is registered. */
export type AccountState = Account | null;

export const initialAccountState = (): AccountState => null;

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  if (event.type === 'AccountRegistered') {
    return { ...event.data, status: 'active', users: {}, organizationId: null };
  }
  if (state === null) return state;
  switch (event.type) {
    case 'SubscriptionsChanged':
      return { ...state, subscriptions: event.data.subscriptions };
    case 'HostingLocationChanged':
      return { ...state, hostingLocation: event.data.hostingLocation };
    case 'SensitiveDataEnabled':
      return { ...state, sensitiveData: true };
    case 'AccountDeactivated':
      return { ...state, status: 'deactivated' };
    case 'AccountUserSet':
      return { ...state, users: { ...state.users, [event.data.userId]: { roles: event.data.roles, seats: event.data.seats } } };
    case 'AccountUserRemoved': {
      const { [event.data.userId]: _removed, ...users } = state.users;
      return { ...state, users };
    }
    case 'AccountJoinedOrganization':
      return { ...state, organizationId: event.data.organizationId };
    case 'AccountLeftOrganization':
      return state.organizationId === event.data.organizationId ? { ...state, organizationId: null } : state;
    default:
      return assertNever(event);
  }
}

export function isSuperAdmin(account: Account, userId: string): boolean {
  return account.users[userId]?.roles.includes('super-admin') ?? false;
}

export function isAdmin(account: Account, userId: string): boolean {
  const roles = account.users[userId]?.roles ?? [];
  return roles.includes('super-admin') || roles.includes('partner-admin');
}
