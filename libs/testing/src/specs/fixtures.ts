import {
  membershipEvents,
  type AccountCommand,
  type AccountEvent,
  type Connection,
  type EvictionReason,
  type Feature,
  type Hub,
  type LeaveReason,
  type OrganizationCommand,
  type OrganizationEvent,
  type RevocationReason,
  type Role,
  type Seat,
  type Subscription,
  type Tier,
  type UserEvent,
  type WorldEvent,
} from '@mam/domain';

/**
 * Tiny builders for decider specs. Defaults describe the happy path: an active
 * `na1` account with Sales Hub Professional, administered by USER, who has
 * two-factor set up and comes with a fresh OTP step-up.
 */
export const ORG = 'org-1';
export const USER = 'user-1';
export const PRIMARY = 'primary';
export const AT = '2025-01-01T00:00:00.000Z';

export const sub = (hub: Hub, tier: Tier): Subscription => ({ hub, tier });
export const MHE = sub('marketing', 'enterprise');
export const SALES_PRO = sub('sales', 'professional');

type DataOf<U extends { type: string; data: unknown }, T extends U['type']> = Extract<U, { type: T }>['data'];

// ── account and user facts ────────────────────────────────────────────────
export const registered = (accountId: string, overrides: Partial<DataOf<AccountEvent, 'AccountRegistered'>> = {}): AccountEvent => ({
  type: 'AccountRegistered',
  data: {
    accountId,
    name: `Account ${accountId}`,
    hostingLocation: 'na1',
    sandbox: false,
    subscriptions: [SALES_PRO],
    sensitiveData: false,
    ...overrides,
  },
});
export const userSet = (accountId: string, userId: string, roles: Role[], seats: Seat[] = []): AccountEvent => ({
  type: 'AccountUserSet',
  data: { accountId, userId, roles, seats },
});
export const superAdmin = (accountId: string, userId = USER): AccountEvent => userSet(accountId, userId, ['super-admin']);
export const twoFactor = (userId = USER, enabled = true): UserEvent => ({ type: 'TwoFactorChanged', data: { userId, enabled } });
export const subscriptionsChanged = (
  accountId: string,
  subscriptions: Subscription[],
  previous: Subscription[] = [SALES_PRO],
): AccountEvent => ({
  type: 'SubscriptionsChanged',
  data: { accountId, subscriptions, previous },
});
export const hostingMoved = (accountId: string, hostingLocation: string, previous = 'na1'): AccountEvent => ({
  type: 'HostingLocationChanged',
  data: { accountId, hostingLocation, previous },
});
export const sensitiveDataEnabled = (accountId: string): AccountEvent => ({ type: 'SensitiveDataEnabled', data: { accountId } });
export const deactivated = (accountId: string): AccountEvent => ({ type: 'AccountDeactivated', data: { accountId } });
export const userRemoved = (accountId: string, userId = USER): AccountEvent => ({
  type: 'AccountUserRemoved',
  data: { accountId, userId },
});
export const joined = (accountId: string, organizationId = ORG): AccountEvent => ({
  type: 'AccountJoinedOrganization',
  data: { accountId, organizationId },
});
export const left = (accountId: string, reason: LeaveReason, organizationId = ORG): AccountEvent => ({
  type: 'AccountLeftOrganization',
  data: { accountId, organizationId, reason },
});

/** A registered account whose Super Admin is `userId`. */
export const administered = (
  accountId: string,
  overrides: Partial<DataOf<AccountEvent, 'AccountRegistered'>> = {},
  userId = USER,
): AccountEvent[] => [registered(accountId, overrides), superAdmin(accountId, userId)];

export const accountCommand = <T extends AccountCommand['type']>(type: T, data: DataOf<AccountCommand, T>): AccountCommand =>
  ({ type, data }) as AccountCommand;

// ── connections ───────────────────────────────────────────────────────────
type On = Partial<Record<Feature, boolean>>;
const features = (on: On): Record<Feature, boolean> => ({ dataMirroring: false, assetCopying: false, workflows: false, reporting: false, ...on });
export const twoWay = (a: string, b: string, on: On = { dataMirroring: true }): Connection => ({
  accounts: [a, b],
  direction: 'two-way',
  features: features(on),
});
export const oneWay = (from: string, to: string, on: On = { dataMirroring: true }): Connection => ({
  accounts: [from, to],
  direction: 'one-way',
  from,
  features: features(on),
});

// ── organization events ───────────────────────────────────────────────────
const acting = { actorUserId: USER, actingAccountId: PRIMARY, verification: 'otp' as const };
type Data<T extends OrganizationEvent['type']> = DataOf<OrganizationEvent, T>;

export const created = (memberIds: string[], overrides: Partial<Data<'OrganizationCreated'>> = {}): OrganizationEvent => ({
  type: 'OrganizationCreated',
  data: {
    organizationId: ORG,
    name: 'Org',
    primaryAccountId: memberIds[0],
    hostingLocation: 'na1',
    memberIds,
    connections: [],
    at: AT,
    ...acting,
    actingAccountId: memberIds[0],
    ...overrides,
  },
});
export const membersChanged = (added: string[], removed: string[], overrides: Partial<Data<'MembersChanged'>> = {}): OrganizationEvent => ({
  type: 'MembersChanged',
  data: { organizationId: ORG, added, removed, at: AT, ...acting, ...overrides },
});
export const connectionsConfigured = (
  connections: Connection[],
  overrides: Partial<Data<'ConnectionsConfigured'>> = {},
): OrganizationEvent => ({
  type: 'ConnectionsConfigured',
  data: { organizationId: ORG, connections, ...acting, ...overrides },
});
export const memberEvicted = (accountId: string, reason: EvictionReason): OrganizationEvent => ({
  type: 'MemberEvicted',
  data: { organizationId: ORG, accountId, reason },
});
export const flowsRevoked = (accountId: string, reason: RevocationReason, revoked: Data<'FlowsRevoked'>['revoked']): OrganizationEvent => ({
  type: 'FlowsRevoked',
  data: { organizationId: ORG, accountId, reason, revoked },
});
export const organizationDeleted = (
  releasedAccountIds: string[],
  overrides: Partial<Data<'OrganizationDeleted'>> = {},
): OrganizationEvent => ({
  type: 'OrganizationDeleted',
  data: { organizationId: ORG, releasedAccountIds, ...acting, ...overrides },
});
/** P6: deleted by the policy, with its reason and no acting user. */
export const organizationDissolved = (releasedAccountIds: string[]): OrganizationEvent => ({
  type: 'OrganizationDeleted',
  data: { organizationId: ORG, reason: 'no-marketing-enterprise', releasedAccountIds },
});

/** Organization events with the account-stream events the handler appends beside them (O4). */
export const withMembership = (...events: OrganizationEvent[]): WorldEvent[] => events.flatMap((e) => [e, ...membershipEvents(e)]);

// ── organization commands ─────────────────────────────────────────────────
type Cmd<T extends OrganizationCommand['type']> = DataOf<OrganizationCommand, T>;
const user = { actorUserId: USER, stepUp: { verification: 'otp' as const } };

export const createOrganization = (
  primaryAccountId: string,
  additionalAccountIds: string[],
  overrides: Partial<Cmd<'CreateOrganization'>> = {},
): OrganizationCommand => ({
  type: 'CreateOrganization',
  data: {
    ...user,
    organizationId: ORG,
    name: 'Org',
    primaryAccountId,
    additionalAccountIds,
    connections: [],
    acknowledgeImpact: true,
    acknowledgeBeta: true,
    at: AT,
    ...overrides,
  },
});
export const changeMembers = (accountIds: string[], overrides: Partial<Cmd<'ChangeMembers'>> = {}): OrganizationCommand => ({
  type: 'ChangeMembers',
  data: { ...user, organizationId: ORG, actingAccountId: PRIMARY, accountIds, at: AT, ...overrides },
});
export const configureConnections = (
  connections: Connection[],
  overrides: Partial<Cmd<'ConfigureConnections'>> = {},
): OrganizationCommand => ({
  type: 'ConfigureConnections',
  data: { ...user, organizationId: ORG, actingAccountId: PRIMARY, connections, ...overrides },
});
export const deleteOrganization = (overrides: Partial<Cmd<'DeleteOrganization'>> = {}): OrganizationCommand => ({
  type: 'DeleteOrganization',
  data: { ...user, organizationId: ORG, actingAccountId: PRIMARY, ...overrides },
});
export const evictMember = (accountId: string, reason: EvictionReason): OrganizationCommand => ({
  type: 'EvictMember',
  data: { organizationId: ORG, accountId, reason },
});
export const revokeFlows = (accountId: string, reason: RevocationReason): OrganizationCommand => ({
  type: 'RevokeFlows',
  data: { organizationId: ORG, accountId, reason },
});
export const dissolveOrganization = (): OrganizationCommand => ({
  type: 'DissolveOrganization',
  data: { organizationId: ORG, reason: 'no-marketing-enterprise' },
});
