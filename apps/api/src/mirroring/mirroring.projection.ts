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
  EMAIL_INDEX,
  EMAILS,
  FLOWS,
  key,
  LINKS,
  MIRROR_ORGS,
  MIRROR_STATE,
  type ActivityDoc,
  type ContactDoc,
  type DealDoc,
  type DealLinkDoc,
  type EmailDoc,
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

/** A document this batch already holds (prefetched, read or written) without a microtask, else from the store. */
async function read<T>(tx: ProjectionTx, collection: string, id: string): Promise<T | null> {
  const held = tx.peek?.<T>(collection, id);
  return held !== undefined ? held : tx.get<T>(collection, id);
}

/** Batches of a model built before the email index: they match with finds on the contacts. */
const withoutIndex = new WeakSet<ProjectionTx>();

/**
 * Whether this model keeps `crm_emails`. One built from its first contact on
 * does (the marker is written before that contact); one written before the
 * index existed has contacts and no marker, and matches with a find on the
 * contacts per event until it is rebuilt (`ops rebuild mirroring`).
 */
async function emailIndexed(tx: ProjectionTx): Promise<boolean> {
  if (withoutIndex.has(tx)) return false;
  if (await read(tx, MIRROR_STATE, EMAIL_INDEX)) return true;
  if ((await tx.find(CONTACTS, {}, { limit: 1 })).length === 0) {
    tx.put(MIRROR_STATE, EMAIL_INDEX, { since: 'the first contact' });
    return true;
  }
  withoutIndex.add(tx);
  return false;
}

/** M1: the contacts of `accountId` whose email key is `emailKey`, in id order. */
async function contactsWithEmail(tx: ProjectionTx, indexed: boolean, accountId: string, emailKey: string): Promise<string[]> {
  if (indexed) return (await read<EmailDoc>(tx, EMAILS, key(accountId, emailKey)))?.contactIds ?? [];
  return (await tx.find<ContactDoc>(CONTACTS, { accountId, emailKey })).map((r) => r.doc.contactId);
}

/** Adds the contact to (or takes it from) its account's list of contacts with that email. */
async function indexEmail(tx: ProjectionTx, accountId: string, emailKey: string, contactId: string, present: boolean): Promise<void> {
  const id = key(accountId, emailKey);
  const doc = await read<EmailDoc>(tx, EMAILS, id);
  const contactIds = (doc?.contactIds ?? []).filter((c) => c !== contactId);
  if (present) contactIds.push(contactId);
  if (contactIds.length === 0) {
    if (doc) tx.delete(EMAILS, id);
    return;
  }
  // Ids are ASCII ([A-Za-z0-9._:-]): this order is the store's id order, as a find's would be.
  contactIds.sort();
  tx.put(EMAILS, id, { accountId, emailKey, contactIds } satisfies EmailDoc);
}

async function addSource(tx: ProjectionTx, target: { accountId: string; contactId: string; emailKey: string }, source: SourceRef): Promise<void> {
  const id = key(target.accountId, target.contactId);
  const link = (await read<LinkDoc>(tx, LINKS, id)) ?? {
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
async function linkSource(tx: ProjectionTx, indexed: boolean, source: ContactDoc): Promise<void> {
  for (const { doc: flow } of await tx.find<FlowDoc>(FLOWS, { from: source.accountId })) {
    for (const contactId of await contactsWithEmail(tx, indexed, flow.to, source.emailKey)) {
      await addSource(tx, { accountId: flow.to, contactId, emailKey: source.emailKey }, { accountId: source.accountId, contactId: source.contactId });
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
async function relinkTarget(tx: ProjectionTx, indexed: boolean, target: ContactDoc, existed: boolean): Promise<void> {
  const sources: SourceRef[] = [];
  for (const { doc: flow } of await tx.find<FlowDoc>(FLOWS, { to: target.accountId })) {
    for (const contactId of await contactsWithEmail(tx, indexed, flow.from, target.emailKey)) sources.push({ accountId: flow.from, contactId });
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
      const before = await read<ContactDoc>(tx, CONTACTS, id);
      const emailKey = normalizeEmail(email);
      // Asked before this contact is written: a model's first contact starts its email index.
      const indexed = before?.emailKey === emailKey || (await emailIndexed(tx));
      const doc: ContactDoc = {
        accountId,
        contactId,
        email,
        emailKey,
        ...(firstName !== undefined ? { firstName } : {}),
        ...(lastName !== undefined ? { lastName } : {}),
        properties,
        ...(before?.activities ? { activities: before.activities } : {}),
      };
      tx.put(CONTACTS, id, doc);
      if (before && before.emailKey === doc.emailKey) return; // views read the fresh data at query time
      if (indexed) {
        if (before) await indexEmail(tx, accountId, before.emailKey, contactId, false);
        await indexEmail(tx, accountId, emailKey, contactId, true);
      }
      if (before) await unlinkSource(tx, { accountId, contactId }, before.emailKey);
      await linkSource(tx, indexed, doc);
      await relinkTarget(tx, indexed, doc, before !== null);
      return;
    }
    case 'ContactDeleted': {
      const { accountId, contactId } = event.data;
      const id = key(accountId, contactId);
      const before = await tx.get<ContactDoc>(CONTACTS, id);
      if (!before) return;
      if (await emailIndexed(tx)) await indexEmail(tx, accountId, before.emailKey, contactId, false);
      tx.delete(CONTACTS, id);
      tx.delete(LINKS, id);
      // A contact created again starts a new life, without these.
      for (const activity of await tx.find(ACTIVITIES, {}, { idPrefix: key(accountId, contactId, '') })) tx.delete(ACTIVITIES, activity.id);
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
    // Matching reads crm_emails: no (accountId, emailKey) index to keep on every contact write. A model
    // written before that (no email index, see emailIndexed) has its table and that index from then.
    { name: CONTACTS, indexes: [['accountId']] },
    // A contact's activities and deal links are a range of the primary key (account|contact|…): no index to keep.
    { name: ACTIVITIES, indexes: [] },
    { name: DEALS, indexes: [] },
    { name: DEAL_LINKS, indexes: [] },
    { name: MIRROR_ORGS, indexes: [] },
    { name: FLOWS, indexes: [['from'], ['to']] },
    { name: LINKS, indexes: [['targetAccountId', 'emailKey'], ['targetAccountId']] },
    { name: EMAILS, indexes: [] },
    { name: MIRROR_STATE, indexes: [] },
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
  /**
   * What matching a batch's contacts will read, found from what `prefetch`
   * fetched: the email documents of the contacts' accounts and of the
   * accounts their flows reach, then the links of the targets these list —
   * two queries per batch instead of a find and a get per contact.
   */
  async prepare(events: RecordedEvent[], tx: ProjectionTx) {
    if (!tx.peek || !tx.getMany) return;
    const flows = new Map<string, { out: FlowDoc[]; in: FlowDoc[] }>();
    const flowsOf = async (accountId: string) => {
      let f = flows.get(accountId);
      if (!f) {
        f = { out: (await tx.find<FlowDoc>(FLOWS, { from: accountId })).map((r) => r.doc), in: (await tx.find<FlowDoc>(FLOWS, { to: accountId })).map((r) => r.doc) };
        flows.set(accountId, f);
      }
      return f;
    };
    const emails = new Set<string>();
    const targets: Array<{ accountId: string; emailKey: string }> = [];
    for (const { type, data } of events) {
      if (type !== 'ContactUpserted' && type !== 'ContactDeleted') continue;
      const { accountId, contactId, email } = data as { accountId: string; contactId: string; email?: string };
      const before = tx.peek<ContactDoc>(CONTACTS, key(accountId, contactId));
      if (before) emails.add(key(accountId, before.emailKey));
      if (email === undefined) continue;
      const emailKey = normalizeEmail(email);
      if (before?.emailKey === emailKey) continue;
      emails.add(key(accountId, emailKey));
      const { out, in: into } = await flowsOf(accountId);
      for (const f of out) {
        emails.add(key(f.to, emailKey));
        targets.push({ accountId: f.to, emailKey });
      }
      for (const f of into) emails.add(key(f.from, emailKey));
    }
    if (emails.size === 0) return;
    await tx.getMany(EMAILS, [...emails]);
    const links = targets.flatMap(({ accountId, emailKey }) => (tx.peek!<EmailDoc>(EMAILS, key(accountId, emailKey))?.contactIds ?? []).map((c) => key(accountId, c)));
    if (links.length) await tx.getMany(LINKS, links);
  },
  async apply(event: RecordedEvent, tx: ProjectionTx) {
    const domainEvent = { type: event.type, data: event.data };
    if (CRM_TYPES.includes(event.type)) await onCrmEvent(tx, domainEvent as CrmEvent);
    else await onOrganizationEvent(tx, domainEvent as OrganizationEvent);
  },
};
