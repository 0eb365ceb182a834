import type { AccountEvent } from '../accounts/account.events';
import { ACCOUNT_EVENT_TYPES } from '../accounts/account.events';
import { evolveAccount, type Account } from '../accounts/account.state';
import type { UserEvent } from '../users/two-factor';
import type { OrganizationEvent } from './organization.events';
import { evolveOrganization, type OrganizationState } from './organization.state';

/**
 * What an organization command is decided against: the organization, the
 * accounts it names or has, and the acting user's two-factor set-up. The
 * command handler loads these streams; the spec helper folds given events
 * into the same shape, so tests read `given(account facts…).when(command)`.
 */
export interface OrganizationWorld {
  organization: OrganizationState;
  accounts: Map<string, Account>;
  twoFactor: Map<string, boolean>;
}

export type WorldEvent = AccountEvent | UserEvent | OrganizationEvent;

export const emptyWorld = (): OrganizationWorld => ({ organization: null, accounts: new Map(), twoFactor: new Map() });

const isAccountEvent = (e: WorldEvent): e is AccountEvent =>
  (ACCOUNT_EVENT_TYPES as readonly string[]).includes(e.type);

export function evolveWorld(world: OrganizationWorld, event: WorldEvent): OrganizationWorld {
  if (event.type === 'TwoFactorChanged') {
    const twoFactor = new Map(world.twoFactor).set(event.data.userId, event.data.enabled);
    return { ...world, twoFactor };
  }
  if (isAccountEvent(event)) {
    const id = event.data.accountId;
    const next = evolveAccount(world.accounts.get(id) ?? null, event);
    const accounts = new Map(world.accounts);
    if (next) accounts.set(id, next);
    return { ...world, accounts };
  }
  return { ...world, organization: evolveOrganization(world.organization, event as OrganizationEvent) };
}
