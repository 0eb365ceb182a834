import { Inject, Injectable } from '@nestjs/common';
import {
  effectiveFlows,
  isAdmin,
  organizationCandidates,
  isSuperAdmin,
  type Account,
  type Organization,
} from '@mam/domain';
import { READ_STORE, type ReadStore } from '@mam/read-store';
import { Problem } from '../http/problem';
import { ACCOUNTS, ACCOUNT_USERS, type AccountUserDoc } from '../accounts/account.projections';
import { ORGANIZATIONS, ORGANIZATION_HISTORY, type HistoryEntry } from './organization.projections';

/**
 * The organization's read side with O10's access rule. An actor who is not a
 * Super or Partner Admin of any member gets 404, exactly as if the
 * organization did not exist, so no one learns of one they may not see; an
 * admin of a member who asks from a non-member account gets 403.
 */
@Injectable()
export class OrganizationQueries {
  constructor(@Inject(READ_STORE) private readonly store: ReadStore) {}

  async organization(organizationId: string, actorUserId: string, actingAccountId: string) {
    const { org, accounts } = await this.visible(organizationId, actorUserId, actingAccountId);
    return this.view(org, accounts);
  }

  async organizationOfAccount(accountId: string, actorUserId: string) {
    const account = await this.store.get<Account>(ACCOUNTS, accountId);
    const hidden = () => Problem.of('NOT_FOUND', `account ${accountId} is in no organization`);
    if (!account?.organizationId) throw hidden();
    const org = await this.store.get<Organization>(ORGANIZATIONS, account.organizationId);
    if (!org) throw hidden();
    const accounts = await this.memberAccounts(org);
    if (![...accounts.values()].some((a) => isAdmin(a, actorUserId))) throw hidden();
    return this.view(org, accounts);
  }

  async history(organizationId: string, actorUserId: string, actingAccountId: string) {
    await this.visible(organizationId, actorUserId, actingAccountId);
    const rows = await this.store.find<HistoryEntry>(ORGANIZATION_HISTORY, { organizationId });
    return { items: rows.map(({ doc }) => { const { organizationId: _o, ...item } = doc; return item; }) };
  }

  /** O12: every account where the user is a Super Admin, judged against the prospective primary. */
  async candidates(primaryAccountId: string, actorUserId: string) {
    const primary = await this.store.get<Account>(ACCOUNTS, primaryAccountId);
    if (!primary || !isSuperAdmin(primary, actorUserId)) {
      throw Problem.of('NOT_FOUND', `account ${primaryAccountId} does not exist or the user is not its Super Admin`);
    }
    const links = await this.store.find<AccountUserDoc>(ACCOUNT_USERS, { userId: actorUserId });
    const accounts = await this.store.getMany<Account>(ACCOUNTS, links.map((l) => l.doc.accountId));
    const mine = [...accounts.values()].filter((a) => isSuperAdmin(a, actorUserId));
    // The primary first, then the rest by id: a stable order for the settings UI.
    mine.sort((a, b) => (a.accountId === primaryAccountId ? -1 : b.accountId === primaryAccountId ? 1 : a.accountId < b.accountId ? -1 : 1));
    return { items: organizationCandidates(mine, primary) };
  }

  private async visible(organizationId: string, actorUserId: string, actingAccountId: string) {
    const org = await this.store.get<Organization>(ORGANIZATIONS, organizationId);
    const hidden = Problem.of('NOT_FOUND', `organization ${organizationId} does not exist`);
    if (!org) throw hidden;
    const accounts = await this.memberAccounts(org);
    if (![...accounts.values()].some((a) => isAdmin(a, actorUserId))) throw hidden;
    const acting = accounts.get(actingAccountId);
    if (!acting || !isAdmin(acting, actorUserId)) {
      throw Problem.of('FORBIDDEN', `the user may see this organization only from a member account where they are an admin`);
    }
    return { org, accounts };
  }

  private memberAccounts(org: Organization): Promise<Map<string, Account>> {
    return this.store.getMany<Account>(ACCOUNTS, org.members.map((m) => m.accountId));
  }

  private view(org: Organization, accounts: Map<string, Account>) {
    return {
      organizationId: org.organizationId,
      name: org.name,
      primaryAccountId: org.primaryAccountId,
      hostingLocation: org.hostingLocation,
      status: org.status,
      members: org.members.map((m) => ({ accountId: m.accountId, name: accounts.get(m.accountId)?.name ?? m.accountId, joinedAt: m.joinedAt })),
      connections: org.connections.map((c) => ({
        accounts: c.accounts,
        direction: c.direction,
        ...(c.from !== undefined ? { from: c.from } : {}),
        features: c.features,
        flows: effectiveFlows(c),
        revoked: c.revoked,
      })),
    };
  }
}
