import type { Subscription } from '../shared/subscriptions';

export const ROLES = ['super-admin', 'partner-admin'] as const;
export type Role = (typeof ROLES)[number];
export const SEATS = ['sales', 'service', 'marketing', 'content', 'data', 'commerce'] as const;
export type Seat = (typeof SEATS)[number];

export type EvictionReason = 'downgrade' | 'hosting-moved' | 'deactivated';
export type LeaveReason = EvictionReason | 'removed' | 'organization-deleted';

/** What another service reports when an account comes into being. */
export interface AccountFacts {
  accountId: string;
  name: string;
  hostingLocation: string;
  sandbox: boolean;
  subscriptions: Subscription[];
  sensitiveData: boolean;
}

/** Facts about one account, in the stream `account-{accountId}`. */
export type AccountEvent =
  | { type: 'AccountRegistered'; data: AccountFacts }
  | { type: 'SubscriptionsChanged'; data: { accountId: string; subscriptions: Subscription[]; previous: Subscription[] } }
  | { type: 'HostingLocationChanged'; data: { accountId: string; hostingLocation: string; previous: string } }
  | { type: 'SensitiveDataEnabled'; data: { accountId: string } }
  | { type: 'AccountDeactivated'; data: { accountId: string } }
  | { type: 'AccountUserSet'; data: { accountId: string; userId: string; roles: Role[]; seats: Seat[] } }
  | { type: 'AccountUserRemoved'; data: { accountId: string; userId: string } }
  // Membership lives in the account's own stream too: appended atomically with
  // the organization's event, it is what makes O4 hold under concurrency.
  | { type: 'AccountJoinedOrganization'; data: { accountId: string; organizationId: string } }
  | { type: 'AccountLeftOrganization'; data: { accountId: string; organizationId: string; reason: LeaveReason } };

export const ACCOUNT_EVENT_TYPES: ReadonlyArray<AccountEvent['type']> = [
  'AccountRegistered',
  'SubscriptionsChanged',
  'HostingLocationChanged',
  'SensitiveDataEnabled',
  'AccountDeactivated',
  'AccountUserSet',
  'AccountUserRemoved',
  'AccountJoinedOrganization',
  'AccountLeftOrganization',
];

export const accountStream = (accountId: string): string => `account-${accountId}`;
