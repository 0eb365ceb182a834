import type { UserContext } from '../organizations/organization.commands';
import type { ReportDefinition } from './report.definition';

/**
 * R5 as the infrastructure found it: for each of the report's accounts, the
 * properties it names that at least one of the account's contacts carries
 * (read from the projected CRM data, like `stepUp` is proven outside).
 */
export type PropertyCoverage = Record<string, string[]>;

export type ReportCommand =
  | {
      type: 'DefineReport';
      data: UserContext & { organizationId: string; reportId: string; definition: ReportDefinition; coverage: PropertyCoverage; at: string };
    }
  | {
      type: 'RedefineReport';
      data: UserContext & { organizationId: string; reportId: string; definition: ReportDefinition; coverage: PropertyCoverage; at: string };
    }
  | { type: 'DeleteReport'; data: UserContext & { organizationId: string; reportId: string; at: string } };
