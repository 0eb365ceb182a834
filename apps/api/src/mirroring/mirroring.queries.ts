import { Inject, Injectable } from '@nestjs/common';
import { hasSalesOrServiceProfessional, type Account } from '@mam/domain';
import { READ_STORE, type ReadStore } from '@mam/read-store';
import { Problem } from '../http/problem';
import { nullPrototypeMap } from '../http/property-map';
import { ACCOUNTS } from '../accounts/account.projections';
import { ACTIVITIES, CONTACTS, DEAL_LINKS, DEALS, key, LINKS, type ActivityDoc, type ContactDoc, type DealDoc, type DealLinkDoc, type LinkDoc } from './mirroring.collections';
import { normalizeEmail } from '@mam/domain';

export const MAX_LIMIT = 200;
const DEFAULT_LIMIT = 50;

const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');
const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8');

/** Mirrored contact views, assembled from the source contacts' current documents (M2), behind M3. */
@Injectable()
export class MirroringQueries {
  constructor(@Inject(READ_STORE) private readonly store: ReadStore) {}

  /** M3: a user of T with a Sales or Service seat, while T has Sales or Service Hub Professional or higher. */
  private async requireVisible(accountId: string, actorUserId: string): Promise<void> {
    const account = await this.store.get<Account>(ACCOUNTS, accountId);
    if (!account) throw Problem.of('NOT_FOUND', `account ${accountId} does not exist`);
    const seats = account.users[actorUserId]?.seats ?? [];
    const hasSeat = seats.includes('sales') || seats.includes('service');
    if (!hasSeat || !hasSalesOrServiceProfessional(account.subscriptions)) {
      throw Problem.of('FORBIDDEN', 'mirrored contacts are visible to users with a Sales or Service seat in an account with Sales or Service Hub Professional or higher');
    }
  }

  async list(accountId: string, actorUserId: string, options: { email?: string; limit?: number; cursor?: string }) {
    await this.requireVisible(accountId, actorUserId);
    const limit = Math.min(options.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
    const filter: Record<string, string> = { targetAccountId: accountId };
    if (options.email !== undefined) filter.emailKey = normalizeEmail(options.email);
    const afterId = options.cursor ? decodeCursor(options.cursor) : undefined;
    if (afterId !== undefined && !afterId.startsWith(`${accountId}|`)) {
      throw Problem.validation([{ path: 'query.cursor', message: 'the cursor belongs to another listing' }]);
    }
    const rows = await this.store.find<LinkDoc>(LINKS, filter, { afterId, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const items = (await Promise.all(page.map((r) => this.assemble(r.doc)))).filter((v) => v !== null);
    return rows.length > limit ? { items, nextCursor: encodeCursor(page[page.length - 1].id) } : { items };
  }

  async one(accountId: string, contactId: string, actorUserId: string) {
    await this.requireVisible(accountId, actorUserId);
    const link = await this.store.get<LinkDoc>(LINKS, key(accountId, contactId));
    const view = link ? await this.assemble(link) : null;
    if (!view) throw Problem.of('NOT_FOUND', `contact ${contactId} of ${accountId} has no mirrored view`);
    return view;
  }

  /**
   * One view in one query for the contacts (target and sources together)
   * and two per source: its activities and its deal links, each a range of
   * the primary key (`account|contact|…`, no expression index). A deal link
   * carries the deal's fields; only links written before it did need the
   * deal documents.
   */
  private async assemble(link: LinkDoc) {
    const targetId = key(link.targetAccountId, link.targetContactId);
    const contacts = await this.store.getMany<ContactDoc>(CONTACTS, [targetId, ...link.sources.map((s) => key(s.accountId, s.contactId))]);
    const target = contacts.get(targetId);
    if (!target) return null;
    const sources = [];
    for (const ref of link.sources) {
      const c = contacts.get(key(ref.accountId, ref.contactId));
      if (!c) continue;
      const idPrefix = key(c.accountId, c.contactId, '');
      const dealLinks = await this.store.find<DealLinkDoc>(DEAL_LINKS, {}, { idPrefix });
      const logged = await this.store.find<ActivityDoc>(ACTIVITIES, {}, { idPrefix });
      // Documents written before activities had their own documents still hold theirs.
      const activities = new Map((c.activities ?? []).map((a) => [a.activityId, a]));
      for (const { doc } of logged) activities.set(doc.activityId, doc);
      const deals = await this.dealsOf(c.accountId, dealLinks.map((d) => d.doc));
      sources.push({
        accountId: c.accountId,
        contactId: c.contactId,
        // Null prototype: a property named `constructor` or `__proto__` is data like `color`.
        properties: nullPrototypeMap<string>([
          ...Object.entries(c.properties),
          ['email', c.email],
          ...(c.firstName !== undefined ? [['firstName', c.firstName] as [string, string]] : []),
          ...(c.lastName !== undefined ? [['lastName', c.lastName] as [string, string]] : []),
        ]),
        activities: [...activities.values()]
          // By instant, not by text: "10:00+02:00" is before "09:00Z".
          .sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt))
          .map(({ activityId, type, occurredAt, summary }) => ({ activityId, type, occurredAt, summary })),
        deals,
      });
    }
    if (sources.length === 0) return null;
    return { email: target.email, contactId: target.contactId, sources };
  }

  /** A contact's deals in link order; a link written before links carried the deal's fields reads the deal. */
  private async dealsOf(accountId: string, links: DealLinkDoc[]) {
    const old = links.filter((l) => l.name === undefined).map((l) => key(accountId, l.dealId));
    const read = old.length ? await this.store.getMany<DealDoc>(DEALS, old) : new Map<string, DealDoc>();
    const deals = [];
    for (const l of links) {
      const d = l.name === undefined ? read.get(key(accountId, l.dealId)) : l;
      if (d) deals.push({ dealId: l.dealId, name: d.name!, stage: d.stage!, ...(d.amount !== undefined ? { amount: d.amount } : {}) });
    }
    return deals;
  }
}
