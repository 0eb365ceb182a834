import { Injectable } from '@nestjs/common';
import {
  accountStream,
  contactStream,
  dealStream,
  decideDeleteContact,
  decideLogActivity,
  decideSaveDeal,
  decideUpsertContact,
  evolveAccount,
  evolveContact,
  evolveDeal,
  fail,
  initialContactState,
  requireActiveAccount,
  type Account,
  type AccountEvent,
  type Activity,
  type ContactFields,
  type ContactState,
  type CrmEvent,
  type DealFields,
} from '@mam/domain';
import type { CommandContext } from '../commands/command-context';
import { CommandExecutor, type CommandResult, type StreamLoader } from '../commands/command-executor';

async function activeAccount(loader: StreamLoader, accountId: string): Promise<Account> {
  const events = await loader.load<AccountEvent>(accountStream(accountId));
  const account = events.reduce<Account | null>(evolveAccount, null);
  requireActiveAccount(account, accountId);
  return account!;
}

async function contactState(loader: StreamLoader, accountId: string, contactId: string) {
  return (await loader.load<CrmEvent>(contactStream(accountId, contactId))).reduce(evolveContact, initialContactState());
}

/** The contacts' states keyed by stream id, read in one store call. */
async function contactStates(loader: StreamLoader, accountId: string, contactIds: string[]) {
  const streams = await loader.loadMany<CrmEvent>(contactIds.map((id) => contactStream(accountId, id)));
  const states = new Map<string, ContactState>();
  for (const [streamId, events] of streams) states.set(streamId, events.reduce(evolveContact, initialContactState()));
  return states;
}

/** A contact write computed from the contact's current fields (null: none); returning null writes nothing. */
export interface ContactMerge {
  contactId: string;
  merge: (current: ContactFields | null) => ContactFields | null;
}

/** A process's command (a workflow's action): its id derived from the causing event, so a redelivery appends nothing. */
export interface ProcessCommandIds {
  commandId: string;
  causationId: string;
}

/** CRM data reported by the CRM: contacts, activities, deals, each in its own stream under the account. */
@Injectable()
export class CrmCommands {
  constructor(private readonly executor: CommandExecutor) {}

  upsertContact(context: CommandContext | undefined, accountId: string, contactId: string, fields: ContactFields): Promise<CommandResult> {
    return this.executor.execute({
      context,
      name: 'UpsertContact',
      decide: async (loader) => {
        await activeAccount(loader, accountId);
        const state = await contactState(loader, accountId, contactId);
        return { writes: [{ streamId: contactStream(accountId, contactId), events: decideUpsertContact(accountId, contactId, fields, state) }] };
      },
    });
  }

  deleteContact(context: CommandContext | undefined, accountId: string, contactId: string): Promise<CommandResult> {
    return this.executor.execute({
      context,
      name: 'DeleteContact',
      decide: async (loader) => {
        await activeAccount(loader, accountId);
        const state = await contactState(loader, accountId, contactId);
        return { writes: [{ streamId: contactStream(accountId, contactId), events: decideDeleteContact(accountId, contactId, state) }] };
      },
    });
  }

  /** Up to 1000 upserts and deletes, all or nothing. A delete of a contact that does not exist is skipped (a sync may repeat). */
  batch(context: CommandContext | undefined, accountId: string, upserts: Array<ContactFields & { contactId: string }>, deletes: string[]): Promise<CommandResult> {
    return this.executor.execute({
      context,
      name: 'ContactBatch',
      decide: async (loader) => {
        await activeAccount(loader, accountId);
        const upserted = new Set(upserts.map((u) => u.contactId));
        const overlap = deletes.find((id) => upserted.has(id));
        if (overlap) fail('VALIDATION_FAILED', `contact ${overlap} is both upserted and deleted`);
        const states = await contactStates(loader, accountId, [...upserted, ...deletes]);
        const writes = [];
        for (const { contactId, ...fields } of upserts) {
          const streamId = contactStream(accountId, contactId);
          writes.push({ streamId, events: decideUpsertContact(accountId, contactId, fields, states.get(streamId)!) });
        }
        for (const contactId of deletes) {
          const streamId = contactStream(accountId, contactId);
          const state = states.get(streamId)!;
          if (state.exists) writes.push({ streamId, events: decideDeleteContact(accountId, contactId, state) });
        }
        return { writes };
      },
    });
  }

  /**
   * Contacts written from what they hold now, all or nothing (a workflow's
   * action in its target): the same A2 check and upsert decision as any
   * contact the CRM reports, so every reader sees them like the others.
   */
  mergeContacts(accountId: string, merges: ContactMerge[], ids?: ProcessCommandIds): Promise<CommandResult> {
    return this.executor.execute({
      context: undefined,
      name: 'MergeContacts',
      ...ids,
      decide: async (loader) => {
        await activeAccount(loader, accountId);
        const states = await contactStates(loader, accountId, merges.map((m) => m.contactId));
        const writes = [];
        for (const { contactId, merge } of merges) {
          const state = states.get(contactStream(accountId, contactId))!;
          const fields = merge(state.exists ? state.fields : null);
          if (fields) writes.push({ streamId: contactStream(accountId, contactId), events: decideUpsertContact(accountId, contactId, fields, state) });
        }
        return { writes };
      },
    });
  }

  logActivity(context: CommandContext | undefined, accountId: string, contactId: string, activity: Activity): Promise<CommandResult> {
    return this.executor.execute({
      context,
      name: 'LogActivity',
      reply: { activityId: activity.activityId },
      decide: async (loader) => {
        await activeAccount(loader, accountId);
        const state = await contactState(loader, accountId, contactId);
        return { writes: [{ streamId: contactStream(accountId, contactId), events: decideLogActivity(accountId, contactId, activity, state) }] };
      },
    });
  }

  saveDeal(context: CommandContext | undefined, accountId: string, dealId: string, deal: DealFields): Promise<CommandResult> {
    return this.executor.execute({
      context,
      name: 'SaveDeal',
      decide: async (loader) => {
        await activeAccount(loader, accountId);
        const streamId = dealStream(accountId, dealId);
        const state = (await loader.load<CrmEvent>(streamId)).reduce(evolveDeal, { fields: null });
        return { writes: [{ streamId, events: decideSaveDeal(accountId, dealId, deal, state) }] };
      },
    });
  }
}
