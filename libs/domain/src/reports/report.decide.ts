import { fail } from '../shared/domain-error';
import { assertNever, type Decider } from '../shared/decider';
import { effectiveFlows } from '../connections/connection';
import { activeOrganization, requireSuperAdmin, verified } from '../organizations/organization.decide';
import { isMember, memberIds, type Organization } from '../organizations/organization.state';
import { emptyWorld, evolveWorld, type OrganizationWorld, type WorldEvent } from '../organizations/organization.world';
import type { Account } from '../accounts/account.state';
import { propertiesUsed, reportAccounts, validateDefinition, type ReportDefinition } from './report.definition';
import { REPORT_EVENT_TYPES, type ReportEvent } from './report.events';
import type { PropertyCoverage, ReportCommand } from './report.commands';

export interface ReportState {
  reportId: string;
  organizationId: string;
  definition: ReportDefinition;
  status: 'active' | 'deleted';
}

/** A report command is decided against its organization's world (members, flows, users) and the report itself. */
export interface ReportWorld extends OrganizationWorld {
  report: ReportState | null;
}

export type ReportWorldEvent = WorldEvent | ReportEvent;

export const emptyReportWorld = (): ReportWorld => ({ ...emptyWorld(), report: null });

const isReportEvent = (e: ReportWorldEvent): e is ReportEvent => (REPORT_EVENT_TYPES as readonly string[]).includes(e.type);

export function evolveReportWorld(world: ReportWorld, event: ReportWorldEvent): ReportWorld {
  if (!isReportEvent(event)) return { ...world, ...evolveWorld(world, event) };
  switch (event.type) {
    case 'ReportDefined':
    case 'ReportRedefined':
      return {
        ...world,
        report: { reportId: event.data.reportId, organizationId: event.data.organizationId, definition: event.data.definition, status: 'active' },
      };
    case 'ReportDeleted':
      return world.report ? { ...world, report: { ...world.report, status: 'deleted' } } : world;
    default:
      return assertNever(event);
  }
}

function memberAccounts(world: ReportWorld, org: Organization): Account[] {
  return memberIds(org).map((id) => world.accounts.get(id) ?? fail('NOT_FOUND', `account ${id} does not exist`));
}

/** The organization's report `reportId`, not deleted (404 otherwise, as if it never existed). */
function existingReport(world: ReportWorld, org: Organization, reportId: string): ReportState {
  const r = world.report;
  if (!r || r.status === 'deleted' || r.organizationId !== org.organizationId) fail('NOT_FOUND', `report ${reportId} does not exist`);
  return r;
}

/** R1 and R5 for a definition in `org`. */
function requireCoverable(org: Organization, def: ReportDefinition, coverage: PropertyCoverage): void {
  for (const id of reportAccounts(def)) {
    if (!isMember(org, id)) fail('NOT_A_MEMBER', `account ${id} is not a member of the organization`);
  }
  const reporting = org.connections.flatMap((c) => effectiveFlows(c).reporting);
  for (const source of def.sourceAccountIds) {
    if (!reporting.some((f) => f.from === source && f.to === def.destinationAccountId)) {
      fail('NO_FLOW', `there is no reporting flow from ${source} to ${def.destinationAccountId}`);
    }
  }
  for (const property of propertiesUsed(def)) {
    const carrying = reportAccounts(def).filter((id) => coverage[id]?.includes(property));
    if (carrying.length < 2) {
      fail('PROPERTY_NOT_SHARED', `property ${property} is on contacts of ${carrying.length} of the report's accounts; it needs at least two`);
    }
  }
}

/**
 * R1, R2, R5. Order of checks: the definition's shape (400), the
 * organization (404, 422 ORGANIZATION_DELETED), O6 (422 then 403), the
 * report (409 on create, 404 on edit and delete), O5 in every member (403),
 * then the rules on the definition's accounts (NOT_A_MEMBER, NO_FLOW,
 * PROPERTY_NOT_SHARED).
 */
export function decideReport(command: ReportCommand, world: ReportWorld): ReportEvent[] {
  const d = command.data;
  if (command.type !== 'DeleteReport') validateDefinition(command.data.definition);
  const org = activeOrganization(world, d.organizationId);
  const stepUp = verified(world, d);
  const acting = { actorUserId: d.actorUserId, verification: stepUp.verification };
  const ids = { organizationId: org.organizationId, reportId: d.reportId };
  switch (command.type) {
    case 'DefineReport': {
      if (world.report !== null) fail('ALREADY_EXISTS', `report ${d.reportId} already exists`);
      requireSuperAdmin(memberAccounts(world, org), d.actorUserId);
      requireCoverable(org, command.data.definition, command.data.coverage);
      return [{ type: 'ReportDefined', data: { ...ids, definition: command.data.definition, ...acting, at: d.at } }];
    }
    case 'RedefineReport': {
      existingReport(world, org, d.reportId);
      requireSuperAdmin(memberAccounts(world, org), d.actorUserId);
      requireCoverable(org, command.data.definition, command.data.coverage);
      return [{ type: 'ReportRedefined', data: { ...ids, definition: command.data.definition, ...acting, at: d.at } }];
    }
    case 'DeleteReport': {
      existingReport(world, org, d.reportId);
      requireSuperAdmin(memberAccounts(world, org), d.actorUserId);
      return [{ type: 'ReportDeleted', data: { ...ids, ...acting, at: d.at } }];
    }
    default:
      return assertNever(command);
  }
}

export const reportDecider: Decider<ReportWorld, ReportCommand, ReportWorldEvent> = {
  decide: decideReport,
  evolve: evolveReportWorld,
  initialState: emptyReportWorld,
};
