import {
  effectiveFlows,
  hasMarketingEnterprise,
  hasProfessionalOrHigher,
  hasSalesOrServiceProfessional,
  SOURCE_RESTRICTED,
  type Account,
  type AccountEvent,
  type EvictionReason,
  type Organization,
  type OrganizationEvent,
} from '@mam/domain';
import type { RecordedEvent } from '@mam/event-store';
import type { PolicyCommand, Saga, SagaContext } from './saga';

/**
 * A reaction's command id: the causing event, the saga, and what the command
 * does — not its index in the list. A redelivery is judged on newer state and
 * may issue fewer commands (the first already took effect); by index, the
 * second command would then reuse the first's id, its events' ids would
 * collide with those already stored, and the event would end up parked.
 */
export function policyCommandId(event: RecordedEvent, sagaName: string, command: PolicyCommand): string {
  const data = command.data as { organizationId: string; accountId?: string; reason: string };
  return [event.id, sagaName, command.type, data.organizationId, data.accountId ?? '', data.reason].join(':');
}

/** P3 before P2 before P1: the most definite reason wins when several hold. */
function evictionReason(account: Account, org: Organization): EvictionReason | null {
  if (account.status === 'deactivated') return 'deactivated';
  if (account.hostingLocation !== org.hostingLocation) return 'hosting-moved';
  if (!hasProfessionalOrHigher(account.subscriptions)) return 'downgrade';
  return null;
}

/** What one member's current facts call for: an eviction (P1–P3), or revocations (C4, C5). */
function memberReactions(org: Organization, account: Account): PolicyCommand[] {
  const organizationId = org.organizationId;
  const accountId = account.accountId;
  const reason = evictionReason(account, org);
  // P7 comes with the eviction: its connections go with it.
  if (reason) return [{ type: 'EvictMember', data: { organizationId, accountId, reason } }];
  const commands: PolicyCommand[] = [];
  const flows = org.connections.map(effectiveFlows);
  const sourceOfRestricted = flows.some((f) => SOURCE_RESTRICTED.some((feature) => f[feature].some((x) => x.from === accountId)));
  if (account.sensitiveData && sourceOfRestricted) {
    commands.push({ type: 'RevokeFlows', data: { organizationId, accountId, reason: 'sensitive-data' } });
  }
  const mirroringTarget = flows.some((f) => f.dataMirroring.some((x) => x.to === accountId));
  if (mirroringTarget && !hasSalesOrServiceProfessional(account.subscriptions)) {
    commands.push({ type: 'RevokeFlows', data: { organizationId, accountId, reason: 'mirroring-target-ineligible' } });
  }
  return commands;
}

/** The reactions for `members`, then P6 judged without the members being evicted. */
async function reactionsFor(org: Organization, members: Account[], context: SagaContext, asOf: bigint): Promise<PolicyCommand[]> {
  const commands = members.flatMap((a) => memberReactions(org, a));
  const evicted = new Set(commands.filter((c) => c.type === 'EvictMember').map((c) => (c.data as { accountId: string }).accountId));
  const remaining = org.members.filter((m) => !evicted.has(m.accountId));
  const known = new Map(members.map((a) => [a.accountId, a]));
  let marketingEnterpriseLeft = false;
  for (const m of remaining) {
    // Members already loaded by the caller are not read again.
    const a = known.get(m.accountId) ?? (await context.account(m.accountId, asOf));
    if (a && hasMarketingEnterprise(a.subscriptions)) marketingEnterpriseLeft = true;
  }
  if (!marketingEnterpriseLeft) {
    commands.push({ type: 'DissolveOrganization', data: { organizationId: org.organizationId, reason: 'no-marketing-enterprise' } });
  }
  return commands;
}

/** After a change of an organization's members or connections: every member, as of the change. */
async function afterOrganizationChange(event: RecordedEvent, context: SagaContext): Promise<PolicyCommand[]> {
  const org = await context.organization((event.data as { organizationId: string }).organizationId);
  if (!org || org.status === 'deleted') return [];
  const members: Account[] = [];
  for (const m of org.members) {
    const a = await context.account(m.accountId, event.position);
    if (a) members.push(a);
  }
  return reactionsFor(org, members, context, event.position);
}

/** After a fact about an account: that member, if it is one. */
async function afterAccountFact(event: RecordedEvent, context: SagaContext): Promise<PolicyCommand[]> {
  const accountId = (event.data as { accountId: string }).accountId;
  const account = await context.account(accountId, event.position);
  if (!account?.organizationId) return [];
  const org = await context.organization(account.organizationId);
  if (!org || org.status === 'deleted' || !org.members.some((m) => m.accountId === accountId)) return [];
  return reactionsFor(org, [account], context, event.position);
}

type Reaction = (event: RecordedEvent, context: SagaContext) => Promise<PolicyCommand[]>;

/**
 * What the saga reacts to, and how. Its subscription is filtered by this
 * table's keys, so what it is fed and what it handles cannot drift apart
 * (lifecycle.saga.filter.spec.ts checks that every fact that changes what
 * the saga decides is in it).
 */
const REACTIONS: Partial<Record<AccountEvent['type'] | OrganizationEvent['type'], Reaction>> = {
  SubscriptionsChanged: afterAccountFact,
  HostingLocationChanged: afterAccountFact,
  SensitiveDataEnabled: afterAccountFact,
  AccountDeactivated: afterAccountFact,
  OrganizationCreated: afterOrganizationChange,
  MembersChanged: afterOrganizationChange,
  ConnectionsConfigured: afterOrganizationChange,
  MemberEvicted: afterOrganizationChange,
};

/**
 * P1–P8 with C4/C5. Reacts to a member's account facts, and also to every
 * change of an organization's members or connections: a command decided
 * while a fact was being appended (the organization's append does not guard
 * the member streams it only read) is corrected here, whichever of the two
 * landed first. Accounts are judged as they stood at the event reacted to,
 * so however far behind the saga runs, a fact is acted on by its own
 * reaction and the history names it as the cause. The deciders judge the
 * commands on the current state: a fact that no longer applies, a member
 * already gone or an organization already deleted yields no event.
 */
export const lifecycleSaga: Saga = {
  name: 'saga:lifecycle',
  eventTypes: new Set(Object.keys(REACTIONS)),
  commandId: (event, command) => policyCommandId(event, 'saga:lifecycle', command),

  async react(event: RecordedEvent, context: SagaContext): Promise<PolicyCommand[]> {
    const reaction = REACTIONS[event.type as keyof typeof REACTIONS];
    return reaction ? reaction(event, context) : [];
  },
};
