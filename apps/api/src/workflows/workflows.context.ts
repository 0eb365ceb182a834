import {
  accountStream,
  contactStream,
  evolveAccount,
  evolveContact,
  evolveOrganization,
  evolveWorkflows,
  initialContactState,
  organizationStream,
  type Account,
  type AccountEvent,
  type ContactFields,
  type CrmEvent,
  type Organization,
  type OrganizationEvent,
  type Workflow,
} from '@mam/domain';
import type { EventStore, RecordedEvent } from '@mam/event-store';
import type { ReadStore } from '@mam/read-store';
import { Problem } from '../http/problem';
import { CONTACTS, type ContactDoc } from '../mirroring/mirroring.collections';

/** A workflow with the position of its definition: it fires on triggers after it, never on older deals. */
export type DefinedWorkflow = Workflow & { definedAt: bigint };

/** What the workflows process may read. */
export interface WorkflowsContext {
  /** The deal's stage before `event` (a DealSaved stored before the event carried `previousStage`). */
  stageBefore(event: RecordedEvent): Promise<string | null>;
  /** The organization the account is in now, with its workflows. */
  organizationOf(accountId: string): Promise<{ organization: Organization; workflows: DefinedWorkflow[] } | null>;
  account(accountId: string): Promise<Account | null>;
  /** The contact as it stood at `asOf` (the trigger): a redelivery sees the same contact. */
  contact(accountId: string, contactId: string, asOf: bigint): Promise<ContactFields | null>;
  /** Ids of the account's contacts with this M1 email key, as of every event stored so far. */
  contactsWithEmail(accountId: string, emailKey: string): Promise<string[]>;
}

/** How far a read model has got: `waitFor(position)` resolves true once it has processed that position. */
export type ReadModelWait = (position: bigint) => Promise<boolean>;

/**
 * The process's reads: streams for everything a decision rests on, and the
 * mirroring projection's contacts (kept by account and email key) for the
 * lookup by email. That read model may be behind the log, so a lookup first
 * waits until it has processed everything stored so far — the trigger, and
 * the contacts this process created for earlier triggers, which a lookup
 * must see or it would create them twice.
 */
export function eventStoreWorkflowsContext(store: EventStore, readStore: ReadStore, contactsReached: ReadModelWait): WorkflowsContext {
  return {
    async stageBefore(event) {
      if (event.revision === 0n) return null;
      const [previous] = await store.readStream(event.streamId, event.revision >= 2n ? event.revision - 2n : undefined);
      return (previous?.data as { stage?: string } | undefined)?.stage ?? null;
    },
    async organizationOf(accountId) {
      const account = await this.account(accountId);
      if (!account?.organizationId) return null;
      const events = await store.readStream(organizationStream(account.organizationId));
      let organization: Organization | null = null;
      let workflows: DefinedWorkflow[] = [];
      for (const e of events) {
        const event = { type: e.type, data: e.data } as OrganizationEvent;
        organization = evolveOrganization(organization, event);
        const next = evolveWorkflows(workflows, event);
        workflows = next.map((w, i) => (i < workflows.length ? { ...w, definedAt: workflows[i].definedAt } : { ...w, definedAt: e.position }));
      }
      return organization ? { organization, workflows } : null;
    },
    async account(accountId) {
      const events = await store.readStream(accountStream(accountId));
      return events.reduce<Account | null>((s, e) => evolveAccount(s, { type: e.type, data: e.data } as AccountEvent), null);
    },
    async contact(accountId, contactId, asOf) {
      const events = await store.readStream(contactStream(accountId, contactId));
      const state = events
        .filter((e) => e.position <= asOf)
        .reduce((s, e) => evolveContact(s, { type: e.type, data: e.data } as CrmEvent), initialContactState());
      return state.exists ? state.fields : null;
    },
    async contactsWithEmail(accountId, emailKey) {
      const head = await store.headPosition();
      if (head !== null && !(await contactsReached(head))) {
        throw new Problem(503, 'PROJECTION_LAG', `the contacts read model has not reached position ${head} yet`);
      }
      const rows = await readStore.find<ContactDoc>(CONTACTS, { accountId, emailKey }, { fields: ['contactId'] });
      return rows.map((r) => r.doc.contactId).sort();
    },
  };
}
