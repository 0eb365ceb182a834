import { ACCOUNT_EVENT_TYPES, evolveAccount, type Account, type AccountEvent } from '@mam/domain';
import type { RecordedEvent } from '@mam/event-store';
import { documentProjection, type Projection } from '../projections/projection';

export const ACCOUNTS = 'accounts';
export const ACCOUNT_USERS = 'account_users';

const asAccountEvent = (e: RecordedEvent): AccountEvent => ({ type: e.type, data: e.data }) as AccountEvent;

/** One document per account: the decider's own state, folded by the same pure `evolveAccount`. */
export const accountsProjection: Projection = documentProjection<Account>({
  name: 'accounts',
  collection: { name: ACCOUNTS, indexes: [['organizationId']] },
  eventTypes: ACCOUNT_EVENT_TYPES,
  key: (e) => (e.data as { accountId: string }).accountId,
  evolve: (doc, e) => evolveAccount(doc, asAccountEvent(e)),
});

export interface AccountUserDoc {
  userId: string;
  accountId: string;
  roles: string[];
  seats: string[];
}

/** Who is a user of which account: feeds O12 candidates and access checks by user. */
export const accountUsersProjection: Projection = documentProjection<AccountUserDoc>({
  name: 'account-users',
  collection: { name: ACCOUNT_USERS, indexes: [['userId']] },
  eventTypes: ['AccountUserSet', 'AccountUserRemoved'],
  key: (e) => {
    const d = e.data as { userId: string; accountId: string };
    return `${d.userId}|${d.accountId}`;
  },
  evolve: (_doc, e) => {
    const event = asAccountEvent(e);
    if (event.type === 'AccountUserSet') return { ...event.data };
    return null;
  },
});

/** api.md's account answer. */
export function accountView(a: Account) {
  return {
    accountId: a.accountId,
    name: a.name,
    hostingLocation: a.hostingLocation,
    sandbox: a.sandbox,
    status: a.status,
    sensitiveData: a.sensitiveData,
    subscriptions: a.subscriptions,
    users: Object.entries(a.users)
      .map(([userId, u]) => ({ userId, roles: u.roles, seats: u.seats }))
      .sort((x, y) => (x.userId < y.userId ? -1 : 1)),
    organizationId: a.organizationId,
  };
}
