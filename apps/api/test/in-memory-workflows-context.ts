import {
  ACCOUNT_EVENT_TYPES,
  evolveAccount,
  evolveContact,
  evolveOrganization,
  evolveWorkflows,
  initialContactState,
  normalizeEmail,
  ORGANIZATION_EVENT_TYPES,
  type Account,
  type AccountEvent,
  type ContactFields,
  type ContactState,
  type CrmEvent,
  type Organization,
  type OrganizationEvent,
} from '@mam/domain';
import type { RecordedEvent } from '@mam/event-store';
import type { DefinedWorkflow, WorkflowsContext } from '../src/workflows/workflows.context';

/** A short event as the saga spec hands it over (structurally the testing lib's SpecEvent, not imported: this file is built). */
interface SpecEvent {
  type: string;
  data: unknown;
}

const ACCOUNT_TYPES: ReadonlySet<string> = new Set(ACCOUNT_EVENT_TYPES);
const ORGANIZATION_TYPES: ReadonlySet<string> = new Set(ORGANIZATION_EVENT_TYPES);

/**
 * The workflows process's context for given-when-then specs: folds account,
 * organization, contact and deal facts in order, each at the position the
 * saga spec gives it (the given events 1…n, the `when` event n + 1).
 */
export class InMemoryWorkflowsContext implements WorkflowsContext {
  private position = 0n;
  private readonly accounts = new Map<string, Account>();
  private readonly organizations = new Map<string, { organization: Organization | null; workflows: DefinedWorkflow[] }>();
  private readonly contacts = new Map<string, Array<{ position: bigint; state: ContactState }>>();
  private readonly stages = new Map<string, string[]>();

  apply(event: SpecEvent): void {
    this.position += 1n;
    const data = event.data as { accountId?: string; organizationId?: string; contactId?: string; dealId?: string; stage?: string };
    if (ACCOUNT_TYPES.has(event.type)) {
      const next = evolveAccount(this.accounts.get(data.accountId!) ?? null, event as AccountEvent);
      if (next) this.accounts.set(data.accountId!, next);
    } else if (ORGANIZATION_TYPES.has(event.type)) {
      const o = this.organizations.get(data.organizationId!) ?? { organization: null, workflows: [] };
      const known = o.workflows.length;
      const workflows = evolveWorkflows(o.workflows, event as OrganizationEvent).map((w, i) => (i < known ? { ...w, definedAt: o.workflows[i].definedAt } : { ...w, definedAt: this.position }));
      this.organizations.set(data.organizationId!, { organization: evolveOrganization(o.organization, event as OrganizationEvent), workflows });
    } else if (event.type === 'DealSaved') {
      const key = `${data.accountId}|${data.dealId}`;
      this.stages.set(key, [...(this.stages.get(key) ?? []), data.stage!]);
    } else if (data.contactId !== undefined) {
      const key = `${data.accountId}|${data.contactId}`;
      const history = this.contacts.get(key) ?? [];
      const state = evolveContact(history.at(-1)?.state ?? initialContactState(), event as CrmEvent);
      this.contacts.set(key, [...history, { position: this.position, state }]);
    }
  }

  async stageBefore(event: RecordedEvent): Promise<string | null> {
    const d = event.data as { accountId: string; dealId: string };
    const stages = this.stages.get(`${d.accountId}|${d.dealId}`) ?? [];
    return stages.length >= 2 ? stages[stages.length - 2] : null;
  }

  async organizationOf(accountId: string) {
    const organizationId = this.accounts.get(accountId)?.organizationId;
    const o = organizationId ? this.organizations.get(organizationId) : undefined;
    return o?.organization ? structuredClone({ organization: o.organization, workflows: o.workflows }) : null;
  }

  async account(accountId: string): Promise<Account | null> {
    const a = this.accounts.get(accountId);
    return a ? structuredClone(a) : null;
  }

  async contact(accountId: string, contactId: string, asOf: bigint): Promise<ContactFields | null> {
    const state = (this.contacts.get(`${accountId}|${contactId}`) ?? []).filter((h) => h.position <= asOf).at(-1)?.state;
    return state?.exists ? structuredClone(state.fields) : null;
  }

  async contactsWithEmail(accountId: string, emailKey: string): Promise<string[]> {
    const ids: string[] = [];
    for (const [key, history] of this.contacts) {
      const [account, contactId] = key.split('|');
      const state = history.at(-1)!.state;
      if (account === accountId && state.exists && normalizeEmail(state.fields!.email) === emailKey) ids.push(contactId);
    }
    return ids.sort();
  }
}
