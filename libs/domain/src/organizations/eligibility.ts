import type { Account } from '../accounts/account.state';
import { hasProfessionalOrHigher } from '../shared/subscriptions';

/**
 * O3/O4 for one account joining an organization hosted in `hostingLocation`:
 * every reason that applies, as api.md's codes, in a stable order. O12 lists
 * them all; commands fail with the first. Sensitive data is not a reason.
 */
export function ineligibilityReasons(account: Account, hostingLocation: string, organizationId?: string): string[] {
  const reasons: string[] = [];
  if (account.status === 'deactivated') reasons.push('ACCOUNT_DEACTIVATED');
  if (account.sandbox) reasons.push('ACCOUNT_SANDBOX');
  if (!hasProfessionalOrHigher(account.subscriptions)) reasons.push('ACCOUNT_BELOW_PROFESSIONAL');
  if (account.hostingLocation !== hostingLocation) reasons.push('HOSTING_MISMATCH');
  if (account.organizationId !== null && account.organizationId !== organizationId) reasons.push('ALREADY_IN_ORGANIZATION');
  return reasons;
}

export interface Candidate {
  accountId: string;
  name: string;
  eligible: boolean;
  reasons: string[];
}

/** O12: every account where the user is a Super Admin, judged against the prospective primary. */
export function organizationCandidates(userAccounts: Account[], primary: Account): Candidate[] {
  return userAccounts.map((account) => {
    const reasons = ineligibilityReasons(account, primary.hostingLocation);
    return { accountId: account.accountId, name: account.name, eligible: reasons.length === 0, reasons };
  });
}
