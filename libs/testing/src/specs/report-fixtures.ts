import type { PropertyCoverage, ReportCommand, ReportDefinition, ReportEvent } from '@mam/domain';
import { AT, ORG, PRIMARY, USER } from './fixtures';

/** Builders for report specs (R1–R6). Defaults: report `report-1` of ORG into PRIMARY, by USER with an OTP step-up. */
export const REPORT = 'report-1';

export const definition = (overrides: Partial<ReportDefinition> = {}): ReportDefinition => ({
  name: 'Contacts by account',
  destinationAccountId: PRIMARY,
  sourceAccountIds: [],
  object: 'contacts',
  groupBy: ['account'],
  measures: ['count'],
  filters: [],
  ...overrides,
});

const acting = { actorUserId: USER, verification: 'otp' as const };
const ids = (reportId: string) => ({ organizationId: ORG, reportId });

export const reportDefined = (def: ReportDefinition, reportId = REPORT): ReportEvent => ({
  type: 'ReportDefined',
  data: { ...ids(reportId), definition: def, ...acting, at: AT },
});
export const reportRedefined = (def: ReportDefinition, reportId = REPORT): ReportEvent => ({
  type: 'ReportRedefined',
  data: { ...ids(reportId), definition: def, ...acting, at: AT },
});
export const reportDeleted = (reportId = REPORT): ReportEvent => ({ type: 'ReportDeleted', data: { ...ids(reportId), ...acting, at: AT } });

const user = { actorUserId: USER, stepUp: { verification: 'otp' as const } };
type Cmd<T extends ReportCommand['type']> = Extract<ReportCommand, { type: T }>['data'];

export const defineReport = (def: ReportDefinition, coverage: PropertyCoverage = {}, overrides: Partial<Cmd<'DefineReport'>> = {}): ReportCommand => ({
  type: 'DefineReport',
  data: { ...user, ...ids(REPORT), definition: def, coverage, at: AT, ...overrides },
});
export const redefineReport = (def: ReportDefinition, coverage: PropertyCoverage = {}, overrides: Partial<Cmd<'RedefineReport'>> = {}): ReportCommand => ({
  type: 'RedefineReport',
  data: { ...user, ...ids(REPORT), definition: def, coverage, at: AT, ...overrides },
});
export const deleteReport = (overrides: Partial<Cmd<'DeleteReport'>> = {}): ReportCommand => ({
  type: 'DeleteReport',
  data: { ...user, ...ids(REPORT), at: AT, ...overrides },
});
