import {
  effectiveFlows,
  hasMarketingEnterprise,
  hasProfessionalOrHigher,
  hasSalesOrServiceProfessional,
  type Account,
  type EvictionReason,
  type Organization,
} from '@mam/domain';
import type { RecordedEvent } from '@mam/event-store';
import type { PolicyCommand, Saga, SagaContext } from './saga';

const ACCOUNT_FACTS = ['SubscriptionsChanged', 'HostingLocationChanged', 'SensitiveDataEnabled', 'AccountDeactivated'];

/** P3 before P2 before P1: the most definite reason wins when several hold. */
function evictionReason(account: Account, org: Organization): EvictionReason | null {
  if (account.status === 'deactivated') return 'deactivated';
  if (account.hostingLocation !== org.hostingLocation) return 'hosting-moved';
  if (!hasProfessionalOrHigher(account.subscriptions)) return 'downgrade';
  return null;
}

async function noMarketingEnterpriseLeft(org: Organization, context: SagaContext, without?: string): Promise<boolean> {
  for (const m of org.members) {
    if (m.accountId === without) continue;
    const a = await context.account(m.accountId);
    if (a && hasMarketingEnterprise(a.subscriptions)) return false;
  }
  return true;
}

/**
 * P1–P8 with C4/C5: reacts to account facts of a member (and to evictions,
 * for P6) with policy commands judged on the current state. A fact that no
 * longer applies, a member already gone or an organization already deleted
 * yields nothing.
 */
export const lifecycleSaga: Saga = {
  name: 'saga:lifecycle',
  eventTypes: new Set([...ACCOUNT_FACTS, 'MemberEvicted']),

  async react(event: RecordedEvent, context: SagaContext): Promise<PolicyCommand[]> {
    if (event.type === 'MemberEvicted') {
      const organizationId = (event.data as { organizationId: string }).organizationId;
      const org = await context.organization(organizationId);
      if (!org || org.status === 'deleted') return [];
      return (await noMarketingEnterpriseLeft(org, context))
        ? [{ type: 'DissolveOrganization', data: { organizationId, reason: 'no-marketing-enterprise' } }]
        : [];
    }
    const accountId = (event.data as { accountId: string }).accountId;
    const account = await context.account(accountId);
    if (!account?.organizationId) return [];
    const org = await context.organization(account.organizationId);
    if (!org || org.status === 'deleted' || !org.members.some((m) => m.accountId === accountId)) return [];
    const organizationId = org.organizationId;

    const reason = evictionReason(account, org);
    if (reason) {
      // P7 comes with the eviction (connections go); P6 is checked without the evicted member.
      const commands: PolicyCommand[] = [{ type: 'EvictMember', data: { organizationId, accountId, reason } }];
      if (await noMarketingEnterpriseLeft(org, context, accountId)) {
        commands.push({ type: 'DissolveOrganization', data: { organizationId, reason: 'no-marketing-enterprise' } });
      }
      return commands;
    }
    const commands: PolicyCommand[] = [];
    const flows = org.connections.map(effectiveFlows);
    const sourceOfRestricted = flows.some((f) => [...f.dataMirroring, ...f.workflows].some((x) => x.from === accountId));
    if (account.sensitiveData && sourceOfRestricted) {
      commands.push({ type: 'RevokeFlows', data: { organizationId, accountId, reason: 'sensitive-data' } });
    }
    const mirroringTarget = flows.some((f) => f.dataMirroring.some((x) => x.to === accountId));
    if (mirroringTarget && !hasSalesOrServiceProfessional(account.subscriptions)) {
      commands.push({ type: 'RevokeFlows', data: { organizationId, accountId, reason: 'mirroring-target-ineligible' } });
    }
    if (await noMarketingEnterpriseLeft(org, context)) {
      commands.push({ type: 'DissolveOrganization', data: { organizationId, reason: 'no-marketing-enterprise' } });
    }
    return commands;
  },
};
