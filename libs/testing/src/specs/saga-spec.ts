import {
  ACCOUNT_EVENT_TYPES,
  ORGANIZATION_EVENT_TYPES,
  accountStream,
  evolveAccount,
  evolveOrganization,
  organizationStream,
  type Account,
  type AccountEvent,
  type Organization,
  type OrganizationEvent,
} from '@mam/domain';
import type { EventMetadata, RecordedEvent } from '@mam/event-store';

/**
 * Given-when-then for a saga (process manager), in the style of Axon's saga
 * fixture and Emmett's specifications:
 *
 *   const spec = SagaSpecification.for(lifecycleSaga);
 *   await spec.given([...facts]).when(subscriptionsChanged('b', [])).then([evictMember…]);
 *   await spec.given([...facts]).when(fact).thenNothing();
 *
 * `given` events (short `{ type, data }` account and organization facts) are
 * folded into an in-memory context with the domain's own `evolveAccount` /
 * `evolveOrganization`: account events keyed by `data.accountId`,
 * organization events by `data.organizationId`. Other events (a user's
 * two-factor, say) do not shape a saga's context and are skipped.
 *
 * `when(event)` applies the event to that context first — a saga reacts to a
 * fact that has already happened, so it sees the state after it — then hands
 * the saga the event as the store would record it. Any object with
 * `react(event, context)` will do: this library does not import app code.
 */

/**
 * What a saga may read: accounts and organizations (the app's SagaContext,
 * structurally). The in-memory one holds every state an account went
 * through (the given events, the `when` event, then any `later` ones), so
 * `account(id, asOf)` answers the account as it stood at that position.
 */
export interface SagaSpecContext {
  account(accountId: string, asOf?: bigint): Promise<Account | null>;
  organization(organizationId: string): Promise<Organization | null>;
}

export interface ReactingSaga<Command, Context = SagaSpecContext> {
  react(event: RecordedEvent, context: Context): Promise<Command[]>;
}

/**
 * A process manager's own in-memory context (assets, copy requests,
 * workflows…): it folds the given events and the `when` event it cares about.
 */
export interface SpecContext {
  apply(event: SpecEvent): void;
}

/** A short event; `id`, `streamId` and `metadata` may be given to pin what the saga sees. */
export interface SpecEvent {
  type: string;
  data: unknown;
  id?: string;
  streamId?: string;
  metadata?: Partial<EventMetadata>;
}

export interface SagaThen<Command, Context = SagaSpecContext> {
  /** The commands the saga issues equal `expected`, in order (toEqual). */
  then(expected: Command[]): Promise<void>;
  /** The saga issues no command. */
  thenNothing(): Promise<void>;
  /** Runs the reaction and gives the commands, for assertions of one's own. */
  commands(): Promise<Command[]>;
  /** The event as it was handed to the saga. */
  readonly event: RecordedEvent;
  /** The context the saga read from (the given events, the `when` event and any later ones). */
  readonly context: Context;
}

export interface WhenOptions {
  /**
   * Facts stored after the `when` event, already in the context when the
   * saga reacts (a saga running behind): what it reads "as of" the event
   * must not include them.
   */
  later?: SpecEvent[];
}

export interface SagaWhen<Command, Context = SagaSpecContext> {
  when(event: SpecEvent, options?: WhenOptions): SagaThen<Command, Context>;
}

export interface SagaSpec<Command, Context = SagaSpecContext> {
  given(events: SpecEvent[]): SagaWhen<Command, Context>;
}

const ACCOUNT_TYPES: ReadonlySet<string> = new Set(ACCOUNT_EVENT_TYPES);
const ORGANIZATION_TYPES: ReadonlySet<string> = new Set(ORGANIZATION_EVENT_TYPES);
const SPEC_AT = '2025-01-01T00:00:00.000Z';

/** The in-memory state a saga reads, folded from short events. */
export class InMemorySagaContext implements SagaSpecContext, SpecContext {
  private readonly accounts = new Map<string, Account>();
  private readonly organizations = new Map<string, Organization>();
  /** Each account's states by the position that made them (positions count applied events, as `recorded` does). */
  private readonly history = new Map<string, Array<{ position: bigint; account: Account | null }>>();
  private position = 0n;

  /** The stream the event belongs to, or null when it shapes no saga state. */
  static streamOf(event: SpecEvent): string | null {
    const data = event.data as { accountId?: string; organizationId?: string };
    if (ACCOUNT_TYPES.has(event.type)) return accountStream(data.accountId!);
    if (ORGANIZATION_TYPES.has(event.type)) return organizationStream(data.organizationId!);
    return null;
  }

  apply(event: SpecEvent): void {
    this.position += 1n;
    const short = { type: event.type, data: structuredClone(event.data) };
    if (ACCOUNT_TYPES.has(event.type)) {
      const id = (short.data as { accountId: string }).accountId;
      const next = evolveAccount(this.accounts.get(id) ?? null, short as AccountEvent);
      if (next) this.accounts.set(id, next);
      else this.accounts.delete(id);
      this.history.set(id, [...(this.history.get(id) ?? []), { position: this.position, account: next ? structuredClone(next) : null }]);
    } else if (ORGANIZATION_TYPES.has(event.type)) {
      const id = (short.data as { organizationId: string }).organizationId;
      const next = evolveOrganization(this.organizations.get(id) ?? null, short as OrganizationEvent);
      if (next) this.organizations.set(id, next);
      else this.organizations.delete(id);
    }
  }

  // Copies, so a saga that mutated what it read could not change the next reaction.
  async account(accountId: string, asOf?: bigint): Promise<Account | null> {
    if (asOf === undefined) {
      const a = this.accounts.get(accountId);
      return a ? structuredClone(a) : null;
    }
    const states = (this.history.get(accountId) ?? []).filter((h) => h.position <= asOf);
    const a = states.length ? states[states.length - 1].account : null;
    return a ? structuredClone(a) : null;
  }

  async organization(organizationId: string): Promise<Organization | null> {
    const o = this.organizations.get(organizationId);
    return o ? structuredClone(o) : null;
  }
}

/** The event as the store would record it: position after the given events, revision in its stream. */
function recorded(event: SpecEvent, given: SpecEvent[]): RecordedEvent {
  const streamId = event.streamId ?? InMemorySagaContext.streamOf(event) ?? `spec-${event.type}`;
  const revision = given.filter((g) => (g.streamId ?? InMemorySagaContext.streamOf(g)) === streamId).length;
  const position = BigInt(given.length + 1);
  return {
    id: event.id ?? `spec-event-${position}`,
    type: event.type,
    data: structuredClone(event.data),
    metadata: { at: SPEC_AT, ...event.metadata },
    streamId,
    revision: BigInt(revision),
    position,
  };
}

function specification<Command, Context extends SpecContext>(
  saga: ReactingSaga<Command, Context>,
  newContext: () => Context,
): SagaSpec<Command, Context> {
  return {
    given: (events) => ({
      when: (event, options = {}) => {
        const context = newContext();
        for (const e of events) context.apply(e);
        context.apply(event);
        for (const e of options.later ?? []) context.apply(e);
        const recordedEvent = recorded(event, events);
        const commands = (): Promise<Command[]> => saga.react(structuredClone(recordedEvent), context);
        return {
          event: recordedEvent,
          context,
          commands,
          then: async (expected) => expect(await commands()).toEqual(expected),
          thenNothing: async () => expect(await commands()).toEqual([]),
        };
      },
    }),
  };
}

export const SagaSpecification = {
  /** A saga that reads accounts and organizations (the lifecycle policies). */
  for<Command>(saga: ReactingSaga<Command>): SagaSpec<Command, InMemorySagaContext> {
    return specification<Command, InMemorySagaContext>(saga, () => new InMemorySagaContext());
  },
  /**
   * A process manager with a context of its own: `newContext()` makes an
   * empty one, which folds every given event and then the `when` event.
   */
  withContext<Command, Context extends SpecContext>(saga: ReactingSaga<Command, Context>, newContext: () => Context): SagaSpec<Command, Context> {
    return specification(saga, newContext);
  },
};
