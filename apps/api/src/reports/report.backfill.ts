import { groupOf, readsContactValues, type ContactValues, type ReportDefinition } from '@mam/domain';
import type { ProjectionTx } from '../projections/projection';
import { accountPrefix, contactKey, REPORT_CONTACTS, REPORT_DEALS, type ReportContactDoc, type ReportDealDoc } from './report.collections';
import { RowAccumulator, scan, type Contribution } from './report.rows';

export function contactContribution(def: ReportDefinition, accountId: string, values: ContactValues | null): Contribution | null {
  if (values === null) return null;
  const key = groupOf(def, { accountId, values });
  return key && { key, cents: null };
}

/** A deal's contribution; `values` are its first contact's (null when it has none or it does not exist). */
export function dealContribution(def: ReportDefinition, deal: ReportDealDoc, values: ContactValues | null): Contribution | null {
  const key = groupOf(def, { accountId: deal.a, stage: deal.stage, values });
  return key && { key, cents: deal.cents };
}

/**
 * Counts one account's data into a report that has none of it yet (a new or
 * edited report, a flow that came back): reads the projection's own compact
 * copy of the account's contacts or deals once, sums in memory, and writes
 * one row per group — the cost is a scan of the account, the writes are
 * as few as the groups.
 */
export async function backfill(tx: ProjectionTx, reportId: string, def: ReportDefinition, accountId: string): Promise<void> {
  const rows = new RowAccumulator(reportId, accountId);
  if (def.object === 'contacts') {
    for await (const page of scan<ReportContactDoc>(tx, REPORT_CONTACTS, accountPrefix(accountId))) {
      for (const { doc } of page) {
        const c = contactContribution(def, accountId, doc.v);
        if (c) rows.add(c);
      }
    }
  } else {
    const needsValues = readsContactValues(def);
    for await (const page of scan<ReportDealDoc>(tx, REPORT_DEALS, accountPrefix(accountId))) {
      const firsts = needsValues ? [...new Set(page.flatMap(({ doc }) => (doc.first ? [contactKey(accountId, doc.first)] : [])))] : [];
      const contacts = firsts.length && tx.getMany ? await tx.getMany<ReportContactDoc>(REPORT_CONTACTS, firsts) : new Map<string, ReportContactDoc>();
      for (const { doc } of page) {
        let values: ContactValues | null = null;
        if (needsValues && doc.first) {
          const id = contactKey(accountId, doc.first);
          values = (contacts.get(id) ?? (tx.getMany ? null : await tx.get<ReportContactDoc>(REPORT_CONTACTS, id)))?.v ?? null;
        }
        const c = dealContribution(def, doc, values);
        if (c) rows.add(c);
      }
    }
  }
  rows.write(tx);
}
