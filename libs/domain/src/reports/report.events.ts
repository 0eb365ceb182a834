import type { Verification } from '../organizations/organization.events';
import type { ReportDefinition } from './report.definition';

/** Who defined, edited or deleted a report, proven how (R2). Report commands carry no acting account. */
export interface ReportActing {
  actorUserId: string;
  verification: Verification;
}

/**
 * Facts about one report, in the stream `report-{reportId}` (report ids are
 * global: `GET /v1/reports/{reportId}/results`). They carry the
 * organization's id, so the organization's history lists them with its
 * other changes.
 */
export type ReportEvent =
  | { type: 'ReportDefined'; data: ReportActing & { organizationId: string; reportId: string; definition: ReportDefinition; at: string } }
  | { type: 'ReportRedefined'; data: ReportActing & { organizationId: string; reportId: string; definition: ReportDefinition; at: string } }
  | { type: 'ReportDeleted'; data: ReportActing & { organizationId: string; reportId: string; at: string } };

export const REPORT_EVENT_TYPES: ReadonlyArray<ReportEvent['type']> = ['ReportDefined', 'ReportRedefined', 'ReportDeleted'];

export const reportStream = (reportId: string): string => `report-${reportId}`;
