import type { Account, Organization, OrganizationCommand } from '@mam/domain';
import type { RecordedEvent } from '@mam/event-store';

/** What a saga may look at: the current state of accounts and organizations. */
export interface SagaContext {
  /**
   * The account as its stream stood at position `asOf` (the event being
   * reacted to), or as it is now. A saga judges each event on the facts up to
   * it: a later fact gets its own reaction, caused by that fact.
   */
  account(accountId: string, asOf?: bigint): Promise<Account | null>;
  organization(organizationId: string): Promise<Organization | null>;
}

export type PolicyCommand = Extract<OrganizationCommand, { type: 'EvictMember' | 'RevokeFlows' | 'DissolveOrganization' }>;

/**
 * A process that turns facts into commands. It only reads; the commands go
 * through the same deciders as a user's, which re-check every condition.
 */
export interface Saga {
  readonly name: string;
  readonly eventTypes: ReadonlySet<string>;
  react(event: RecordedEvent, context: SagaContext): Promise<PolicyCommand[]>;
}
