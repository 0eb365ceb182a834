import { evolveOrganization, ORGANIZATION_EVENT_TYPES, REPORT_EVENT_TYPES, type Organization, type OrganizationEvent } from '@mam/domain';
import type { RecordedEvent } from '@mam/event-store';
import { documentProjection, type Projection } from '../projections/projection';

export const ORGANIZATIONS = 'organizations';
export const ORGANIZATION_HISTORY = 'organization_history';

const asOrgEvent = (e: RecordedEvent): OrganizationEvent => ({ type: e.type, data: e.data }) as OrganizationEvent;

/** One document per organization, folded by the decider's own `evolveOrganization`. */
export const organizationsProjection: Projection = documentProjection<Organization>({
  name: 'organizations',
  collection: { name: ORGANIZATIONS, indexes: [] },
  eventTypes: ORGANIZATION_EVENT_TYPES,
  key: (e) => (e.data as { organizationId: string }).organizationId,
  evolve: (doc, e) => evolveOrganization(doc, asOrgEvent(e)),
});

export interface HistoryEntry {
  organizationId: string;
  position: string;
  at: string;
  type: string;
  actorUserId?: string;
  actingAccountId?: string;
  verification?: string;
  reason?: string;
  causationId?: string;
  details: Record<string, unknown>;
}

const KEPT_APART = ['organizationId', 'actorUserId', 'actingAccountId', 'verification', 'reason', 'at'];

/** Pure: an organization event as a history entry (who, from where, proven how, why). */
export function historyEntry(e: RecordedEvent): HistoryEntry {
  const data = e.data as Record<string, unknown>;
  const details = Object.fromEntries(Object.entries(data).filter(([k]) => !KEPT_APART.includes(k)));
  const entry: HistoryEntry = {
    organizationId: data.organizationId as string,
    position: e.position.toString(),
    at: (data.at as string) ?? e.metadata.at,
    type: e.type,
    details,
  };
  for (const key of ['actorUserId', 'actingAccountId', 'verification', 'reason'] as const) {
    if (typeof data[key] === 'string') entry[key] = data[key] as string;
  }
  if (e.metadata.causationId) entry.causationId = e.metadata.causationId;
  return entry;
}

/** Ids sort by position (zero-padded) so a find by organization reads oldest first. */
export const historyId = (organizationId: string, position: bigint): string =>
  `${organizationId}|${position.toString().padStart(20, '0')}`;

export const organizationHistoryProjection: Projection = {
  name: 'organization-history',
  collections: [{ name: ORGANIZATION_HISTORY, indexes: [['organizationId']] }],
  // Report definitions are organization changes too (R2), though they live in their reports' streams.
  eventTypes: new Set([...ORGANIZATION_EVENT_TYPES, ...REPORT_EVENT_TYPES]),
  apply(e, tx) {
    const entry = historyEntry(e);
    tx.put(ORGANIZATION_HISTORY, historyId(entry.organizationId, e.position), entry);
  },
};
