import {
  effectiveFlows,
  evolveOrganization,
  normalizeEmail,
  ORGANIZATION_EVENT_TYPES,
  type CrmEvent,
  type Organization,
  type OrganizationEvent,
} from '@mam/domain';
import type { RecordedEvent } from '@mam/event-store';
import type { Projection, ProjectionTx } from '../projections/projection';
import {
  ACTIVITIES,
  CONTACTS,
  DEAL_LINKS,
  DEALS,
  FLOWS,
  key,
  LINKS,
  MIRROR_ORGS,
  type ActivityDoc,
  type ContactDoc,
  type DealDoc,
  type DealLinkDoc,
  type FlowDoc,
  type LinkDoc,
  type SourceRef,
} from './mirroring.collections';

const PAGE = 2000;
const MATCH_FIELDS = ['accountId', 'contactId', 'emailKey'];

/** Every document of a filter, page by page (a back-fill may touch 100k), giving the event loop turns. */
async function* all<T>(tx: ProjectionTx, collection: string, filter: Record<string, string>, fields?: string[]) {
  let afterId: string | undefined;
  for (;;) {
    const page = await tx.find<T>(collection, filter, { afterId, limit: PAGE, fields });
    yield* page;
    if (page.length < PAGE) return;
    afterId = page[page.length - 1].id;
    await tx.maybeYield?.();
  }
}

const sameRef = (a: SourceRef, b: SourceRef) => a.accountId === b.accountId && a.contactId === b.contactId;

function mirroringFlows(org: Organization | null): FlowDoc[] {
  if (!org || org.status !== 'active') return [];
  return org.connections.flatMap((c) => effectiveFlows(c).dataMirroring.map((f) => ({ ...f, organizationId: org.organizationId })));
}

async function addSource(tx: ProjectionTx, target: ContactDoc, source: SourceRef): Promise<void> {
  const id = key(target.accountId, target.contactId);
  const link = (await tx.get<LinkDoc>(LINKS, id)) ?? {
    targetAccountId: target.accountId,
    targetContactId: target.contactId,
    emailKey: target.emailKey,
    sources: [],
  };
  if (link.sources.some((s) => sameRef(s, source))) return;
  tx.put(LINKS, id, { ...link, sources: [...link.sources, source] });
}

function withoutSources(tx: ProjectionTx, id: string, link: LinkDoc, drop: (s: SourceRef) => boolean): void {
  const sources = link.sources.filter((s) => !drop(s));
  if (sources.length === link.sources.length) return;
  if (sources.length === 0) tx.delete(LINKS, id);
  else tx.put(LINKS, id, { ...link, sources });
}

/** A source contact now has `emailKey`: link it into every target of its mirroring flows. */
async function linkSource(tx: ProjectionTx, source: ContactDoc): Promise<void> {
  for (const { doc: flow } of await tx.find<FlowDoc>(FLOWS, { from: source.accountId })) {
    for (const { doc: target } of await tx.find<ContactDoc>(CONTACTS, { accountId: flow.to, emailKey: source.emailKey })) {
      await addSource(tx, target, { accountId: source.accountId, contactId: source.contactId });
    }
  }
}

async function unlinkSource(tx: ProjectionTx, source: SourceRef, emailKey: string): Promise<void> {
  for (const { doc: flow } of await tx.find<FlowDoc>(FLOWS, { from: source.accountId })) {
    for (const { id, doc } of await tx.find<LinkDoc>(LINKS, { targetAccountId: flow.to, emailKey })) {
      withoutSources(tx, id, doc, (s) => sameRef(s, source));
    }
  }
}

/**
 * A target contact (re)appears with `emailKey`: its view lists every matching
 * source contact. `existed`: the contact had a document before; a new one has
 * no link to delete (links live and die with their target's document).
 */
async function relinkTarget(tx: ProjectionTx, target: ContactDoc, existed: boolean): Promise<void> {
  const sources: SourceRef[] = [];
  for (const { doc: flow } of await tx.find<FlowDoc>(FLOWS, { to: target.accountId })) {
    for (const { doc } of await tx.find<ContactDoc>(CONTACTS, { accountId: flow.from, emailKey: target.emailKey })) {
      sources.push({ accountId: doc.accountId, contactId: doc.contactId });
    }
  }
  const id = key(target.accountId, target.contactId);
  if (sources.length === 0) {
    if (existed) tx.delete(LINKS, id);
  } else tx.put(LINKS, id, { targetAccountId: target.accountId, targetContactId: target.contactId, emailKey: target.emailKey, sources });
}

/**
 * M4 back-fill: a new flow S → T links every matching pair that already
 * exists. Reads only ids and emails (not whole contacts), and the links it
 * may extend in one query per page.
 */
async function backfill(tx: ProjectionTx, flow: FlowDoc): Promise<void> {
  const sourcesByEmail = new Map<string, SourceRef[]>();
  for await (const { doc } of all<ContactDoc>(tx, CONTACTS, { accountId: flow.from }, MATCH_FIELDS)) {
    const list = sourcesByEmail.get(doc.emailKey) ?? [];
    list.push({ accountId: doc.accountId, contactId: doc.contactId });
    sourcesByEmail.set(doc.emailKey, list);
  }
  if (sourcesByEmail.size === 0) return;
  // Links in T exist only through other flows into T (this one's were purged when it was revoked).
  const otherFlowsIn = (await tx.find<FlowDoc>(FLOWS, { to: flow.to })).some(({ doc }) => doc.from !== flow.from);
  let page: ContactDoc[] = [];
  const flush = async () => {
    const ids = page.map((t) => key(t.accountId, t.contactId));
    const existing = otherFlowsIn && tx.getMany ? await tx.getMany<LinkDoc>(LINKS, ids) : new Map<string, LinkDoc>();
    for (const target of page) {
      const id = key(target.accountId, target.contactId);
      const link = existing.get(id) ?? (otherFlowsIn ? await tx.get<LinkDoc>(LINKS, id) : null);
      const add = sourcesByEmail.get(target.emailKey)!.filter((s) => !link?.sources.some((x) => sameRef(x, s)));
      if (add.length === 0) continue;
      tx.put(LINKS, id, {
        targetAccountId: target.accountId,
        targetContactId: target.contactId,
        emailKey: target.emailKey,
        sources: [...(link?.sources ?? []), ...add],
      });
    }
    page = [];
  };
  for await (const { doc: target } of all<ContactDoc>(tx, CONTACTS, { accountId: flow.to }, MATCH_FIELDS)) {
    if (!sourcesByEmail.has(target.emailKey)) continue;
    page.push(target);
    if (page.length >= PAGE) await flush();
  }
  await flush();
}

/** M4 purge: a revoked flow S → T takes S out of every view in T. */
async function purge(tx: ProjectionTx, flow: FlowDoc): Promise<void> {
  const links = [];
  for await (const row of all<LinkDoc>(tx, LINKS, { targetAccountId: flow.to })) links.push(row);
  for (const { id, doc } of links) withoutSources(tx, id, doc, (s) => s.accountId === flow.from);
}

async function onOrganizationEvent(tx: ProjectionTx, event: OrganizationEvent): Promise<void> {
  const id = event.data.organizationId;
  const before = await tx.get<Organization>(MIRROR_ORGS, id);
  const after = evolveOrganization(before, event);
  if (after) tx.put(MIRROR_ORGS, id, after);
  const was = mirroringFlows(before);
  const now = mirroringFlows(after);
  const has = (list: FlowDoc[], f: FlowDoc) => list.some((x) => x.from === f.from && x.to === f.to);
  for (const flow of was.filter((f) => !has(now, f))) {
    tx.delete(FLOWS, key(flow.from, flow.to));
    await purge(tx, flow);
  }
  for (const flow of now.filter((f) => !has(was, f))) {
    tx.put(FLOWS, key(flow.from, flow.to), flow);
    await backfill(tx, flow);
  }
}

async function onCrmEvent(tx: ProjectionTx, event: CrmEvent): Promise<void> {
  switch (event.type) {
    case 'ContactUpserted': {
      const { accountId, contactId, email, firstName, lastName, properties } = event.data;
      const id = key(accountId, contactId);
      const before = await tx.get<ContactDoc>(CONTACTS, id);
      const doc: ContactDoc = {
        accountId,
        contactId,
        email,
        emailKey: normalizeEmail(email),
        ...(firstName !== undefined ? { firstName } : {}),
        ...(lastName !== undefined ? { lastName } : {}),
        properties,
        ...(before?.activities ? { activities: before.activities } : {}),
      };
      tx.put(CONTACTS, id, doc);
      if (before && before.emailKey === doc.emailKey) return; // views read the fresh data at query time
      if (before) await unlinkSource(tx, { accountId, contactId }, before.emailKey);
      await linkSource(tx, doc);
      await relinkTarget(tx, doc, before !== null);
      return;
    }
    case 'ContactDeleted': {
      const { accountId, contactId } = event.data;
      const id = key(accountId, contactId);
      const before = await tx.get<ContactDoc>(CONTACTS, id);
      if (!before) return;
      tx.delete(CONTACTS, id);
      tx.delete(LINKS, id);
      // A contact created again starts a new life, without these.
      for (const activity of await tx.find(ACTIVITIES, { accountId, contactId })) tx.delete(ACTIVITIES, activity.id);
      await unlinkSource(tx, { accountId, contactId }, before.emailKey);
      return;
    }
    case 'ActivityLogged': {
      const { accountId, contactId, activityId, type, occurredAt, summary } = event.data;
      const id = key(accountId, contactId);
      const contact = tx.peek?.<ContactDoc>(CONTACTS, id) ?? (await tx.get<ContactDoc>(CONTACTS, id));
      if (!contact) return;
      const doc: ActivityDoc = { accountId, contactId, activityId, type, occurredAt, summary };
      tx.put(ACTIVITIES, key(accountId, contactId, activityId), doc);
      return;
    }
    case 'DealSaved': {
      const { accountId, dealId, name, stage, amount, contactIds } = event.data;
      const id = key(accountId, dealId);
      const before = await tx.get<DealDoc>(DEALS, id);
      const doc: DealDoc = { accountId, dealId, name, stage, ...(amount !== undefined ? { amount } : {}), contactIds };
      tx.put(DEALS, id, doc);
      for (const c of before?.contactIds ?? []) if (!contactIds.includes(c)) tx.delete(DEAL_LINKS, key(accountId, c, dealId));
      const fields = { dealId, name, stage, ...(amount !== undefined ? { amount } : {}) };
      for (const c of contactIds) tx.put(DEAL_LINKS, key(accountId, c, dealId), { accountId, contactId: c, ...fields } satisfies DealLinkDoc);
      return;
    }
  }
}

const CRM_TYPES = ['ContactUpserted', 'ContactDeleted', 'ActivityLogged', 'DealSaved'];

/**
 * M1–M4. Keeps the CRM data (contacts with activities, deals), its own copy
 * of each organization's mirroring flows, and per target contact the list
 * of matching source contacts. A view is assembled from these at query
 * time, so a source edit is visible as soon as its contact document is.
 */
export const mirroringProjection: Projection = {
  name: 'mirroring',
  collections: [
    { name: CONTACTS, indexes: [['accountId', 'emailKey'], ['accountId']] },
    { name: ACTIVITIES, indexes: [['accountId', 'contactId']] },
    { name: DEALS, indexes: [] },
    { name: DEAL_LINKS, indexes: [['accountId', 'contactId']] },
    { name: MIRROR_ORGS, indexes: [] },
    { name: FLOWS, indexes: [['from'], ['to']] },
    { name: LINKS, indexes: [['targetAccountId', 'emailKey'], ['targetAccountId']] },
  ],
  eventTypes: new Set([...CRM_TYPES, ...ORGANIZATION_EVENT_TYPES]),
  /** The contacts and deals a batch's CRM events read, in a query per collection rather than one per event. */
  prefetch(events: RecordedEvent[]) {
    const wanted: Array<{ collection: string; id: string }> = [];
    for (const { type, data } of events) {
      if (!CRM_TYPES.includes(type)) continue;
      const d = data as { accountId: string; contactId?: string; dealId?: string };
      if (type === 'DealSaved') wanted.push({ collection: DEALS, id: key(d.accountId, d.dealId!) });
      else wanted.push({ collection: CONTACTS, id: key(d.accountId, d.contactId!) });
    }
    return wanted;
  },
  async apply(event: RecordedEvent, tx: ProjectionTx) {
    const domainEvent = { type: event.type, data: event.data };
    if (CRM_TYPES.includes(event.type)) await onCrmEvent(tx, domainEvent as CrmEvent);
    else await onOrganizationEvent(tx, domainEvent as OrganizationEvent);
  },
};
