import {
  contactValues,
  effectiveFlows,
  evolveOrganization,
  isMember,
  ORGANIZATION_EVENT_TYPES,
  readsContactValues,
  REPORT_EVENT_TYPES,
  reportAccounts,
  toCents,
  type ContactValues,
  type CrmEvent,
  type Organization,
  type OrganizationEvent,
  type ReportDefinition,
  type ReportEvent,
} from '@mam/domain';
import type { RecordedEvent } from '@mam/event-store';
import type { Projection, ProjectionTx } from '../projections/projection';
import {
  contactKey,
  REPORT_ACCOUNTS,
  REPORT_CONTACTS,
  REPORT_DEALS,
  REPORT_ORGS,
  REPORT_PROPERTIES,
  REPORT_ROWS,
  REPORTS,
  type AccountStatus,
  type ReportAccountDoc,
  type ReportContactDoc,
  type ReportDealDoc,
  type ReportDoc,
  type ReportOrgDoc,
  type ReportPropertiesDoc,
} from './report.collections';
import { backfill, contactContribution, dealContribution } from './report.backfill';
import { dropRows, move } from './report.rows';

async function read<T>(tx: ProjectionTx, collection: string, id: string): Promise<T | null> {
  const held = tx.peek?.<T>(collection, id);
  return held !== undefined ? held : tx.get<T>(collection, id);
}

/** R6: each of a report's accounts is counted while it is a member and (for a source) has a reporting flow into the destination. */
export function accountStatuses(org: Organization | null, def: ReportDefinition): Record<string, AccountStatus> {
  const member = (id: string) => org !== null && org.status === 'active' && isMember(org, id);
  const flows = org ? org.connections.flatMap((c) => effectiveFlows(c).reporting) : [];
  const statuses: Record<string, AccountStatus> = {};
  for (const id of reportAccounts(def)) {
    if (!member(id)) statuses[id] = 'left-organization';
    else if (id === def.destinationAccountId) statuses[id] = 'included';
    else statuses[id] = member(def.destinationAccountId) && flows.some((f) => f.from === id && f.to === def.destinationAccountId) ? 'included' : 'no-flow';
  }
  return statuses;
}

const included = (doc: ReportDoc | null): string[] =>
  doc ? Object.entries(doc.accounts).filter(([, s]) => s === 'included').map(([id]) => id) : [];

async function listIn(tx: ProjectionTx, accountId: string, reportId: string, on: boolean): Promise<void> {
  const doc = (await read<ReportAccountDoc>(tx, REPORT_ACCOUNTS, accountId)) ?? { reportIds: [] };
  const has = doc.reportIds.includes(reportId);
  if (has === on) return;
  const reportIds = on ? [...doc.reportIds, reportId] : doc.reportIds.filter((r) => r !== reportId);
  if (reportIds.length === 0) tx.delete(REPORT_ACCOUNTS, accountId);
  else tx.put(REPORT_ACCOUNTS, accountId, { reportIds });
}

/**
 * Brings a report's rows from `before` to `next` (null: no report). A new
 * or edited definition recounts everything; the same definition with other
 * account statuses drops the rows of accounts that left the results and
 * back-fills those that came (back) into them.
 */
async function reconcile(tx: ProjectionTx, reportId: string, before: ReportDoc | null, next: ReportDoc | null): Promise<void> {
  const sameDefinition = before !== null && next !== null && JSON.stringify(before.definition) === JSON.stringify(next.definition);
  const was = new Set(sameDefinition ? included(before) : []);
  const now = new Set(next ? included(next) : []);
  if (!sameDefinition && before) await dropRows(tx, reportId);
  for (const id of included(before)) {
    if (now.has(id) && sameDefinition) continue;
    if (sameDefinition) await dropRows(tx, reportId, id);
    if (!now.has(id)) await listIn(tx, id, reportId, false);
  }
  for (const id of now) {
    if (was.has(id)) continue;
    await listIn(tx, id, reportId, true);
    await backfill(tx, reportId, next!.definition, id);
  }
}

async function onOrganizationEvent(tx: ProjectionTx, event: OrganizationEvent): Promise<void> {
  const id = event.data.organizationId;
  const doc = (await read<ReportOrgDoc>(tx, REPORT_ORGS, id)) ?? { organization: null, reportIds: [] };
  const organization = evolveOrganization(doc.organization, event);
  // R6: deleting the organization deletes its reports.
  const deleted = organization?.status !== 'active';
  tx.put(REPORT_ORGS, id, { organization, reportIds: deleted ? [] : doc.reportIds });
  for (const reportId of doc.reportIds) {
    const before = await read<ReportDoc>(tx, REPORTS, reportId);
    if (!before) continue;
    const next = deleted ? null : { ...before, accounts: accountStatuses(organization, before.definition) };
    if (next && JSON.stringify(next.accounts) === JSON.stringify(before.accounts)) continue;
    await reconcile(tx, reportId, before, next);
    if (next) tx.put(REPORTS, reportId, next);
    else tx.delete(REPORTS, reportId);
  }
}

async function onReportEvent(tx: ProjectionTx, event: ReportEvent): Promise<void> {
  const { organizationId, reportId } = event.data;
  const orgDoc = (await read<ReportOrgDoc>(tx, REPORT_ORGS, organizationId)) ?? { organization: null, reportIds: [] };
  const before = await read<ReportDoc>(tx, REPORTS, reportId);
  const org = orgDoc.organization;
  // A definition that raced the organization's deletion is deleted with it.
  const live = event.type !== 'ReportDeleted' && org !== null && org.status === 'active';
  const next: ReportDoc | null = live
    ? {
        reportId,
        organizationId,
        destinationAccountId: event.data.definition.destinationAccountId,
        definition: event.data.definition,
        accounts: accountStatuses(org, event.data.definition),
      }
    : null;
  // An edit always recounts, even to the same definition: cheap next to the guarantee.
  await reconcile(tx, reportId, before, null);
  await reconcile(tx, reportId, null, next);
  if (next) tx.put(REPORTS, reportId, next);
  else if (before) tx.delete(REPORTS, reportId);
  const listed = orgDoc.reportIds.includes(reportId);
  if (next && !listed) tx.put(REPORT_ORGS, organizationId, { ...orgDoc, reportIds: [...orgDoc.reportIds, reportId] });
  if (!next && listed) tx.put(REPORT_ORGS, organizationId, { ...orgDoc, reportIds: orgDoc.reportIds.filter((r) => r !== reportId) });
}

/** The reports that count this account's data. */
async function reportsOf(tx: ProjectionTx, accountId: string): Promise<ReportDoc[]> {
  const doc = await read<ReportAccountDoc>(tx, REPORT_ACCOUNTS, accountId);
  if (!doc) return [];
  const reports: ReportDoc[] = [];
  for (const id of doc.reportIds) {
    const r = await read<ReportDoc>(tx, REPORTS, id);
    if (r) reports.push(r);
  }
  return reports;
}

/** R5's bookkeeping: how many of the account's contacts carry each property. */
async function countProperties(tx: ProjectionTx, accountId: string, before: ContactValues | null, after: ContactValues | null): Promise<void> {
  const delta = new Map<string, number>();
  for (const k of Object.keys(after ?? {})) if (!before || !Object.hasOwn(before, k)) delta.set(k, 1);
  for (const k of Object.keys(before ?? {})) if (!after || !Object.hasOwn(after, k)) delta.set(k, -1);
  if (delta.size === 0) return;
  const doc = await read<ReportPropertiesDoc>(tx, REPORT_PROPERTIES, accountId);
  // Property names are the CRM's (`__proto__` and `constructor` included): a null-prototype map keeps them as data.
  const counts: Record<string, number> = Object.assign(Object.create(null), doc?.counts);
  for (const [k, d] of delta) {
    const n = (Object.hasOwn(counts, k) ? counts[k] : 0) + d;
    if (n > 0) counts[k] = n;
    else delete counts[k];
  }
  tx.put(REPORT_PROPERTIES, accountId, { counts });
}

/** A contact's values changed (null: it is gone): its own group moves, and so do those of deals it is the first contact of. */
async function onContactValues(tx: ProjectionTx, accountId: string, contactId: string, before: ContactValues | null, after: ContactValues | null): Promise<void> {
  await countProperties(tx, accountId, before, after);
  let deals: ReportDealDoc[] | null = null;
  for (const report of await reportsOf(tx, accountId)) {
    const def = report.definition;
    if (def.object === 'contacts') {
      await move(tx, report.reportId, accountId, contactContribution(def, accountId, before), contactContribution(def, accountId, after));
    } else if (readsContactValues(def)) {
      deals ??= (await tx.find<ReportDealDoc>(REPORT_DEALS, { a: accountId, first: contactId })).map((r) => r.doc);
      for (const deal of deals) await move(tx, report.reportId, accountId, dealContribution(def, deal, before), dealContribution(def, deal, after));
    }
  }
}

async function valuesOf(tx: ProjectionTx, accountId: string, contactId: string | null): Promise<ContactValues | null> {
  if (contactId === null) return null;
  return (await read<ReportContactDoc>(tx, REPORT_CONTACTS, contactKey(accountId, contactId)))?.v ?? null;
}

async function onCrmEvent(tx: ProjectionTx, event: CrmEvent): Promise<void> {
  switch (event.type) {
    case 'ContactUpserted': {
      const { accountId, contactId } = event.data;
      const id = contactKey(accountId, contactId);
      const before = await read<ReportContactDoc>(tx, REPORT_CONTACTS, id);
      const values = contactValues(event.data);
      tx.put(REPORT_CONTACTS, id, { a: accountId, v: values });
      return onContactValues(tx, accountId, contactId, before?.v ?? null, values);
    }
    case 'ContactDeleted': {
      const { accountId, contactId } = event.data;
      const id = contactKey(accountId, contactId);
      const before = await read<ReportContactDoc>(tx, REPORT_CONTACTS, id);
      if (!before) return;
      tx.delete(REPORT_CONTACTS, id);
      return onContactValues(tx, accountId, contactId, before.v, null);
    }
    case 'DealSaved': {
      const { accountId, dealId, stage, amount, contactIds } = event.data;
      const id = contactKey(accountId, dealId);
      const before = await read<ReportDealDoc>(tx, REPORT_DEALS, id);
      const after: ReportDealDoc = { a: accountId, stage, cents: toCents(amount), first: contactIds[0] ?? null };
      tx.put(REPORT_DEALS, id, after);
      for (const report of await reportsOf(tx, accountId)) {
        const def = report.definition;
        if (def.object !== 'deals') continue;
        const needs = readsContactValues(def);
        const old = before && dealContribution(def, before, needs ? await valuesOf(tx, accountId, before.first) : null);
        const now = dealContribution(def, after, needs ? await valuesOf(tx, accountId, after.first) : null);
        await move(tx, report.reportId, accountId, old, now);
      }
      return;
    }
    case 'ActivityLogged':
      return;
  }
}

const CRM_TYPES = new Set(['ContactUpserted', 'ContactDeleted', 'DealSaved']);
const REPORT_TYPES = new Set<string>(REPORT_EVENT_TYPES);

/**
 * R1–R6 results, kept as events arrive: per report, one row per account
 * and combination of dimension values, with the count and the amounts in
 * integer cents. A contact or deal edit moves one count from the group it
 * was in to the group it is in now (its previous values are kept, so the
 * decrement is exact); a report's own copy of contacts and deals back-fills
 * a new or edited report and an account whose flow comes back; a revoked
 * flow or a departed account drops that account's rows. A read adds up the
 * rows of the report's counted accounts: it costs the number of groups,
 * not the number of contacts.
 */
export const reportsProjection: Projection = {
  name: 'reports',
  collections: [
    { name: REPORT_ORGS, indexes: [] },
    { name: REPORTS, indexes: [['organizationId', 'destinationAccountId']] },
    { name: REPORT_ACCOUNTS, indexes: [] },
    // Scans are id-prefix ranges (report.collections): no index to keep up per contact or row write.
    { name: REPORT_CONTACTS, indexes: [] },
    { name: REPORT_DEALS, indexes: [['a', 'first']] },
    { name: REPORT_PROPERTIES, indexes: [] },
    { name: REPORT_ROWS, indexes: [] },
  ],
  eventTypes: new Set([...CRM_TYPES, ...ORGANIZATION_EVENT_TYPES, ...REPORT_EVENT_TYPES]),
  prefetch(events) {
    const wanted: Array<{ collection: string; id: string }> = [];
    for (const e of events) {
      const d = e.data as { accountId?: string; contactId?: string; dealId?: string; organizationId?: string };
      if (e.type === 'ContactUpserted' || e.type === 'ContactDeleted') {
        wanted.push({ collection: REPORT_CONTACTS, id: contactKey(d.accountId!, d.contactId!) }, { collection: REPORT_ACCOUNTS, id: d.accountId! });
        wanted.push({ collection: REPORT_PROPERTIES, id: d.accountId! });
      } else if (e.type === 'DealSaved') {
        wanted.push({ collection: REPORT_DEALS, id: contactKey(d.accountId!, d.dealId!) }, { collection: REPORT_ACCOUNTS, id: d.accountId! });
      } else if (this.eventTypes.has(e.type) && d.organizationId) {
        wanted.push({ collection: REPORT_ORGS, id: d.organizationId });
      }
    }
    return wanted;
  },
  async apply(event: RecordedEvent, tx: ProjectionTx) {
    const domainEvent = { type: event.type, data: event.data };
    if (CRM_TYPES.has(event.type)) await onCrmEvent(tx, domainEvent as CrmEvent);
    else if (REPORT_TYPES.has(event.type)) await onReportEvent(tx, domainEvent as ReportEvent);
    else await onOrganizationEvent(tx, domainEvent as OrganizationEvent);
  },
};
