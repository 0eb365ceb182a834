import {
  deactivated,
  hostingMoved,
  joined,
  left,
  MHE,
  ProjectionSpecification,
  registered,
  SALES_PRO,
  sensitiveDataEnabled,
  sub,
  subscriptionsChanged,
  twoFactor,
  userRemoved,
  userSet,
} from '@mam/testing';
import { ACCOUNT_USERS, ACCOUNTS, accountsProjection, accountUsersProjection, accountView } from './account.projections';

const accounts = ProjectionSpecification.for(accountsProjection);
const accountUsers = ProjectionSpecification.for(accountUsersProjection);

/** The accounts document right after `registered('a')`. */
const fresh = {
  accountId: 'a',
  name: 'Account a',
  hostingLocation: 'na1',
  sandbox: false,
  subscriptions: [SALES_PRO],
  sensitiveData: false,
  status: 'active',
  users: {},
  organizationId: null,
};

describe('accounts projection', () => {
  it('a registered account is an active document without users or organization', () =>
    accounts.given([registered('a')]).thenDocument(ACCOUNTS, 'a', fresh));

  it('keeps sandbox, hosting and sensitive data as registered', () =>
    accounts
      .given([registered('a', { sandbox: true, hostingLocation: 'eu1', sensitiveData: true, subscriptions: [MHE] })])
      .thenDocument(ACCOUNTS, 'a', { ...fresh, sandbox: true, hostingLocation: 'eu1', sensitiveData: true, subscriptions: [MHE] }));

  it('folds account facts: subscriptions, hosting move, sensitive data, deactivation', () =>
    accounts
      .given([
        registered('a'),
        subscriptionsChanged('a', [MHE, sub('service', 'starter')]),
        hostingMoved('a', 'eu1'),
        sensitiveDataEnabled('a'),
        deactivated('a'),
      ])
      .thenDocument(ACCOUNTS, 'a', {
        ...fresh,
        subscriptions: [MHE, sub('service', 'starter')],
        hostingLocation: 'eu1',
        sensitiveData: true,
        status: 'deactivated',
      }));

  it('folds users: set, replaced, removed', () =>
    accounts
      .given([
        registered('a'),
        userSet('a', 'u1', ['super-admin'], ['sales']),
        userSet('a', 'u2', ['partner-admin']),
        userSet('a', 'u1', [], ['service', 'marketing']),
        userRemoved('a', 'u2'),
      ])
      .thenDocument(ACCOUNTS, 'a', { ...fresh, users: { u1: { roles: [], seats: ['service', 'marketing'] } } }));

  it('O4 folds membership: joined sets the organization, leaving clears it', async () => {
    await accounts.given([registered('a'), joined('a', 'org-1')]).thenDocument(ACCOUNTS, 'a', { ...fresh, organizationId: 'org-1' });
    await accounts
      .given([registered('a'), joined('a', 'org-1'), left('a', 'removed', 'org-1')])
      .thenDocument(ACCOUNTS, 'a', fresh);
  });

  it('O4 a leave of an earlier organization does not clear the current one', () =>
    accounts
      .given([registered('a'), joined('a', 'org-1'), left('a', 'downgrade', 'org-1'), joined('a', 'org-2'), left('a', 'organization-deleted', 'org-1')])
      .thenDocument(ACCOUNTS, 'a', { ...fresh, organizationId: 'org-2' }));

  it('keeps one document per account', () =>
    accounts
      .given([registered('a'), registered('b', { name: 'B' }), joined('b', 'org-1'), deactivated('a')])
      .then(async (read) => {
        expect(await read.get(ACCOUNTS, 'a')).toEqual({ ...fresh, status: 'deactivated' });
        expect(await read.get(ACCOUNTS, 'b')).toEqual({ ...fresh, accountId: 'b', name: 'B', organizationId: 'org-1' });
        expect((await read.find(ACCOUNTS, { organizationId: 'org-1' })).map((r) => r.id)).toEqual(['b']);
      }));

  it('facts about an account never registered make no document', () =>
    accounts.given([subscriptionsChanged('x', [MHE]), userSet('x', 'u1', ['super-admin'])]).thenDocument(ACCOUNTS, 'x', null));

  it('ignores events it does not read (two-factor is per user)', () =>
    accounts.given([registered('a'), twoFactor('u1')]).then(async (read) => {
      expect(await read.get(ACCOUNTS, 'a')).toEqual(fresh);
      expect(await read.find(ACCOUNTS, {})).toHaveLength(1);
    }));

  it("the account answer lists users by id with roles and seats, and the organization id", () => {
    const view = accountView({ ...fresh, status: 'active', users: { u2: { roles: ['partner-admin'], seats: [] }, u1: { roles: ['super-admin'], seats: ['sales'] } }, organizationId: 'org-1' });
    expect(view).toEqual({
      accountId: 'a',
      name: 'Account a',
      hostingLocation: 'na1',
      sandbox: false,
      status: 'active',
      sensitiveData: false,
      subscriptions: [SALES_PRO],
      users: [
        { userId: 'u1', roles: ['super-admin'], seats: ['sales'] },
        { userId: 'u2', roles: ['partner-admin'], seats: [] },
      ],
      organizationId: 'org-1',
    });
  });
});

describe('account-users projection', () => {
  it('a user set on an account is indexed by user and account', () =>
    accountUsers
      .given([registered('a'), userSet('a', 'u1', ['super-admin'], ['sales'])])
      .thenDocument(ACCOUNT_USERS, 'u1|a', { accountId: 'a', userId: 'u1', roles: ['super-admin'], seats: ['sales'] }));

  it('a user set again is replaced', () =>
    accountUsers
      .given([userSet('a', 'u1', ['super-admin'], ['sales']), userSet('a', 'u1', ['partner-admin'], [])])
      .thenDocument(ACCOUNT_USERS, 'u1|a', { accountId: 'a', userId: 'u1', roles: ['partner-admin'], seats: [] }));

  it('a removed user is gone from the index', () =>
    accountUsers.given([userSet('a', 'u1', ['super-admin']), userRemoved('a', 'u1')]).thenDocument(ACCOUNT_USERS, 'u1|a', null));

  it('O12 finds every account of a user, and only theirs', () =>
    accountUsers
      .given([
        userSet('b', 'u1', ['super-admin']),
        userSet('a', 'u1', []),
        userSet('a', 'u2', ['super-admin']),
        userSet('c', 'u1', ['partner-admin']),
        userRemoved('c', 'u1'),
      ])
      .thenDocuments(ACCOUNT_USERS, { userId: 'u1' }, [
        { accountId: 'a', userId: 'u1', roles: [], seats: [] },
        { accountId: 'b', userId: 'u1', roles: ['super-admin'], seats: [] },
      ]));

  it('removing a user who was never set changes nothing', () =>
    accountUsers.given([userRemoved('a', 'u1')]).thenDocuments(ACCOUNT_USERS, {}, []));

  it('ignores other account facts', () =>
    accountUsers.given([registered('a'), joined('a'), deactivated('a')]).thenDocuments(ACCOUNT_USERS, {}, []));
});
