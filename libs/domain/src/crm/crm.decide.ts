import { fail } from '../shared/domain-error';
import type { Account } from '../accounts/account.state';
import type { Activity, ContactFields, CrmEvent, DealFields } from './crm.events';

export interface ContactState {
  exists: boolean;
  fields: ContactFields | null;
  activityIds: string[];
}

export const initialContactState = (): ContactState => ({ exists: false, fields: null, activityIds: [] });

export function evolveContact(state: ContactState, event: CrmEvent): ContactState {
  switch (event.type) {
    case 'ContactUpserted': {
      const { accountId: _a, contactId: _c, ...fields } = event.data;
      return { ...state, exists: true, fields };
    }
    case 'ContactDeleted':
      // A contact created again after deletion starts a new life: no activities.
      return initialContactState();
    case 'ActivityLogged':
      return { ...state, activityIds: [...state.activityIds, event.data.activityId] };
    default:
      return state;
  }
}

/** A2 applies to CRM data too: a deactivated account takes no more changes. */
export function requireActiveAccount(account: Account | null, accountId: string): void {
  if (!account) fail('NOT_FOUND', `account ${accountId} does not exist`);
  if (account.status === 'deactivated') fail('ACCOUNT_DEACTIVATED', `account ${accountId} is deactivated`);
}

const sameFields = (a: ContactFields, b: ContactFields): boolean => JSON.stringify(a) === JSON.stringify(b);

export function decideUpsertContact(accountId: string, contactId: string, fields: ContactFields, state: ContactState): CrmEvent[] {
  const next: ContactFields = {
    email: fields.email.trim(),
    ...(fields.firstName !== undefined ? { firstName: fields.firstName } : {}),
    ...(fields.lastName !== undefined ? { lastName: fields.lastName } : {}),
    properties: fields.properties ?? {},
  };
  if (state.exists && state.fields && sameFields(state.fields, next)) return [];
  return [{ type: 'ContactUpserted', data: { accountId, contactId, ...next } }];
}

export function decideDeleteContact(accountId: string, contactId: string, state: ContactState): CrmEvent[] {
  if (!state.exists) fail('NOT_FOUND', `contact ${contactId} does not exist in account ${accountId}`);
  return [{ type: 'ContactDeleted', data: { accountId, contactId } }];
}

export function decideLogActivity(accountId: string, contactId: string, activity: Activity, state: ContactState): CrmEvent[] {
  if (!state.exists) fail('NOT_FOUND', `contact ${contactId} does not exist in account ${accountId}`);
  if (state.activityIds.includes(activity.activityId)) fail('ALREADY_EXISTS', `activity ${activity.activityId} was already logged`);
  return [{ type: 'ActivityLogged', data: { accountId, contactId, ...activity } }];
}

export interface DealState {
  fields: DealFields | null;
}

export const evolveDeal = (_state: DealState, event: CrmEvent): DealState =>
  event.type === 'DealSaved' ? { fields: { name: event.data.name, stage: event.data.stage, amount: event.data.amount, contactIds: event.data.contactIds } } : _state;

export function decideSaveDeal(accountId: string, dealId: string, deal: DealFields, state: DealState): CrmEvent[] {
  const next: DealFields = { name: deal.name, stage: deal.stage, ...(deal.amount !== undefined ? { amount: deal.amount } : {}), contactIds: [...new Set(deal.contactIds)] };
  if (state.fields && JSON.stringify({ ...state.fields, amount: state.fields.amount }) === JSON.stringify({ ...next, amount: next.amount })) return [];
  return [{ type: 'DealSaved', data: { accountId, dealId, ...next, previousStage: state.fields?.stage ?? null } }];
}
