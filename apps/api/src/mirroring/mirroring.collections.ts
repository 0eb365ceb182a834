import type { ReadStore } from '@mam/read-store';
import type { Activity } from '@mam/domain';

export const CONTACTS = 'crm_contacts';
export const ACTIVITIES = 'crm_activities';
export const DEALS = 'crm_deals';
export const DEAL_LINKS = 'crm_deal_links';
export const MIRROR_ORGS = 'mirror_orgs';
export const FLOWS = 'mirror_flows';
export const LINKS = 'mirror_links';
export const EMAILS = 'crm_emails';
/** The model's own facts; `EMAIL_INDEX` marks a model that keeps EMAILS. */
export const MIRROR_STATE = 'mirror_state';
export const EMAIL_INDEX = 'email-index';

export interface ContactDoc {
  accountId: string;
  contactId: string;
  email: string;
  /** M1: trimmed, lower-case. */
  emailKey: string;
  firstName?: string;
  lastName?: string;
  properties: Record<string, string>;
  /**
   * Only in documents written before activities had their own documents
   * (an activity a document per event: copying a growing list per event was
   * quadratic in a busy contact's activities and unbounded in size). Views
   * read both until the model is rebuilt.
   */
  activities?: Activity[];
}

/** One logged activity of a contact (its key: account | contact | activity). */
export interface ActivityDoc extends Activity {
  accountId: string;
  contactId: string;
}

export interface DealDoc {
  accountId: string;
  dealId: string;
  name: string;
  stage: string;
  amount?: number;
  contactIds: string[];
}

/**
 * A deal of a contact (its key: account | contact | deal), with the deal's
 * fields so a view reads no deal documents. Links written before they
 * carried them have no `name`: views read those deals.
 */
export interface DealLinkDoc {
  accountId: string;
  contactId: string;
  dealId: string;
  name?: string;
  stage?: string;
  amount?: number;
}

export interface FlowDoc {
  from: string;
  to: string;
  organizationId: string;
}

export interface SourceRef {
  accountId: string;
  contactId: string;
}

/** A mirrored contact view's identity: which source contacts a target contact matches (M2). Data is read fresh from the sources. */
export interface LinkDoc {
  targetAccountId: string;
  targetContactId: string;
  emailKey: string;
  sources: SourceRef[];
}

/**
 * The contacts of one account with one email key (its key: account | email
 * key), ids in order: matching reads a document by key — for a whole batch
 * in one query — instead of a find on the contacts per event.
 */
export interface EmailDoc {
  accountId: string;
  emailKey: string;
  contactIds: string[];
}

export const key = (...parts: string[]): string => parts.join('|');

/**
 * M1 outside the projection (the workflows' matching): the ids of the
 * contacts of `accountId` whose email key is `emailKey`, from the email
 * index; a model written before the index (no marker) is searched instead,
 * on the (accountId, emailKey) index its table still has.
 */
export async function storedContactsWithEmail(store: ReadStore, accountId: string, emailKey: string): Promise<string[]> {
  if (await store.get(MIRROR_STATE, EMAIL_INDEX)) return (await store.get<EmailDoc>(EMAILS, key(accountId, emailKey)))?.contactIds ?? [];
  return (await store.find<ContactDoc>(CONTACTS, { accountId, emailKey }, { fields: ['contactId'] })).map((r) => r.doc.contactId);
}
