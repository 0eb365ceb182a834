import {
  accountCommand as cmd,
  DeciderSpecification,
  deactivated,
  MHE,
  registered,
  SALES_PRO,
  sensitiveDataEnabled,
  sub,
  userSet,
} from '@mam/testing';
import { accountDecider } from './account.decide';

const spec = DeciderSpecification.for(accountDecider);
const A = 'acc-1';

describe('accountDecider', () => {
  describe('RegisterAccount', () => {
    const registration = { accountId: A, name: 'Acme', hostingLocation: 'eu1', sandbox: true, subscriptions: [MHE], sensitiveData: true };

    it('registers a new account with its facts', () =>
      spec
        .given([])
        .when(cmd('RegisterAccount', registration))
        .then([{ type: 'AccountRegistered', data: registration }]));

    it('rejects a second registration with ALREADY_EXISTS', () =>
      spec
        .given([registered(A)])
        .when(cmd('RegisterAccount', registration))
        .thenFails('ALREADY_EXISTS'));
  });

  describe('A1 sensitive data is irreversible', () => {
    it('A1 records turning sensitive data on', () =>
      spec
        .given([registered(A)])
        .when(cmd('SetSensitiveData', { accountId: A, enabled: true }))
        .then([sensitiveDataEnabled(A)]));

    it('A1 rejects turning sensitive data off once on', () =>
      spec
        .given([registered(A), sensitiveDataEnabled(A)])
        .when(cmd('SetSensitiveData', { accountId: A, enabled: false }))
        .thenFails('SENSITIVE_DATA_IRREVERSIBLE'));

    it('A1 rejects "off" also when it was never on', () =>
      spec
        .given([registered(A)])
        .when(cmd('SetSensitiveData', { accountId: A, enabled: false }))
        .thenFails('SENSITIVE_DATA_IRREVERSIBLE'));

    it('A1 turning it on twice decides nothing', () =>
      spec
        .given([registered(A), sensitiveDataEnabled(A)])
        .when(cmd('SetSensitiveData', { accountId: A, enabled: true }))
        .thenNothing());

    it('A1 an account registered with sensitive data on is on already', () =>
      spec
        .given([registered(A, { sensitiveData: true })])
        .when(cmd('SetSensitiveData', { accountId: A, enabled: true }))
        .thenNothing());
  });

  describe('A2 a deactivated account accepts no further changes', () => {
    const given = [registered(A), userSet(A, 'u1', ['super-admin']), deactivated(A)];
    it.each([
      ['ChangeSubscriptions', cmd('ChangeSubscriptions', { accountId: A, subscriptions: [MHE] })],
      ['ChangeSubscriptions (same set)', cmd('ChangeSubscriptions', { accountId: A, subscriptions: [SALES_PRO] })],
      ['ChangeHostingLocation', cmd('ChangeHostingLocation', { accountId: A, hostingLocation: 'eu1' })],
      ['SetSensitiveData on', cmd('SetSensitiveData', { accountId: A, enabled: true })],
      ['SetSensitiveData off', cmd('SetSensitiveData', { accountId: A, enabled: false })],
      ['DeactivateAccount again', cmd('DeactivateAccount', { accountId: A })],
      ['SetAccountUser', cmd('SetAccountUser', { accountId: A, userId: 'u2', roles: [], seats: ['sales'] })],
      ['RemoveAccountUser', cmd('RemoveAccountUser', { accountId: A, userId: 'u1' })],
    ])('A2 rejects %s with ACCOUNT_DEACTIVATED', (_name, command) => spec.given(given).when(command).thenFails('ACCOUNT_DEACTIVATED'));

    it('A2 records the deactivation of an active account', () =>
      spec
        .given([registered(A)])
        .when(cmd('DeactivateAccount', { accountId: A }))
        .then([deactivated(A)]));
  });

  describe('an unknown account', () => {
    it.each([
      cmd('ChangeSubscriptions', { accountId: A, subscriptions: [MHE] }),
      cmd('ChangeHostingLocation', { accountId: A, hostingLocation: 'eu1' }),
      cmd('SetSensitiveData', { accountId: A, enabled: true }),
      cmd('DeactivateAccount', { accountId: A }),
      cmd('SetAccountUser', { accountId: A, userId: 'u1', roles: ['super-admin'], seats: [] }),
      cmd('RemoveAccountUser', { accountId: A, userId: 'u1' }),
    ])('rejects $type with NOT_FOUND', (command) => spec.given([]).when(command).thenFails('NOT_FOUND'));
  });

  describe('subscriptions and hosting location', () => {
    it('records a changed subscription set with the previous one', () =>
      spec
        .given([registered(A)])
        .when(cmd('ChangeSubscriptions', { accountId: A, subscriptions: [MHE, SALES_PRO] }))
        .then([{ type: 'SubscriptionsChanged', data: { accountId: A, subscriptions: [MHE, SALES_PRO], previous: [SALES_PRO] } }]));

    it('the same set in another order decides nothing', () =>
      spec
        .given([registered(A, { subscriptions: [MHE, SALES_PRO] })])
        .when(cmd('ChangeSubscriptions', { accountId: A, subscriptions: [SALES_PRO, MHE] }))
        .thenNothing());

    it('a changed tier is a change', () =>
      spec
        .given([registered(A)])
        .when(cmd('ChangeSubscriptions', { accountId: A, subscriptions: [sub('sales', 'enterprise')] }))
        .then([
          { type: 'SubscriptionsChanged', data: { accountId: A, subscriptions: [sub('sales', 'enterprise')], previous: [SALES_PRO] } },
        ]));

    it('records a hosting move with the previous location', () =>
      spec
        .given([registered(A)])
        .when(cmd('ChangeHostingLocation', { accountId: A, hostingLocation: 'eu1' }))
        .then([{ type: 'HostingLocationChanged', data: { accountId: A, hostingLocation: 'eu1', previous: 'na1' } }]));

    it('the same hosting location decides nothing', () =>
      spec
        .given([registered(A)])
        .when(cmd('ChangeHostingLocation', { accountId: A, hostingLocation: 'na1' }))
        .thenNothing());
  });

  describe('users', () => {
    it('records a new user with roles and seats', () =>
      spec
        .given([registered(A)])
        .when(cmd('SetAccountUser', { accountId: A, userId: 'u1', roles: ['super-admin'], seats: ['sales'] }))
        .then([userSet(A, 'u1', ['super-admin'], ['sales'])]));

    it('records changed roles of a known user', () =>
      spec
        .given([registered(A), userSet(A, 'u1', ['super-admin'])])
        .when(cmd('SetAccountUser', { accountId: A, userId: 'u1', roles: ['partner-admin'], seats: [] }))
        .then([userSet(A, 'u1', ['partner-admin'])]));

    it('the same roles and seats in another order decide nothing', () =>
      spec
        .given([registered(A), userSet(A, 'u1', ['super-admin', 'partner-admin'], ['sales', 'service'])])
        .when(cmd('SetAccountUser', { accountId: A, userId: 'u1', roles: ['partner-admin', 'super-admin'], seats: ['service', 'sales'] }))
        .thenNothing());

    it('a user set again without any change decides nothing', () =>
      spec
        .given([registered(A), userSet(A, 'u1', [])])
        .when(cmd('SetAccountUser', { accountId: A, userId: 'u1', roles: [], seats: [] }))
        .thenNothing());

    it('records a removed user', () =>
      spec
        .given([registered(A), userSet(A, 'u1', ['super-admin'])])
        .when(cmd('RemoveAccountUser', { accountId: A, userId: 'u1' }))
        .then([{ type: 'AccountUserRemoved', data: { accountId: A, userId: 'u1' } }]));

    it('removing a user the account does not have is NOT_FOUND', () =>
      spec
        .given([registered(A)])
        .when(cmd('RemoveAccountUser', { accountId: A, userId: 'u1' }))
        .thenFails('NOT_FOUND'));

    it('a removed user can be set again', () =>
      spec
        .given([registered(A), userSet(A, 'u1', ['super-admin']), { type: 'AccountUserRemoved', data: { accountId: A, userId: 'u1' } }])
        .when(cmd('SetAccountUser', { accountId: A, userId: 'u1', roles: ['super-admin'], seats: [] }))
        .then([userSet(A, 'u1', ['super-admin'])]));
  });
});
