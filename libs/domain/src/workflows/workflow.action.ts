import type { ContactFields } from '../crm/crm.events';
import { CLOSED_WON_STAGE, type WorkflowAction } from './workflow.events';

/**
 * W1's trigger: a deal entering closed-won — new at closed-won, or from
 * another stage. Saved again at closed-won is no new trigger; leaving and
 * coming back is.
 */
export const entersClosedWon = (previousStage: string | null, stage: string): boolean =>
  stage === CLOSED_WON_STAGE && previousStage !== CLOSED_WON_STAGE;

/** What the action sets on each contact it writes (api.md: `crossSellOpportunity: "true"` when marked). */
export const actionProperties = (action: WorkflowAction): Record<string, string> => ({
  ...action.properties,
  ...(action.markCrossSellOpportunity ? { crossSellOpportunity: 'true' } : {}),
});

/** A target contact with the same email: its own fields, with the action's properties set over its own. */
export const updatedContact = (current: ContactFields, action: WorkflowAction): ContactFields => ({
  ...current,
  properties: { ...current.properties, ...actionProperties(action) },
});

/**
 * No target contact has the email: a new one with the source contact's
 * email and name and the action's properties — not the source's own
 * properties, which belong to the source account.
 */
export const createdContact = (source: ContactFields, action: WorkflowAction): ContactFields => ({
  email: source.email,
  ...(source.firstName !== undefined ? { firstName: source.firstName } : {}),
  ...(source.lastName !== undefined ? { lastName: source.lastName } : {}),
  properties: actionProperties(action),
});
