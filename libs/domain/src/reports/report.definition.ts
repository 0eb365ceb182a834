import { fail } from '../shared/domain-error';

export const REPORT_OBJECTS = ['contacts', 'deals'] as const;
export type ReportObject = (typeof REPORT_OBJECTS)[number];

/** `account`, `stage` (deals) or `property:<name>` (a contact property; for deals, the deal's first contact's). */
export type Dimension = string;
export const MEASURES = ['count', 'sum:amount', 'avg:amount'] as const;
export type Measure = (typeof MEASURES)[number];

export interface ReportFilter {
  field: Dimension;
  equals: string;
}

/** api.md's report definition, with `filters` always present. */
export interface ReportDefinition {
  name: string;
  destinationAccountId: string;
  sourceAccountIds: string[];
  object: ReportObject;
  groupBy: Dimension[];
  measures: Measure[];
  filters: ReportFilter[];
}

export const MAX_DIMENSIONS = 3;
export const MAX_FILTERS = 10;
const PROPERTY_PREFIX = 'property:';
const MAX_PROPERTY_NAME = 100;

/** The contact property a dimension or filter field names, or null for `account` and `stage`. */
export function propertyOf(dimension: Dimension): string | null {
  return dimension.startsWith(PROPERTY_PREFIX) ? dimension.slice(PROPERTY_PREFIX.length) : null;
}

/** R5: the contact properties a report groups or filters by. */
export function propertiesUsed(def: Pick<ReportDefinition, 'groupBy' | 'filters'>): string[] {
  const names = [...def.groupBy, ...def.filters.map((f) => f.field)].map(propertyOf).filter((p): p is string => p !== null);
  return [...new Set(names)];
}

/** The properties results are grouped by: an account whose contacts carry none of one is `property-missing`. */
export function groupedProperties(def: Pick<ReportDefinition, 'groupBy'>): string[] {
  return def.groupBy.map(propertyOf).filter((p): p is string => p !== null);
}

/** The report's accounts: the destination's own data first, then the sources it names (R1). */
export const reportAccounts = (def: Pick<ReportDefinition, 'destinationAccountId' | 'sourceAccountIds'>): string[] => [
  def.destinationAccountId,
  ...def.sourceAccountIds,
];

function validDimension(dimension: unknown, object: ReportObject): dimension is Dimension {
  if (typeof dimension !== 'string') return false;
  if (dimension === 'account') return true;
  if (dimension === 'stage') return object === 'deals';
  const property = propertyOf(dimension);
  return property !== null && property.length > 0 && property.length <= MAX_PROPERTY_NAME;
}

/**
 * The shape rules of a definition (400 VALIDATION_FAILED): at most three
 * dimensions valid for the object, measures valid for it, filters on a
 * dimension other than `account`, sources listed once and apart from the
 * destination. The HTTP layer checks types; these are the rules between fields.
 */
export function validateDefinition(def: ReportDefinition): void {
  if (!(REPORT_OBJECTS as readonly string[]).includes(def.object)) fail('VALIDATION_FAILED', `object must be one of ${REPORT_OBJECTS.join(', ')}`);
  if (def.groupBy.length > MAX_DIMENSIONS) fail('VALIDATION_FAILED', `a report has at most ${MAX_DIMENSIONS} dimensions`);
  for (const d of def.groupBy) {
    if (!validDimension(d, def.object)) fail('VALIDATION_FAILED', `dimension ${JSON.stringify(d)} is not valid for ${def.object}`);
  }
  if (new Set(def.groupBy).size !== def.groupBy.length) fail('VALIDATION_FAILED', 'a dimension is listed twice');
  if (def.measures.length === 0) fail('VALIDATION_FAILED', 'a report has at least one measure');
  for (const m of def.measures) {
    const valid = m === 'count' || (def.object === 'deals' && (m === 'sum:amount' || m === 'avg:amount'));
    if (!valid) fail('VALIDATION_FAILED', `measure ${JSON.stringify(m)} is not valid for ${def.object}`);
  }
  if (new Set(def.measures).size !== def.measures.length) fail('VALIDATION_FAILED', 'a measure is listed twice');
  if (def.filters.length > MAX_FILTERS) fail('VALIDATION_FAILED', `a report has at most ${MAX_FILTERS} filters`);
  for (const f of def.filters) {
    if (f.field === 'account' || !validDimension(f.field, def.object)) {
      fail('VALIDATION_FAILED', `filter field ${JSON.stringify(f.field)} is not a dimension other than account for ${def.object}`);
    }
  }
  if (new Set(def.filters.map((f) => f.field)).size !== def.filters.length) fail('VALIDATION_FAILED', 'a filter field is listed twice');
  if (new Set(def.sourceAccountIds).size !== def.sourceAccountIds.length) fail('VALIDATION_FAILED', 'a source account is listed twice');
  if (def.sourceAccountIds.includes(def.destinationAccountId)) {
    fail('VALIDATION_FAILED', 'the destination is covered by its own report; it is not one of its sources');
  }
}
