export const ACTIVITY_TYPES = ['note', 'call', 'meeting', 'email', 'task'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export interface ContactFields {
  email: string;
  firstName?: string;
  lastName?: string;
  properties: Record<string, string>;
}

export interface Activity {
  activityId: string;
  type: ActivityType;
  occurredAt: string;
  summary: string;
}

export interface DealFields {
  name: string;
  stage: string;
  amount?: number;
  contactIds: string[];
}

/** CRM data of one account, one stream per contact or deal (`contact-{account}|{contact}`). */
export type CrmEvent =
  | { type: 'ContactUpserted'; data: { accountId: string; contactId: string } & ContactFields }
  | { type: 'ContactDeleted'; data: { accountId: string; contactId: string } }
  | { type: 'ActivityLogged'; data: { accountId: string; contactId: string } & Activity }
  // `previousStage`: the stage before this save, null for a new deal (W1 reads the transition from the fact
  // itself); events stored before it was recorded lack it.
  | { type: 'DealSaved'; data: { accountId: string; dealId: string; previousStage?: string | null } & DealFields };

export const CRM_EVENT_TYPES: ReadonlyArray<CrmEvent['type']> = ['ContactUpserted', 'ContactDeleted', 'ActivityLogged', 'DealSaved'];

export const contactStream = (accountId: string, contactId: string): string => `contact-${accountId}|${contactId}`;
export const dealStream = (accountId: string, dealId: string): string => `deal-${accountId}|${dealId}`;

/** M1: emails match trimmed and case-insensitively. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
