import {
  administered,
  changeMembers,
  configureConnections,
  connectionsConfigured,
  created,
  createOrganization,
  deactivated,
  DeciderSpecification,
  deleteOrganization,
  dissolveOrganization,
  evictMember,
  flowsRevoked,
  hostingMoved,
  joined,
  left,
  memberEvicted,
  membersChanged,
  MHE,
  oneWay,
  organizationDeleted,
  organizationDissolved,
  PRIMARY,
  registered,
  revokeFlows,
  SALES_PRO,
  sensitiveDataEnabled,
  sub,
  subscriptionsChanged,
  superAdmin,
  twoFactor,
  twoWay,
  userRemoved,
  userSet,
  USER,
  withMembership,
} from '@mam/testing';
import type { AccountEvent } from '../accounts/account.events';
import type { Connection } from '../connections/connection';
import { fold } from '../shared/decider';
import { ORGANIZATION_EVENT_TYPES } from './organization.events';
import { organizationDecider } from './organization.decide';
import type { WorldEvent } from './organization.world';

const spec = DeciderSpecification.for(organizationDecider);

const P = PRIMARY;
const all = { dataMirroring: true, assetCopying: true, workflows: true };
const CONTENT_PRO = sub('content', 'professional');
const passkey = { stepUp: { verification: 'passkey' as const } };

/** The primary has MHE; a–e are eligible (Sales Pro, na1); USER is Super Admin of all and has two-factor set up. */
const accounts: WorldEvent[] = [
  ...administered(P, { subscriptions: [MHE, SALES_PRO] }),
  ...['a', 'b', 'c', 'd', 'e'].flatMap((id) => administered(id)),
  twoFactor(),
];
/** `accounts` plus an organization of P, a and b (with the account-stream side, as the handler appends it). */
const organization = (connections: Connection[] = [], members = [P, 'a', 'b']): WorldEvent[] => [
  ...accounts,
  ...withMembership(created(members, { connections })),
];
const world = (events: WorldEvent[]) => fold(organizationDecider, events);
const isOrganizationEvent = (e: WorldEvent): boolean => (ORGANIZATION_EVENT_TYPES as readonly string[]).includes(e.type);
const notSuperAdmin = (accountId: string): AccountEvent => userSet(accountId, USER, ['partner-admin']);

describe('organizationDecider', () => {
  describe('CreateOrganization', () => {
    it('creates an organization of the primary and the chosen accounts, acting from the primary', () =>
      spec
        .given(accounts)
        .when(createOrganization(P, ['a', 'b'], { connections: [twoWay(P, 'a', all), oneWay('a', 'b')] }))
        .then([created([P, 'a', 'b'], { connections: [twoWay(P, 'a', all), oneWay('a', 'b')] })]));

    it('creates an organization of the primary alone', () =>
      spec
        .given(accounts)
        .when(createOrganization(P, []))
        .then([created([P])]));

    it('records the hosting location of the primary', () =>
      spec
        .given([
          ...administered('x', { subscriptions: [MHE], hostingLocation: 'eu1' }),
          ...administered('y', { hostingLocation: 'eu1' }),
          twoFactor(),
        ])
        .when(createOrganization('x', ['y']))
        .then([created(['x', 'y'], { hostingLocation: 'eu1' })]));

    it('rejects an organization id that exists with ALREADY_EXISTS', () =>
      spec
        .given(organization())
        .when(createOrganization(P, [], { organizationId: 'org-1' }))
        .thenFails('ALREADY_EXISTS'));

    it('rejects an account listed twice with VALIDATION_FAILED', () =>
      spec
        .given(accounts)
        .when(createOrganization(P, ['a', 'a']))
        .thenFails('VALIDATION_FAILED'));

    it('rejects the primary listed again as additional with VALIDATION_FAILED', () =>
      spec
        .given(accounts)
        .when(createOrganization(P, [P]))
        .thenFails('VALIDATION_FAILED'));

    it('rejects an unknown account with NOT_FOUND', () =>
      spec
        .given(accounts)
        .when(createOrganization(P, ['zz']))
        .thenFails('NOT_FOUND'));

    describe('O1 the primary has Marketing Hub Enterprise', () => {
      it('O1 rejects a primary without Marketing Hub Enterprise', () =>
        spec
          .given(accounts)
          .when(createOrganization('a', [P]))
          .thenFails('PRIMARY_NOT_MARKETING_ENTERPRISE'));

      it('O1 rejects a primary with Marketing Hub Professional only', () =>
        spec
          .given([...administered('x', { subscriptions: [sub('marketing', 'professional')] }), twoFactor()])
          .when(createOrganization('x', []))
          .thenFails('PRIMARY_NOT_MARKETING_ENTERPRISE'));

      it('O1 rejects a primary with Enterprise on another hub only', () =>
        spec
          .given([...administered('x', { subscriptions: [sub('sales', 'enterprise')] }), twoFactor()])
          .when(createOrganization('x', []))
          .thenFails('PRIMARY_NOT_MARKETING_ENTERPRISE'));
    });

    describe('O2 at most 5 members', () => {
      it('O2 accepts the primary and 4 more', () =>
        spec
          .given(accounts)
          .when(createOrganization(P, ['a', 'b', 'c', 'd']))
          .then([created([P, 'a', 'b', 'c', 'd'])]));

      it('O2 rejects the primary and 5 more with MEMBER_LIMIT', () =>
        spec
          .given(accounts)
          .when(createOrganization(P, ['a', 'b', 'c', 'd', 'e']))
          .thenFails('MEMBER_LIMIT'));
    });

    describe('O3 every member is active, not a sandbox, Professional or higher, on the same hosting', () => {
      it.each([
        ['ACCOUNT_SANDBOX', 'a sandbox account', [registered('x', { sandbox: true })]],
        [
          'ACCOUNT_BELOW_PROFESSIONAL',
          'an account below Professional',
          [registered('x', { subscriptions: [sub('sales', 'starter'), sub('marketing', 'free')] })],
        ],
        ['HOSTING_MISMATCH', 'an account hosted elsewhere', [registered('x', { hostingLocation: 'eu1' })]],
        ['ACCOUNT_DEACTIVATED', 'a deactivated account', [registered('x'), deactivated('x')]],
      ] as const)('O3 %s: rejects %s', (code, _what, facts) =>
        spec
          .given([...accounts, ...facts, superAdmin('x')])
          .when(createOrganization(P, ['a', 'x']))
          .thenFails(code),
      );

      it('O3 rejects a sandbox primary', () =>
        spec
          .given([...administered('x', { subscriptions: [MHE], sandbox: true }), twoFactor()])
          .when(createOrganization('x', []))
          .thenFails('ACCOUNT_SANDBOX'));

      it('O3 rejects a deactivated primary', () =>
        spec
          .given([...accounts, deactivated(P)])
          .when(createOrganization(P, ['a']))
          .thenFails('ACCOUNT_DEACTIVATED'));

      it('O3 Professional on any hub is enough', () =>
        spec
          .given([...accounts, ...administered('x', { subscriptions: [CONTENT_PRO] })])
          .when(createOrganization(P, ['x']))
          .then([created([P, 'x'])]));

      it('O3 sensitive data does not keep an account out', () =>
        spec
          .given([...accounts, sensitiveDataEnabled('a')])
          .when(createOrganization(P, ['a']))
          .then([created([P, 'a'])]));
    });

    describe('O4 an account belongs to at most one organization', () => {
      it('O4 rejects an additional account in another organization', () =>
        spec
          .given([...accounts, joined('a', 'org-0')])
          .when(createOrganization(P, ['a']))
          .thenFails('ALREADY_IN_ORGANIZATION'));

      it('O4 rejects a primary in another organization', () =>
        spec
          .given([...accounts, joined(P, 'org-0')])
          .when(createOrganization(P, ['a']))
          .thenFails('ALREADY_IN_ORGANIZATION'));

      it('P7 an account evicted from its organization may join another', () =>
        spec
          .given([...accounts, joined('a', 'org-0'), left('a', 'downgrade', 'org-0')])
          .when(createOrganization(P, ['a']))
          .then([created([P, 'a'])]));

      it('P8 an account released by a deleted organization may join another', () =>
        spec
          .given([...accounts, joined('a', 'org-0'), left('a', 'organization-deleted', 'org-0')])
          .when(createOrganization(P, ['a']))
          .then([created([P, 'a'])]));
    });

    describe('O5 the acting user is a Super Admin of every chosen account', () => {
      it('O5 rejects a user who is only Partner Admin of an additional account', () =>
        spec
          .given([...accounts, notSuperAdmin('b')])
          .when(createOrganization(P, ['a', 'b']))
          .thenFails('NOT_SUPER_ADMIN'));

      it('O5 rejects a user who is no user of the primary', () =>
        spec
          .given([...accounts, userRemoved(P)])
          .when(createOrganization(P, ['a']))
          .thenFails('NOT_SUPER_ADMIN'));

      it('O5 a Super Admin of another user does not count', () =>
        spec
          .given([...accounts, userRemoved('a'), superAdmin('a', 'someone-else')])
          .when(createOrganization(P, ['a']))
          .thenFails('NOT_SUPER_ADMIN'));
    });

    describe('O6 two-factor and a fresh step-up', () => {
      const withoutTwoFactor = accounts.filter((e) => e.type !== 'TwoFactorChanged');

      it('O6 rejects a user without two-factor, even with a step-up, with TWO_FACTOR_REQUIRED', () =>
        spec
          .given(withoutTwoFactor)
          .when(createOrganization(P, ['a']))
          .thenFails('TWO_FACTOR_REQUIRED'));

      it('O6 rejects a user who turned two-factor off', () =>
        spec
          .given([...accounts, twoFactor(USER, false)])
          .when(createOrganization(P, ['a']))
          .thenFails('TWO_FACTOR_REQUIRED'));

      it('O6 TWO_FACTOR_REQUIRED comes before STEP_UP_REQUIRED', () =>
        spec
          .given(withoutTwoFactor)
          .when(createOrganization(P, ['a'], { stepUp: null }))
          .thenFails('TWO_FACTOR_REQUIRED'));

      it('O6 rejects a command without a valid step-up with STEP_UP_REQUIRED', () =>
        spec
          .given(accounts)
          .when(createOrganization(P, ['a'], { stepUp: null }))
          .thenFails('STEP_UP_REQUIRED'));

      it('O6 two-factor of another user does not count', () =>
        spec
          .given([...withoutTwoFactor, twoFactor('someone-else')])
          .when(createOrganization(P, []))
          .thenFails('TWO_FACTOR_REQUIRED'));

      it('O6 records an otp verification as "otp"', () =>
        spec
          .given(accounts)
          .when(createOrganization(P, []))
          .then([created([P], { verification: 'otp' })]));

      it('O6 records a passkey verification as "passkey"', () =>
        spec
          .given(accounts)
          .when(createOrganization(P, [], passkey))
          .then([created([P], { verification: 'passkey' })]));
    });

    describe('O7 acknowledgements', () => {
      it('O7 rejects a creation without the impact notice acknowledged', () =>
        spec
          .given(accounts)
          .when(createOrganization(P, ['a'], { acknowledgeImpact: false }))
          .thenFails('ACKNOWLEDGEMENT_REQUIRED'));

      it('O7 rejects a creation without the beta terms acknowledged', () =>
        spec
          .given(accounts)
          .when(createOrganization(P, ['a'], { acknowledgeBeta: false }))
          .thenFails('ACKNOWLEDGEMENT_REQUIRED'));

      it('O7 rejects a creation with neither acknowledged', () =>
        spec
          .given(accounts)
          .when(createOrganization(P, ['a'], { acknowledgeImpact: false, acknowledgeBeta: false }))
          .thenFails('ACKNOWLEDGEMENT_REQUIRED'));
    });

    describe('connections at creation (C1–C3)', () => {
      it('C1 rejects a connection to an account that is not chosen', () =>
        spec
          .given(accounts)
          .when(createOrganization(P, ['a'], { connections: [twoWay(P, 'c')] }))
          .thenFails('NOT_A_MEMBER'));

      it('C2 rejects a sensitive-data account as a mirroring source', () =>
        spec
          .given([...accounts, sensitiveDataEnabled('a')])
          .when(createOrganization(P, ['a'], { connections: [twoWay(P, 'a')] }))
          .thenFails('SENSITIVE_DATA_SOURCE'));

      it('C3 rejects mirroring into an account without Sales or Service Professional', () =>
        spec
          .given([...accounts, ...administered('x', { subscriptions: [CONTENT_PRO] })])
          .when(createOrganization(P, ['x'], { connections: [oneWay(P, 'x')] }))
          .thenFails('MIRRORING_TARGET_INELIGIBLE'));
    });
  });

  describe('ChangeMembers', () => {
    it('adds an account', () =>
      spec
        .given(organization())
        .when(changeMembers([P, 'a', 'b', 'c']))
        .then([membersChanged(['c'], [])]));

    it('removes an account', () =>
      spec
        .given(organization())
        .when(changeMembers([P, 'a']))
        .then([membersChanged([], ['b'])]));

    it('adds and removes at once', () =>
      spec
        .given(organization())
        .when(changeMembers([P, 'c', 'a']))
        .then([membersChanged(['c'], ['b'])]));

    it('records a passkey verification', () =>
      spec
        .given(organization())
        .when(changeMembers([P, 'a'], passkey))
        .then([membersChanged([], ['b'], { verification: 'passkey' })]));

    it('the same member set, in any order, decides nothing', () =>
      spec
        .given(organization())
        .when(changeMembers(['b', P, 'a']))
        .thenNothing());

    it('a removed account may be added again', () =>
      spec
        .given([...organization(), ...withMembership(membersChanged([], ['b']))])
        .when(changeMembers([P, 'a', 'b']))
        .then([membersChanged(['b'], [])]));

    it('P7 removing a member drops its connections', () => {
      const given = [
        ...organization([twoWay(P, 'a', all), twoWay(P, 'b', all), oneWay('a', 'b')]),
        ...withMembership(membersChanged([], ['b'])),
      ];
      expect(world(given).organization?.connections).toEqual([{ ...twoWay(P, 'a', all), revoked: [] }]);
    });

    it('rejects an account listed twice with VALIDATION_FAILED', () =>
      spec
        .given(organization())
        .when(changeMembers([P, 'a', 'a']))
        .thenFails('VALIDATION_FAILED'));

    it('rejects an unknown account with NOT_FOUND', () =>
      spec
        .given(organization())
        .when(changeMembers([P, 'a', 'zz']))
        .thenFails('NOT_FOUND'));

    it('rejects an unknown organization with NOT_FOUND', () =>
      spec
        .given(accounts)
        .when(changeMembers([P]))
        .thenFails('NOT_FOUND'));

    it('rejects a deleted organization with ORGANIZATION_DELETED', () =>
      spec
        .given([...organization(), ...withMembership(organizationDeleted([P, 'a', 'b']))])
        .when(changeMembers([P, 'a']))
        .thenFails('ORGANIZATION_DELETED'));

    describe('O8 from a member with Marketing Hub Enterprise', () => {
      it('O8 rejects a member acting account without Marketing Hub Enterprise', () =>
        spec
          .given(organization())
          .when(changeMembers([P, 'a'], { actingAccountId: 'a' }))
          .thenFails('ACTING_ACCOUNT_NOT_MARKETING_ENTERPRISE'));

      it('O8 rejects an acting account with Marketing Hub Enterprise that is not a member', () =>
        spec
          .given([...organization(), ...administered('x', { subscriptions: [MHE] })])
          .when(changeMembers([P, 'a'], { actingAccountId: 'x' }))
          .thenFails('ACTING_ACCOUNT_NOT_MARKETING_ENTERPRISE'));

      it('O8 rejects an unknown acting account', () =>
        spec
          .given(organization())
          .when(changeMembers([P, 'a'], { actingAccountId: 'zz' }))
          .thenFails('ACTING_ACCOUNT_NOT_MARKETING_ENTERPRISE'));

      it('O8 accepts any member with Marketing Hub Enterprise, not only the primary', () =>
        spec
          .given([...organization(), subscriptionsChanged('a', [MHE])])
          .when(changeMembers([P, 'a'], { actingAccountId: 'a' }))
          .then([membersChanged([], ['b'], { actingAccountId: 'a' })]));

      it('O8 rejects a primary that lost Marketing Hub Enterprise', () =>
        spec
          .given([...organization(), subscriptionsChanged('a', [MHE]), subscriptionsChanged(P, [SALES_PRO])])
          .when(changeMembers([P, 'a']))
          .thenFails('ACTING_ACCOUNT_NOT_MARKETING_ENTERPRISE'));
    });

    describe('O5 Super Admin of every member, old and new', () => {
      it('O5 rejects a user who is not Super Admin of a member that is removed', () =>
        spec
          .given([...organization(), notSuperAdmin('b')])
          .when(changeMembers([P, 'a']))
          .thenFails('NOT_SUPER_ADMIN'));

      it('O5 rejects a user who is not Super Admin of a member that stays', () =>
        spec
          .given([...organization(), notSuperAdmin('a')])
          .when(changeMembers([P, 'a', 'b', 'c']))
          .thenFails('NOT_SUPER_ADMIN'));

      it('O5 rejects a user who is not Super Admin of an added account', () =>
        spec
          .given([...organization(), notSuperAdmin('c')])
          .when(changeMembers([P, 'a', 'b', 'c']))
          .thenFails('NOT_SUPER_ADMIN'));
    });

    describe('O6', () => {
      it('O6 rejects a user without two-factor with TWO_FACTOR_REQUIRED', () =>
        spec
          .given([...organization(), twoFactor(USER, false)])
          .when(changeMembers([P, 'a'], { stepUp: null }))
          .thenFails('TWO_FACTOR_REQUIRED'));

      it('O6 rejects an edit without step-up with STEP_UP_REQUIRED', () =>
        spec
          .given(organization())
          .when(changeMembers([P, 'a'], { stepUp: null }))
          .thenFails('STEP_UP_REQUIRED'));
    });

    describe('O2 at most 5 members', () => {
      it('O2 accepts growing to 5 members', () =>
        spec
          .given(organization())
          .when(changeMembers([P, 'a', 'b', 'c', 'd']))
          .then([membersChanged(['c', 'd'], [])]));

      it('O2 rejects 6 members with MEMBER_LIMIT', () =>
        spec
          .given(organization())
          .when(changeMembers([P, 'a', 'b', 'c', 'd', 'e']))
          .thenFails('MEMBER_LIMIT'));
    });

    describe('O3 and O4 for added accounts', () => {
      it.each([
        ['ACCOUNT_SANDBOX', [registered('x', { sandbox: true })]],
        ['ACCOUNT_BELOW_PROFESSIONAL', [registered('x', { subscriptions: [sub('service', 'starter')] })]],
        ['HOSTING_MISMATCH', [registered('x', { hostingLocation: 'eu1' })]],
        ['ACCOUNT_DEACTIVATED', [registered('x'), deactivated('x')]],
        ['ALREADY_IN_ORGANIZATION', [registered('x'), joined('x', 'org-0')]],
      ] as const)('rejects an added account with %s', (code, facts) =>
        spec
          .given([...organization(), ...facts, superAdmin('x')])
          .when(changeMembers([P, 'a', 'b', 'x']))
          .thenFails(code),
      );

      it('O3 is judged against the organization hosting location', () =>
        spec
          .given([...organization(), ...administered('x', { hostingLocation: 'eu1' })])
          .when(changeMembers([P, 'x']))
          .thenFails('HOSTING_MISMATCH'));

      it("O3 members that stay are not judged again (their changes are the policies' business)", () =>
        spec
          .given([...organization(), subscriptionsChanged('b', [sub('sales', 'starter')])])
          .when(changeMembers([P, 'a', 'b', 'c']))
          .then([membersChanged(['c'], [])]));
    });

    describe('the primary stays (api.md: the desired set includes the primary)', () => {
      it('rejects a member set without the primary with PRIMARY_ACCOUNT_REQUIRED', () =>
        spec
          .given([...organization(), subscriptionsChanged('a', [MHE])])
          .when(changeMembers(['a', 'b'], { actingAccountId: P }))
          .thenFails('PRIMARY_ACCOUNT_REQUIRED'));

      it('accepts a set without a primary that was already evicted', () =>
        spec
          .given([...organization(), subscriptionsChanged('a', [MHE]), ...withMembership(memberEvicted(P, 'downgrade'))])
          .when(changeMembers(['a'], { actingAccountId: 'a' }))
          .then([membersChanged([], ['b'], { actingAccountId: 'a' })]));
    });

    describe('O11 an edit keeps a Marketing Hub Enterprise member', () => {
      const primaryDowngraded = () => [...organization(), subscriptionsChanged('a', [MHE]), subscriptionsChanged(P, [sub('marketing', 'professional')])];

      it('O11 rejects an edit that removes the last Marketing Hub Enterprise member with MARKETING_ENTERPRISE_REQUIRED', () =>
        spec.given(primaryDowngraded()).when(changeMembers([P, 'b'], { actingAccountId: 'a' })).thenFails('MARKETING_ENTERPRISE_REQUIRED'));

      it('O11 accepts the edit while a Marketing Hub Enterprise member stays', () =>
        spec.given(primaryDowngraded()).when(changeMembers([P, 'a'], { actingAccountId: 'a' })).then([membersChanged([], ['b'], { actingAccountId: 'a' })]));

      it('O11 an added account with Marketing Hub Enterprise may take over that role', () =>
        spec
          .given([...primaryDowngraded(), ...administered('x', { subscriptions: [MHE] })])
          .when(changeMembers([P, 'b', 'x'], { actingAccountId: 'a' }))
          .then([membersChanged(['x'], ['a'], { actingAccountId: 'a' })]));
    });
  });

  describe('ConfigureConnections', () => {
    it('replaces the whole connection set', () =>
      spec
        .given(organization([twoWay(P, 'a')]))
        .when(configureConnections([oneWay('a', 'b', all), twoWay(P, 'b', { assetCopying: true })]))
        .then([connectionsConfigured([oneWay('a', 'b', all), twoWay(P, 'b', { assetCopying: true })])]));

    it('an empty set removes every connection', () =>
      spec
        .given(organization([twoWay(P, 'a')]))
        .when(configureConnections([]))
        .then([connectionsConfigured([])]));

    it('records a passkey verification', () =>
      spec
        .given(organization())
        .when(configureConnections([], passkey))
        .then([connectionsConfigured([], { verification: 'passkey' })]));

    it('rejects an unknown organization with NOT_FOUND', () => spec.given(accounts).when(configureConnections([])).thenFails('NOT_FOUND'));

    it('rejects a deleted organization with ORGANIZATION_DELETED', () =>
      spec
        .given([...organization(), ...withMembership(organizationDeleted([P, 'a', 'b']))])
        .when(configureConnections([]))
        .thenFails('ORGANIZATION_DELETED'));

    describe('O9 from any member account', () => {
      it('O9 accepts a member without Marketing Hub Enterprise as acting account', () =>
        spec
          .given(organization())
          .when(configureConnections([twoWay('a', 'b')], { actingAccountId: 'a' }))
          .then([connectionsConfigured([twoWay('a', 'b')], { actingAccountId: 'a' })]));

      it('O9 rejects an acting account that is not a member with FORBIDDEN', () =>
        spec
          .given(organization())
          .when(configureConnections([twoWay('a', 'b')], { actingAccountId: 'c' }))
          .thenFails('FORBIDDEN'));
    });

    it('O5 rejects a user who is not Super Admin of every member', () =>
      spec
        .given([...organization(), notSuperAdmin('b')])
        .when(configureConnections([twoWay(P, 'a')]))
        .thenFails('NOT_SUPER_ADMIN'));

    it('O6 rejects a user without two-factor with TWO_FACTOR_REQUIRED', () =>
      spec
        .given([...organization(), twoFactor(USER, false)])
        .when(configureConnections([]))
        .thenFails('TWO_FACTOR_REQUIRED'));

    it('O6 rejects a change without step-up with STEP_UP_REQUIRED', () =>
      spec
        .given(organization())
        .when(configureConnections([], { stepUp: null }))
        .thenFails('STEP_UP_REQUIRED'));

    describe('C1 members only, one connection per pair', () => {
      it('C1 rejects a connection to an account that is not a member with NOT_A_MEMBER', () =>
        spec
          .given(organization())
          .when(configureConnections([twoWay(P, 'c')]))
          .thenFails('NOT_A_MEMBER'));

      it('C1 rejects a connection to an account that was removed', () =>
        spec
          .given([...organization(), ...withMembership(membersChanged([], ['b']))])
          .when(configureConnections([twoWay(P, 'b')]))
          .thenFails('NOT_A_MEMBER'));

      it('C1 rejects two connections of one pair with DUPLICATE_CONNECTION', () =>
        spec
          .given(organization())
          .when(configureConnections([twoWay(P, 'a'), oneWay(P, 'a', { assetCopying: true })]))
          .thenFails('DUPLICATE_CONNECTION'));

      it('C1 rejects the same pair in reversed order with DUPLICATE_CONNECTION', () =>
        spec
          .given(organization())
          .when(configureConnections([twoWay(P, 'a'), twoWay('a', P)]))
          .thenFails('DUPLICATE_CONNECTION'));
    });

    describe('C2 a sensitive-data account is no source of mirroring or workflows', () => {
      const sensitive = [...organization(), sensitiveDataEnabled('a')];

      it.each([
        ['two-way mirroring', twoWay(P, 'a', { dataMirroring: true })],
        ['two-way workflows', twoWay(P, 'a', { workflows: true })],
        ['one-way mirroring from it', oneWay('a', P, { dataMirroring: true })],
        ['one-way workflows from it', oneWay('a', 'b', { workflows: true })],
        ['two-way reporting', twoWay(P, 'a', { reporting: true })],
        ['one-way reporting from it', oneWay('a', P, { reporting: true })],
      ])('C2 rejects %s with SENSITIVE_DATA_SOURCE', (_what, connection) =>
        spec
          .given(sensitive)
          .when(configureConnections([connection]))
          .thenFails('SENSITIVE_DATA_SOURCE'),
      );

      it.each([
        ['one-way mirroring and workflows into it', oneWay(P, 'a', { dataMirroring: true, workflows: true })],
        ['one-way reporting into it', oneWay(P, 'a', { reporting: true })],
        ['two-way asset copying', twoWay(P, 'a', { assetCopying: true })],
        ['one-way asset copying from it', oneWay('a', P, { assetCopying: true })],
      ])('C2 accepts %s', (_what, connection) =>
        spec
          .given(sensitive)
          .when(configureConnections([connection]))
          .then([connectionsConfigured([connection])]),
      );
    });

    describe('C3 mirroring targets have Sales or Service Hub Professional or higher', () => {
      const given = [
        ...accounts,
        ...administered('x', { subscriptions: [CONTENT_PRO, sub('sales', 'starter')] }),
        ...administered('y', { subscriptions: [sub('service', 'enterprise')] }),
        ...withMembership(created([P, 'x', 'y'])),
      ];

      it.each([
        ['one-way mirroring into it', oneWay(P, 'x')],
        ['two-way mirroring with it', twoWay('x', 'y')],
      ])('C3 rejects %s with MIRRORING_TARGET_INELIGIBLE', (_what, connection) =>
        spec
          .given(given)
          .when(configureConnections([connection]))
          .thenFails('MIRRORING_TARGET_INELIGIBLE'),
      );

      it.each([
        ['one-way mirroring from it', oneWay('x', P)],
        ['mirroring into Service Hub Enterprise', oneWay(P, 'y')],
        ['workflows and asset copying into it', twoWay(P, 'x', { workflows: true, assetCopying: true })],
      ])('C3 accepts %s', (_what, connection) =>
        spec
          .given(given)
          .when(configureConnections([connection]))
          .then([connectionsConfigured([connection])]),
      );
    });

    describe('malformed connections', () => {
      it('rejects a connection of an account with itself with VALIDATION_FAILED', () =>
        spec
          .given(organization())
          .when(configureConnections([twoWay(P, P)]))
          .thenFails('VALIDATION_FAILED'));

      it('rejects a one-way connection from an account outside the pair', () =>
        spec
          .given(organization())
          .when(configureConnections([{ ...oneWay(P, 'a'), from: 'b' }]))
          .thenFails('VALIDATION_FAILED'));

      it('rejects a one-way connection without "from"', () =>
        spec
          .given(organization())
          .when(configureConnections([{ ...oneWay(P, 'a'), from: undefined }]))
          .thenFails('VALIDATION_FAILED'));

      it('rejects a two-way connection with "from"', () =>
        spec
          .given(organization())
          .when(configureConnections([{ ...twoWay(P, 'a'), from: P }]))
          .thenFails('VALIDATION_FAILED'));
    });

    it('a new configuration starts without the revocations of the old one', () => {
      const given = [
        ...organization([twoWay(P, 'a')]),
        subscriptionsChanged('a', [CONTENT_PRO]),
        flowsRevoked('a', 'mirroring-target-ineligible', [
          { feature: 'dataMirroring', from: P, to: 'a', reason: 'mirroring-target-ineligible' },
        ]),
        subscriptionsChanged('a', [SALES_PRO], [CONTENT_PRO]),
        connectionsConfigured([twoWay(P, 'a')]),
      ];
      expect(world(given).organization?.connections).toEqual([{ ...twoWay(P, 'a'), revoked: [] }]);
    });
  });

  describe('DeleteOrganization', () => {
    it('deletes the organization and releases every member', () =>
      spec
        .given(organization())
        .when(deleteOrganization())
        .then([organizationDeleted([P, 'a', 'b'])]));

    it('records a passkey verification', () =>
      spec
        .given(organization())
        .when(deleteOrganization(passkey))
        .then([organizationDeleted([P, 'a', 'b'], { verification: 'passkey' })]));

    it('O8 rejects an acting member without Marketing Hub Enterprise', () =>
      spec
        .given(organization())
        .when(deleteOrganization({ actingAccountId: 'a' }))
        .thenFails('ACTING_ACCOUNT_NOT_MARKETING_ENTERPRISE'));

    it('O8 rejects an acting account that is not a member', () =>
      spec
        .given([...organization(), ...administered('x', { subscriptions: [MHE] })])
        .when(deleteOrganization({ actingAccountId: 'x' }))
        .thenFails('ACTING_ACCOUNT_NOT_MARKETING_ENTERPRISE'));

    it('O5 rejects a user who is not Super Admin of every member', () =>
      spec
        .given([...organization(), notSuperAdmin('b')])
        .when(deleteOrganization())
        .thenFails('NOT_SUPER_ADMIN'));

    it('O6 rejects a user without two-factor with TWO_FACTOR_REQUIRED', () =>
      spec
        .given([...organization(), twoFactor(USER, false)])
        .when(deleteOrganization())
        .thenFails('TWO_FACTOR_REQUIRED'));

    it('O6 rejects a deletion without step-up with STEP_UP_REQUIRED', () =>
      spec
        .given(organization())
        .when(deleteOrganization({ stepUp: null }))
        .thenFails('STEP_UP_REQUIRED'));

    it('rejects an unknown organization with NOT_FOUND', () => spec.given(accounts).when(deleteOrganization()).thenFails('NOT_FOUND'));

    describe('after the deletion', () => {
      const deleted = [...organization(), ...withMembership(organizationDeleted([P, 'a', 'b']))];

      it.each([
        ['ChangeMembers', changeMembers([P, 'a'])],
        ['ConfigureConnections', configureConnections([])],
        ['DeleteOrganization', deleteOrganization()],
      ])('%s fails with ORGANIZATION_DELETED', (_type, command) => spec.given(deleted).when(command).thenFails('ORGANIZATION_DELETED'));

      it('also after a deletion by P6', () =>
        spec
          .given([...organization(), ...withMembership(organizationDissolved([P, 'a', 'b']))])
          .when(changeMembers([P, 'a']))
          .thenFails('ORGANIZATION_DELETED'));

      it('the id cannot be used for a new organization (ALREADY_EXISTS)', () =>
        spec
          .given(deleted)
          .when(createOrganization(P, ['a']))
          .thenFails('ALREADY_EXISTS'));

      it('P8 its accounts may form a new organization under another id', () =>
        spec
          // A new id: the handler loads the account streams (joined, then left org-1) and an empty organization stream.
          .given(deleted.filter((e) => !isOrganizationEvent(e)))
          .when(createOrganization(P, ['a'], { organizationId: 'org-2' }))
          .then([created([P, 'a'], { organizationId: 'org-2' })]));
    });
  });

  describe('lifecycle policies', () => {
    describe('EvictMember', () => {
      it('P1 evicts a member with no Professional-or-higher subscription left (downgrade)', () =>
        spec
          .given([...organization(), subscriptionsChanged('a', [sub('sales', 'starter'), sub('marketing', 'free')])])
          .when(evictMember('a', 'downgrade'))
          .then([memberEvicted('a', 'downgrade')]));

      it('P2 evicts a member whose hosting moved away (hosting-moved)', () =>
        spec
          .given([...organization(), hostingMoved('a', 'eu1')])
          .when(evictMember('a', 'hosting-moved'))
          .then([memberEvicted('a', 'hosting-moved')]));

      it('P3 evicts a deactivated member (deactivated)', () =>
        spec
          .given([...organization(), deactivated('a')])
          .when(evictMember('a', 'deactivated'))
          .then([memberEvicted('a', 'deactivated')]));

      it('P1 does nothing when the member has Professional again', () =>
        spec
          .given([...organization(), subscriptionsChanged('a', []), subscriptionsChanged('a', [CONTENT_PRO], [])])
          .when(evictMember('a', 'downgrade'))
          .thenNothing());

      it('P2 does nothing when the member moved back', () =>
        spec
          .given([...organization(), hostingMoved('a', 'eu1'), hostingMoved('a', 'na1', 'eu1')])
          .when(evictMember('a', 'hosting-moved'))
          .thenNothing());

      it('P3 does nothing for an active member', () => spec.given(organization()).when(evictMember('a', 'deactivated')).thenNothing());

      it('does nothing when another fact than the reason applies', () =>
        spec
          .given([...organization(), deactivated('a')])
          .when(evictMember('a', 'downgrade'))
          .thenNothing());

      it('does nothing for a member already evicted (redelivery)', () =>
        spec
          .given([...organization(), deactivated('a'), ...withMembership(memberEvicted('a', 'deactivated'))])
          .when(evictMember('a', 'deactivated'))
          .thenNothing());

      it('does nothing for an account that is no member', () =>
        spec
          .given([...organization(), deactivated('c')])
          .when(evictMember('c', 'deactivated'))
          .thenNothing());

      it('does nothing for an unknown account', () => spec.given(organization()).when(evictMember('zz', 'deactivated')).thenNothing());

      it('does nothing in a deleted organization', () =>
        spec
          .given([...organization(), deactivated('a'), ...withMembership(organizationDissolved([P, 'a', 'b']))])
          .when(evictMember('a', 'deactivated'))
          .thenNothing());

      it('does nothing without an organization', () =>
        spec
          .given([...accounts, deactivated('a')])
          .when(evictMember('a', 'deactivated'))
          .thenNothing());

      it('P7 an evicted member loses every connection', () => {
        const given = [
          ...organization([twoWay(P, 'a', all), twoWay('a', 'b'), twoWay(P, 'b')]),
          ...withMembership(memberEvicted('a', 'downgrade')),
        ];
        expect(world(given).organization?.connections).toEqual([{ ...twoWay(P, 'b'), revoked: [] }]);
        expect(world(given).accounts.get('a')?.organizationId).toBeNull();
      });
    });

    describe('RevokeFlows sensitive-data (P4 → C4)', () => {
      const connections = [twoWay(P, 'a', all), oneWay('a', 'b', all), oneWay('b', 'a', all)];

      it('C4 revokes every mirroring and workflow flow with the account as source, keeping asset copying and the other direction', () =>
        spec
          .given([...organization(connections), sensitiveDataEnabled('a')])
          .when(revokeFlows('a', 'sensitive-data'))
          .then([
            flowsRevoked('a', 'sensitive-data', [
              { feature: 'dataMirroring', from: 'a', to: P, reason: 'sensitive-data' },
              { feature: 'workflows', from: 'a', to: P, reason: 'sensitive-data' },
              { feature: 'dataMirroring', from: 'a', to: 'b', reason: 'sensitive-data' },
              { feature: 'workflows', from: 'a', to: 'b', reason: 'sensitive-data' },
            ]),
          ]));

      it('R4/C4 revokes reporting flows with the account as source, keeping reporting into it', () =>
        spec
          .given([...organization([twoWay(P, 'a', { reporting: true, assetCopying: true })]), sensitiveDataEnabled('a')])
          .when(revokeFlows('a', 'sensitive-data'))
          .then([flowsRevoked('a', 'sensitive-data', [{ feature: 'reporting', from: 'a', to: P, reason: 'sensitive-data' }])]));

      it('C4 the flows kept stay effective', () => {
        const given = [
          ...organization([twoWay(P, 'a', all)]),
          sensitiveDataEnabled('a'),
          flowsRevoked('a', 'sensitive-data', [
            { feature: 'dataMirroring', from: 'a', to: P, reason: 'sensitive-data' },
            { feature: 'workflows', from: 'a', to: P, reason: 'sensitive-data' },
          ]),
        ];
        expect(world(given).organization?.connections[0].revoked).toHaveLength(2);
        return spec.given(given).when(revokeFlows('a', 'sensitive-data')).thenNothing();
      });

      it('does nothing when the account is only a target', () =>
        spec
          .given([...organization([oneWay(P, 'a', all)]), sensitiveDataEnabled('a')])
          .when(revokeFlows('a', 'sensitive-data'))
          .thenNothing());

      it('does nothing when the account has only asset copying', () =>
        spec
          .given([...organization([twoWay(P, 'a', { assetCopying: true })]), sensitiveDataEnabled('a')])
          .when(revokeFlows('a', 'sensitive-data'))
          .thenNothing());

      it('does nothing when the account has no sensitive data', () =>
        spec.given(organization(connections)).when(revokeFlows('a', 'sensitive-data')).thenNothing());

      it('does nothing for an account that is no member', () =>
        spec
          .given([...organization(connections), sensitiveDataEnabled('c')])
          .when(revokeFlows('c', 'sensitive-data'))
          .thenNothing());

      it('does nothing in a deleted organization', () =>
        spec
          .given([...organization(connections), sensitiveDataEnabled('a'), ...withMembership(organizationDeleted([P, 'a', 'b']))])
          .when(revokeFlows('a', 'sensitive-data'))
          .thenNothing());
    });

    describe('RevokeFlows mirroring-target-ineligible (P5 → C5)', () => {
      const connections = [twoWay(P, 'b', all), oneWay('a', 'b'), oneWay('b', 'a')];

      it('C5 revokes mirroring into a member that lost Sales/Service Professional, and nothing else', () =>
        spec
          .given([...organization(connections), subscriptionsChanged('b', [CONTENT_PRO])])
          .when(revokeFlows('b', 'mirroring-target-ineligible'))
          .then([
            flowsRevoked('b', 'mirroring-target-ineligible', [
              { feature: 'dataMirroring', from: P, to: 'b', reason: 'mirroring-target-ineligible' },
              { feature: 'dataMirroring', from: 'a', to: 'b', reason: 'mirroring-target-ineligible' },
            ]),
          ]));

      it('does nothing when the target still has Service Hub Professional', () =>
        spec
          .given([...organization(connections), subscriptionsChanged('b', [sub('service', 'professional')])])
          .when(revokeFlows('b', 'mirroring-target-ineligible'))
          .thenNothing());

      it('does nothing when already revoked (redelivery)', () =>
        spec
          .given([
            ...organization([oneWay(P, 'b')]),
            subscriptionsChanged('b', [CONTENT_PRO]),
            flowsRevoked('b', 'mirroring-target-ineligible', [
              { feature: 'dataMirroring', from: P, to: 'b', reason: 'mirroring-target-ineligible' },
            ]),
          ])
          .when(revokeFlows('b', 'mirroring-target-ineligible'))
          .thenNothing());

      it('does nothing for a member that was evicted meanwhile', () =>
        spec
          .given([...organization(connections), subscriptionsChanged('b', []), ...withMembership(memberEvicted('b', 'downgrade'))])
          .when(revokeFlows('b', 'mirroring-target-ineligible'))
          .thenNothing());
    });

    describe('DissolveOrganization (P6)', () => {
      it('P6 deletes the organization when no member has Marketing Hub Enterprise', () =>
        spec
          .given([...organization(), subscriptionsChanged(P, [SALES_PRO], [MHE, SALES_PRO])])
          .when(dissolveOrganization())
          .then([organizationDissolved([P, 'a', 'b'])]));

      it('P6 also when the last Marketing Hub Enterprise member was evicted', () =>
        spec
          .given([...organization(), hostingMoved(P, 'eu1'), ...withMembership(memberEvicted(P, 'hosting-moved'))])
          .when(dissolveOrganization())
          .then([organizationDissolved(['a', 'b'])]));

      it('P6 does nothing while the primary has Marketing Hub Enterprise', () =>
        spec.given(organization()).when(dissolveOrganization()).thenNothing());

      it('P6 does nothing while another member has Marketing Hub Enterprise', () =>
        spec
          .given([...organization(), subscriptionsChanged('a', [MHE]), subscriptionsChanged(P, [SALES_PRO], [MHE, SALES_PRO])])
          .when(dissolveOrganization())
          .thenNothing());

      it('P6 does nothing in an organization already deleted', () =>
        spec
          .given([...organization(), subscriptionsChanged(P, [SALES_PRO]), ...withMembership(organizationDissolved([P, 'a', 'b']))])
          .when(dissolveOrganization())
          .thenNothing());

      it('P6 does nothing without an organization', () => spec.given(accounts).when(dissolveOrganization()).thenNothing());
    });
  });
});
