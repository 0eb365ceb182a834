import { fail } from '../shared/domain-error';
import { assertNever, type Decider } from '../shared/decider';
import { hasMarketingEnterprise, hasProfessionalOrHigher, hasSalesOrServiceProfessional } from '../shared/subscriptions';
import { isSuperAdmin, type Account } from '../accounts/account.state';
import {
  ineligibleTargetRevocations,
  sensitiveDataRevocations,
  validateConnections,
  type Revocation,
} from '../connections/connection';
import type { Acting, OrganizationEvent } from './organization.events';
import type { OrganizationCommand, UserContext } from './organization.commands';
import { isMember, memberIds, type Organization } from './organization.state';
import { emptyWorld, evolveWorld, type OrganizationWorld, type WorldEvent } from './organization.world';
import { ineligibilityReasons } from './eligibility';

function account(world: OrganizationWorld, accountId: string): Account {
  return world.accounts.get(accountId) ?? fail('NOT_FOUND', `account ${accountId} does not exist`);
}

/** O6: two-factor set up (422), then a fresh, unused step-up assertion (403). */
export function verified(world: OrganizationWorld, user: UserContext): UserContext['stepUp'] & object {
  if (!world.twoFactor.get(user.actorUserId)) {
    fail('TWO_FACTOR_REQUIRED', `user ${user.actorUserId} has not set up two-factor authentication`);
  }
  return user.stepUp ?? fail('STEP_UP_REQUIRED', 'a fresh step-up verification of the acting user is required');
}

/** Who acted, from where, proven how: what every user-made organization event records. */
function acting(cmd: UserContext & { actingAccountId: string }, stepUp: { verification: Acting['verification'] }): Acting {
  return { actorUserId: cmd.actorUserId, actingAccountId: cmd.actingAccountId, verification: stepUp.verification };
}

/** O5: Super Admin in every account given. */
export function requireSuperAdmin(accounts: Account[], userId: string): void {
  for (const a of accounts) {
    if (!isSuperAdmin(a, userId)) fail('NOT_SUPER_ADMIN', `user ${userId} is not a Super Admin of account ${a.accountId}`);
  }
}

export function activeOrganization(world: OrganizationWorld, organizationId: string): Organization {
  const org = world.organization;
  if (org === null) fail('NOT_FOUND', `organization ${organizationId} does not exist`);
  if (org.status === 'deleted') fail('ORGANIZATION_DELETED', `organization ${organizationId} was deleted`);
  return org;
}

/** O8: adding/removing accounts and deleting come from a member with Marketing Hub Enterprise. */
function requireMarketingEnterpriseActing(world: OrganizationWorld, org: Organization, actingAccountId: string): void {
  const acting = world.accounts.get(actingAccountId);
  if (!isMember(org, actingAccountId) || !acting || !hasMarketingEnterprise(acting.subscriptions)) {
    fail('ACTING_ACCOUNT_NOT_MARKETING_ENTERPRISE', `acting account ${actingAccountId} is not a member with Marketing Hub Enterprise`);
  }
}

function requireUnique(ids: string[]): void {
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup !== undefined) fail('VALIDATION_FAILED', `account ${dup} is listed twice`);
}

/** O3 and O4: the first reason an account cannot join, as its rule's code. */
function requireEligible(a: Account, hostingLocation: string, organizationId: string): void {
  const [reason] = ineligibilityReasons(a, hostingLocation, organizationId);
  if (reason) fail(reason, `account ${a.accountId} cannot join the organization (${reason})`);
}

function decideCreate(cmd: Extract<OrganizationCommand, { type: 'CreateOrganization' }>['data'], world: OrganizationWorld): OrganizationEvent[] {
  const stepUp = verified(world, cmd);
  if (world.organization !== null) fail('ALREADY_EXISTS', `organization ${cmd.organizationId} already exists`);
  const ids = [cmd.primaryAccountId, ...cmd.additionalAccountIds];
  requireUnique(ids);
  const accounts = ids.map((id) => account(world, id));
  requireSuperAdmin(accounts, cmd.actorUserId);
  if (!cmd.acknowledgeImpact || !cmd.acknowledgeBeta) {
    fail('ACKNOWLEDGEMENT_REQUIRED', 'the impact notice and the beta terms must be acknowledged');
  }
  const primary = accounts[0];
  if (!hasMarketingEnterprise(primary.subscriptions)) {
    fail('PRIMARY_NOT_MARKETING_ENTERPRISE', `primary account ${primary.accountId} has no Marketing Hub Enterprise`);
  }
  if (cmd.additionalAccountIds.length > 4) fail('MEMBER_LIMIT', 'an organization has at most 4 accounts besides the primary');
  for (const a of accounts) requireEligible(a, primary.hostingLocation, cmd.organizationId);
  validateConnections(cmd.connections, new Map(accounts.map((a) => [a.accountId, a])));
  return [
    {
      type: 'OrganizationCreated',
      data: {
        organizationId: cmd.organizationId,
        name: cmd.name,
        primaryAccountId: primary.accountId,
        hostingLocation: primary.hostingLocation,
        memberIds: ids,
        connections: cmd.connections,
        actorUserId: cmd.actorUserId,
        actingAccountId: primary.accountId,
        verification: stepUp.verification,
        at: cmd.at,
      },
    },
  ];
}

function decideChangeMembers(cmd: Extract<OrganizationCommand, { type: 'ChangeMembers' }>['data'], world: OrganizationWorld): OrganizationEvent[] {
  const org = activeOrganization(world, cmd.organizationId);
  const stepUp = verified(world, cmd);
  requireMarketingEnterpriseActing(world, org, cmd.actingAccountId);
  requireUnique(cmd.accountIds);
  // api.md: the desired set includes the primary; it leaves only by a policy (eviction).
  if (isMember(org, org.primaryAccountId) && !cmd.accountIds.includes(org.primaryAccountId)) {
    fail('PRIMARY_ACCOUNT_REQUIRED', `the primary account ${org.primaryAccountId} stays in the organization; delete the organization instead`);
  }
  const current = memberIds(org);
  const desired = cmd.accountIds.map((id) => account(world, id));
  requireSuperAdmin([...current.map((id) => account(world, id)), ...desired], cmd.actorUserId);
  if (desired.length > 5) fail('MEMBER_LIMIT', 'an organization has at most 5 accounts');
  const added = desired.filter((a) => !current.includes(a.accountId));
  for (const a of added) requireEligible(a, org.hostingLocation, org.organizationId);
  if (!desired.some((a) => hasMarketingEnterprise(a.subscriptions))) {
    fail('MARKETING_ENTERPRISE_REQUIRED', 'the organization must keep a member with Marketing Hub Enterprise; delete it instead');
  }
  const removed = current.filter((id) => !cmd.accountIds.includes(id));
  if (added.length === 0 && removed.length === 0) return [];
  return [
    {
      type: 'MembersChanged',
      data: { organizationId: org.organizationId, added: added.map((a) => a.accountId), removed, ...acting(cmd, stepUp), at: cmd.at },
    },
  ];
}

function decideConfigureConnections(
  cmd: Extract<OrganizationCommand, { type: 'ConfigureConnections' }>['data'],
  world: OrganizationWorld,
): OrganizationEvent[] {
  const org = activeOrganization(world, cmd.organizationId);
  const stepUp = verified(world, cmd);
  // O9: from any member account.
  if (!isMember(org, cmd.actingAccountId)) fail('FORBIDDEN', `acting account ${cmd.actingAccountId} is not a member`);
  const members = memberIds(org).map((id) => account(world, id));
  requireSuperAdmin(members, cmd.actorUserId);
  validateConnections(cmd.connections, new Map(members.map((a) => [a.accountId, a])));
  return [
    {
      type: 'ConnectionsConfigured',
      data: { organizationId: org.organizationId, connections: cmd.connections, ...acting(cmd, stepUp) },
    },
  ];
}

function decideDelete(cmd: Extract<OrganizationCommand, { type: 'DeleteOrganization' }>['data'], world: OrganizationWorld): OrganizationEvent[] {
  const org = activeOrganization(world, cmd.organizationId);
  const stepUp = verified(world, cmd);
  requireMarketingEnterpriseActing(world, org, cmd.actingAccountId);
  requireSuperAdmin(memberIds(org).map((id) => account(world, id)), cmd.actorUserId);
  return [
    {
      type: 'OrganizationDeleted',
      data: { organizationId: org.organizationId, releasedAccountIds: memberIds(org), ...acting(cmd, stepUp) },
    },
  ];
}

/**
 * Policy commands re-check their condition against the current state: a
 * redelivered or outdated reaction (member already gone, organization already
 * deleted, fact no longer true) decides nothing instead of failing.
 */
function decidePolicy(
  cmd: Extract<OrganizationCommand, { type: 'EvictMember' | 'RevokeFlows' | 'DissolveOrganization' }>,
  world: OrganizationWorld,
): OrganizationEvent[] {
  const org = world.organization;
  if (org === null || org.status === 'deleted') return [];
  const organizationId = org.organizationId;
  switch (cmd.type) {
    case 'EvictMember': {
      const a = world.accounts.get(cmd.data.accountId);
      if (!a || !isMember(org, a.accountId) || !evictionStillApplies(a, org, cmd.data.reason)) return [];
      return [{ type: 'MemberEvicted', data: { organizationId, accountId: a.accountId, reason: cmd.data.reason } }];
    }
    case 'RevokeFlows': {
      const a = world.accounts.get(cmd.data.accountId);
      if (!a || !isMember(org, a.accountId)) return [];
      let revoked: Revocation[] = [];
      if (cmd.data.reason === 'sensitive-data' && a.sensitiveData) {
        revoked = org.connections.flatMap((c) => sensitiveDataRevocations(c, a.accountId));
      }
      if (cmd.data.reason === 'mirroring-target-ineligible' && !hasSalesOrServiceProfessional(a.subscriptions)) {
        revoked = org.connections.flatMap((c) => ineligibleTargetRevocations(c, a.accountId));
      }
      if (revoked.length === 0) return [];
      return [{ type: 'FlowsRevoked', data: { organizationId, accountId: a.accountId, reason: cmd.data.reason, revoked } }];
    }
    case 'DissolveOrganization': {
      const stillHasMhe = memberIds(org).some((id) => hasMarketingEnterprise(world.accounts.get(id)?.subscriptions ?? []));
      if (stillHasMhe) return [];
      return [
        { type: 'OrganizationDeleted', data: { organizationId, reason: cmd.data.reason, releasedAccountIds: memberIds(org) } },
      ];
    }
    default:
      return assertNever(cmd);
  }
}

function evictionStillApplies(a: Account, org: Organization, reason: string): boolean {
  switch (reason) {
    case 'downgrade':
      return !hasProfessionalOrHigher(a.subscriptions);
    case 'hosting-moved':
      return a.hostingLocation !== org.hostingLocation;
    case 'deactivated':
      return a.status === 'deactivated';
    default:
      return false;
  }
}

export function decideOrganization(command: OrganizationCommand, world: OrganizationWorld): OrganizationEvent[] {
  switch (command.type) {
    case 'CreateOrganization':
      return decideCreate(command.data, world);
    case 'ChangeMembers':
      return decideChangeMembers(command.data, world);
    case 'ConfigureConnections':
      return decideConfigureConnections(command.data, world);
    case 'DeleteOrganization':
      return decideDelete(command.data, world);
    case 'EvictMember':
    case 'RevokeFlows':
    case 'DissolveOrganization':
      return decidePolicy(command, world);
    default:
      return assertNever(command);
  }
}

export const organizationDecider: Decider<OrganizationWorld, OrganizationCommand, WorldEvent> = {
  decide: decideOrganization,
  evolve: evolveWorld,
  initialState: emptyWorld,
};
