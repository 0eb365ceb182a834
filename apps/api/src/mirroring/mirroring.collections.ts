import type { Activity } from '@mam/domain';

export const CONTACTS = 'crm_contacts';
export const DEALS = 'crm_deals';
export const DEAL_LINKS = 'crm_deal_links';
export const MIRROR_ORGS = 'mirror_orgs';
export const FLOWS = 'mirror_flows';
export const LINKS = 'mirror_links';

export interface ContactDoc {
  accountId: string;
  contactId: string;
  email: string;
  /** M1: trimmed, lower-case. */
  emailKey: string;
  firstName?: string;
  lastName?: string;
  properties: Record<string, string>;
  activities: Activity[];
}

export interface DealDoc {
  accountId: string;
  dealId: string;
  name: string;
  stage: string;
  amount?: number;
  contactIds: string[];
}

export interface DealLinkDoc {
  accountId: string;
  contactId: string;
  dealId: string;
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

export const key = (...parts: string[]): string => parts.join('|');
