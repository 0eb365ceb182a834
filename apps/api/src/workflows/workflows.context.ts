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
import { storedContactsWithEmail } from '../mirroring/mirroring.collections';

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
  /**
   * Ids of the account's contacts with this M1 email key: every contact
   * stored up to `asOf` (the trigger), and every one this process created
   * since — or a second trigger for the same email would create another.
   */
  contactsWithEmail(accountId: string, emailKey: string, asOf: bigint): Promise<string[]>;
}

/** How far a read model has got: `waitFor(position)` resolves true once it has processed that position. */
export type ReadModelWait = (position: bigint) => Promise<boolean>;

/** The event-store context, told of the contacts the process creates (its dispatch reports them). */
export interface EventStoreWorkflowsContext extends WorkflowsContext {
  created(accountId: string, emailKey: string, contactId: string, position: bigint): void;
}

/**
 * The process's reads: streams for everything a decision rests on, and the
 * mirroring projection's contacts (kept by account and email key) for the
 * lookup by email. That read model may be behind the log, so a lookup first
 * waits until it has processed the trigger — and, the first time, everything
 * stored when the process started, which covers the contacts an earlier run
 * created for later triggers. Contacts created since are kept here until the
 * read model has them: waiting for the process's own last write instead
 * would make every trigger wait a projection round trip for the one before.
 */
export function eventStoreWorkflowsContext(store: EventStore, readStore: ReadStore, contactsReached: ReadModelWait): EventStoreWorkflowsContext {
  let startHead: Promise<bigint | null> | null = null;
  const recent = new Map<string, Array<{ contactId: string; position: bigint }>>();
  let reached = -1n;
  const sweep = () => {
    for (const [key, list] of recent) {
      const pending = list.filter((c) => c.position > reached);
      if (pending.length) recent.set(key, pending);
      else recent.delete(key);
    }
  };
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
    async contactsWithEmail(accountId, emailKey, asOf) {
      startHead ??= store.headPosition();
      const head = await startHead;
      const needed = head !== null && head > asOf ? head : asOf;
      if (needed > reached) {
        if (!(await contactsReached(needed))) {
          throw new Problem(503, 'PROJECTION_LAG', `the contacts read model has not reached position ${needed} yet`);
        }
        reached = needed;
        if (recent.size > 256) sweep();
      }
      const ids = new Set(await storedContactsWithEmail(readStore, accountId, emailKey));
      const key = `${accountId}|${emailKey}`;
      // Kept until the read model is known to have them (its position passed theirs).
      const pending = (recent.get(key) ?? []).filter((c) => c.position > reached);
      if (pending.length) recent.set(key, pending);
      else recent.delete(key);
      for (const c of pending) ids.add(c.contactId);
      return [...ids].sort();
    },
    created(accountId, emailKey, contactId, position) {
      const key = `${accountId}|${emailKey}`;
      recent.set(key, [...(recent.get(key) ?? []), { contactId, position }]);
    },
  };
}
