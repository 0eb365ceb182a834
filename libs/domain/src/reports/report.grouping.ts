import type { ContactFields } from '../crm/crm.events';
import { propertyOf, type Dimension, type ReportDefinition } from './report.definition';

/** A contact's values as reports see them: its `properties` with `email`, `firstName`, `lastName` (api.md's flattening). */
export type ContactValues = Record<string, string>;

export function contactValues(fields: ContactFields): ContactValues {
  return {
    ...fields.properties,
    email: fields.email,
    ...(fields.firstName !== undefined ? { firstName: fields.firstName } : {}),
    ...(fields.lastName !== undefined ? { lastName: fields.lastName } : {}),
  };
}

/** What a report groups and filters: a contact, or a deal with its first contact's values (null when it has none). */
export interface Countable {
  accountId: string;
  stage?: string;
  values: ContactValues | null;
}

/** One group's dimension values, in `groupBy` order; a missing property is null (api.md). */
export type GroupKey = Array<string | null>;

function valueOf(dimension: Dimension, item: Countable): string | null {
  if (dimension === 'account') return item.accountId;
  if (dimension === 'stage') return item.stage ?? null;
  const property = propertyOf(dimension)!;
  const value = item.values?.[property];
  return typeof value === 'string' ? value : null;
}

/** R5: the group an item is counted in, or null when the report's filters leave it out. */
export function groupOf(def: Pick<ReportDefinition, 'groupBy' | 'filters'>, item: Countable): GroupKey | null {
  for (const f of def.filters) if (valueOf(f.field, item) !== f.equals) return null;
  return def.groupBy.map((d) => valueOf(d, item));
}

/** Whether the report reads contact values at all (for deals: whether a contact edit can move a deal). */
export const readsContactValues = (def: Pick<ReportDefinition, 'groupBy' | 'filters'>): boolean =>
  [...def.groupBy, ...def.filters.map((f) => f.field)].some((d) => propertyOf(d) !== null);

/** api.md: rows in ascending order of their values, a missing value (null) first. */
export function compareKeys(a: GroupKey, b: GroupKey): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Deal amounts are kept in integer cents: sums stay exact through any number of adds and removes. */
export const toCents = (amount: number | undefined): number | null => (amount === undefined ? null : Math.round(amount * 100));
