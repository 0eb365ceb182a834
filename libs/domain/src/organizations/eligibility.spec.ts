import { deactivated, joined as joinedOrganization, left, MHE, registered, sensitiveDataEnabled, sub } from '@mam/testing';
import { accountDecider } from '../accounts/account.decide';
import type { AccountEvent } from '../accounts/account.events';
import type { Account } from '../accounts/account.state';
import { fold } from '../shared/decider';
import { ineligibilityReasons, organizationCandidates } from './eligibility';

const account = (...events: AccountEvent[]): Account => fold(accountDecider, events)!;
const joined = (accountId: string, organizationId = 'org-other'): AccountEvent => joinedOrganization(accountId, organizationId);

describe('O12 eligibility', () => {
  const primary = account(registered('p', { name: 'Primary', subscriptions: [MHE] }));

  it('O12 an active, professional, same-hosting account without organization is eligible', () =>
    expect(ineligibilityReasons(account(registered('a')), 'na1')).toEqual([]));

  it('O12 lists every reason that applies at once, in a stable order', () =>
    expect(
      ineligibilityReasons(
        account(
          registered('a', { sandbox: true, hostingLocation: 'eu1', subscriptions: [sub('sales', 'starter')] }),
          deactivated('a'),
          joined('a'),
        ),
        'na1',
      ),
    ).toEqual(['ACCOUNT_DEACTIVATED', 'ACCOUNT_SANDBOX', 'ACCOUNT_BELOW_PROFESSIONAL', 'HOSTING_MISMATCH', 'ALREADY_IN_ORGANIZATION']));

  it.each([
    ['ACCOUNT_SANDBOX', account(registered('a', { sandbox: true }))],
    ['ACCOUNT_BELOW_PROFESSIONAL', account(registered('a', { subscriptions: [sub('marketing', 'starter'), sub('sales', 'free')] }))],
    ['ACCOUNT_BELOW_PROFESSIONAL', account(registered('a', { subscriptions: [] }))],
    ['HOSTING_MISMATCH', account(registered('a', { hostingLocation: 'eu1' }))],
    ['ACCOUNT_DEACTIVATED', account(registered('a'), deactivated('a'))],
    ['ALREADY_IN_ORGANIZATION', account(registered('a'), joined('a'))],
  ])('O12 names %s alone when only it applies', (reason, candidate) => expect(ineligibilityReasons(candidate, 'na1')).toEqual([reason]));

  it('O12 professional on any hub is enough', () =>
    expect(ineligibilityReasons(account(registered('a', { subscriptions: [sub('content', 'professional')] })), 'na1')).toEqual([]));

  it('O12 sensitive data is no reason', () =>
    expect(ineligibilityReasons(account(registered('a', { sensitiveData: true })), 'na1')).toEqual([]));

  it('O12 sensitive data turned on later is no reason either', () =>
    expect(ineligibilityReasons(account(registered('a'), sensitiveDataEnabled('a')), 'na1')).toEqual([]));

  it('O4 membership of the organization being judged is no reason', () =>
    expect(ineligibilityReasons(account(registered('a'), joined('a', 'org-1')), 'na1', 'org-1')).toEqual([]));

  it('O4 an account that left its organization is eligible again', () =>
    expect(ineligibilityReasons(account(registered('a'), joined('a'), left('a', 'removed', 'org-other')), 'na1')).toEqual([]));

  it('O12 candidates are judged against the primary, and the primary itself is listed', () =>
    expect(
      organizationCandidates(
        [primary, account(registered('a', { name: 'A' })), account(registered('b', { name: 'B', hostingLocation: 'eu1', sandbox: true }))],
        primary,
      ),
    ).toEqual([
      { accountId: 'p', name: 'Primary', eligible: true, reasons: [] },
      { accountId: 'a', name: 'A', eligible: true, reasons: [] },
      { accountId: 'b', name: 'B', eligible: false, reasons: ['ACCOUNT_SANDBOX', 'HOSTING_MISMATCH'] },
    ]));

  it('O12 a primary already in an organization is listed as ineligible with its reason', () =>
    expect(organizationCandidates([account(registered('p', { name: 'Primary', subscriptions: [MHE] }), joined('p'))], primary)).toEqual([
      { accountId: 'p', name: 'Primary', eligible: false, reasons: ['ALREADY_IN_ORGANIZATION'] },
    ]));

  it("O12 hosting is judged against the primary's location", () =>
    expect(
      organizationCandidates(
        [account(registered('a', { name: 'A' }))],
        account(registered('p', { subscriptions: [MHE], hostingLocation: 'eu1' })),
      ),
    ).toEqual([{ accountId: 'a', name: 'A', eligible: false, reasons: ['HOSTING_MISMATCH'] }]));
});
