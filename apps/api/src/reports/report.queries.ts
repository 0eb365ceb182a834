import { Inject, Injectable } from '@nestjs/common';
import { compareKeys, groupedProperties, isAdmin, isSuperAdmin, reportAccounts, type Account, type GroupKey, type Organization } from '@mam/domain';
import { READ_STORE, type ReadStore } from '@mam/read-store';
import { Problem } from '../http/problem';
import { ACCOUNTS } from '../accounts/account.projections';
import { ORGANIZATIONS } from '../organizations/organization.projections';
import { REPORT_PROPERTIES, REPORT_ROWS, REPORTS, rowPrefix, type ReportDoc, type ReportPropertiesDoc, type ReportRowDoc } from './report.collections';

type Exclusion = { accountId: string; reason: 'no-flow' | 'left-organization' | 'property-missing' };

const definitionOf = (r: ReportDoc) => ({ reportId: r.reportId, ...r.definition });

/**
 * R3: a report and its results are for the Super Admins of its destination
 * only; they need no role in the sources. A read costs the report's rows
 * (one per account and group), never a scan of contacts or deals.
 */
@Injectable()
export class ReportQueries {
  constructor(@Inject(READ_STORE) private readonly store: ReadStore) {}

  /** The acting account's reports. O10 first (404 for a user who is no admin of any member), then R3 (403). */
  async list(organizationId: string, actorUserId: string, actingAccountId: string) {
    const org = await this.store.get<Organization>(ORGANIZATIONS, organizationId);
    const hidden = Problem.of('NOT_FOUND', `organization ${organizationId} does not exist`);
    if (!org) throw hidden;
    const accounts = await this.store.getMany<Account>(ACCOUNTS, org.members.map((m) => m.accountId));
    if (![...accounts.values()].some((a) => isAdmin(a, actorUserId))) throw hidden;
    const acting = accounts.get(actingAccountId);
    if (!acting || !isSuperAdmin(acting, actorUserId)) {
      throw Problem.of('FORBIDDEN', 'reports are listed for a member account whose Super Admin the user is (R3)');
    }
    const rows = await this.store.find<ReportDoc>(REPORTS, { organizationId, destinationAccountId: actingAccountId });
    return { items: rows.map(({ doc }) => definitionOf(doc)) };
  }

  async results(reportId: string, actorUserId: string) {
    const report = await this.store.get<ReportDoc>(REPORTS, reportId);
    if (!report) throw Problem.of('NOT_FOUND', `report ${reportId} does not exist`);
    const destination = await this.store.get<Account>(ACCOUNTS, report.destinationAccountId);
    if (!destination || !isSuperAdmin(destination, actorUserId)) {
      throw Problem.of('FORBIDDEN', `only Super Admins of ${report.destinationAccountId} see this report (R3)`);
    }
    const def = report.definition;
    const excluded: Exclusion[] = [];
    const counted = reportAccounts(def).filter((id) => {
      const status = report.accounts[id];
      if (status !== 'included') excluded.push({ accountId: id, reason: status });
      return status === 'included';
    });
    // R5: an account none of whose contacts carries a grouped property is left out, and says so.
    const grouped = groupedProperties(def);
    const props = grouped.length ? await this.store.getMany<ReportPropertiesDoc>(REPORT_PROPERTIES, counted) : new Map();
    const accounts = counted.filter((id) => {
      const missing = grouped.some((p) => !((props.get(id)?.counts[p] ?? 0) > 0));
      if (missing) excluded.push({ accountId: id, reason: 'property-missing' });
      return !missing;
    });
    const groups = new Map<string, { k: GroupKey; n: number; s: number; m: number }>();
    for (const { doc } of await this.store.find<ReportRowDoc>(REPORT_ROWS, {}, { idPrefix: rowPrefix(reportId) })) {
      if (!accounts.includes(doc.a)) continue;
      const id = JSON.stringify(doc.k);
      const g = groups.get(id);
      if (g) {
        g.n += doc.n;
        g.s += doc.s;
        g.m += doc.m;
      } else groups.set(id, { k: doc.k, n: doc.n, s: doc.s, m: doc.m });
    }
    const rows = [...groups.values()]
      .sort((a, b) => compareKeys(a.k, b.k))
      .map((g) => ({
        dimensions: Object.fromEntries(def.groupBy.map((d, i) => [d, g.k[i]])),
        count: g.n,
        ...(def.measures.includes('sum:amount') ? { sumAmount: g.s / 100 } : {}),
        ...(def.measures.includes('avg:amount') ? { avgAmount: g.m === 0 ? null : Math.round(g.s / g.m) / 100 } : {}),
      }));
    return { reportId, accounts, excluded, rows };
  }
}
