import type { ContactValues, GroupKey, Organization, ReportDefinition } from '@mam/domain';

/** The reports projection's own compact state: every collection is rebuilt from events with it, none is shared. */
export const REPORT_ORGS = 'rpt_orgs';
export const REPORTS = 'rpt_reports';
export const REPORT_ACCOUNTS = 'rpt_accounts';
export const REPORT_CONTACTS = 'rpt_contacts';
export const REPORT_DEALS = 'rpt_deals';
export const REPORT_PROPERTIES = 'rpt_props';
export const REPORT_ROWS = 'rpt_rows';

export type AccountStatus = 'included' | 'no-flow' | 'left-organization';

/** An organization as the reports see it, and its live reports. */
export interface ReportOrgDoc {
  organization: Organization | null;
  reportIds: string[];
}

export interface ReportDoc {
  reportId: string;
  organizationId: string;
  destinationAccountId: string;
  definition: ReportDefinition;
  /** R6: whether each of the report's accounts is counted, or why not. */
  accounts: Record<string, AccountStatus>;
}

/** The reports an account's data is counted in (what a CRM event has to update). */
export interface ReportAccountDoc {
  reportIds: string[];
}

/** A contact's values: what it was counted with, so an edit decrements exactly the group it incremented. */
export interface ReportContactDoc {
  a: string;
  v: ContactValues;
}

export interface ReportDealDoc {
  a: string;
  stage: string;
  /** Integer cents (exact sums), null without an amount. */
  cents: number | null;
  /** The deal's first contact, whose values its property dimensions take. */
  first: string | null;
}

/** How many of an account's contacts carry each property (R5 at definition time, `property-missing` at read time). */
export interface ReportPropertiesDoc {
  counts: Record<string, number>;
}

/** One group of one account in one report; a read adds up the accounts' rows of a group. */
export interface ReportRowDoc {
  r: string;
  a: string;
  k: GroupKey;
  /** count */
  n: number;
  /** sum of the amounts in cents */
  s: number;
  /** how many of the `n` have an amount (the average's divisor) */
  m: number;
}

/**
 * Ids lead with what is scanned: an account's contacts and deals, a report's
 * rows (of one account) are each one range of the primary key. Ids never
 * contain `|`, so `acc|` cannot take in `acc2|…`.
 */
export const contactKey = (accountId: string, contactId: string): string => `${accountId}|${contactId}`;
export const accountPrefix = (accountId: string): string => `${accountId}|`;
export const rowId = (reportId: string, accountId: string, key: GroupKey): string => `${reportId}|${accountId}|${JSON.stringify(key)}`;
export const rowPrefix = (reportId: string, accountId?: string): string => (accountId === undefined ? `${reportId}|` : `${reportId}|${accountId}|`);
