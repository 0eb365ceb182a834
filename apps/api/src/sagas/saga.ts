import type { Account, Organization, OrganizationCommand } from '@mam/domain';
import type { RecordedEvent } from '@mam/event-store';

/** What the lifecycle saga may look at: the current state of accounts and organizations. */
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
 * A saga or process manager: a pure-ish function from a fact (and the state
 * it may read through its context) to commands. It only reads; the commands
 * go through the deciders, which re-check every condition. One runner
 * (SagaRunner) owns the subscription, checkpoint, retries and parking for
 * every process: a new process is a new value of this type, not a new runner.
 */
export interface ProcessManager<Command, Context> {
  readonly name: string;
  readonly eventTypes: ReadonlySet<string>;
  react(event: RecordedEvent, context: Context): Promise<Command[]>;
  /**
   * The id of a command issued in reaction to `event`: derived from the event
   * and what the command does (never random, never its index in the list), so
   * a redelivery issues the same ids and its events' ids repeat.
   */
  commandId(event: RecordedEvent, command: Command): string;
}

/** The lifecycle policies' kind of process. */
export type Saga = ProcessManager<PolicyCommand, SagaContext>;
