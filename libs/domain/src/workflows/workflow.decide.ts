import { fail } from '../shared/domain-error';
import type { Decider } from '../shared/decider';
import type { UserContext } from '../organizations/organization.commands';
import { activeOrganization, requireSuperAdmin, verified } from '../organizations/organization.decide';
import { ORGANIZATION_EVENT_TYPES, type OrganizationEvent } from '../organizations/organization.events';
import { isMember, memberIds } from '../organizations/organization.state';
import { emptyWorld, evolveWorld, type OrganizationWorld, type WorldEvent } from '../organizations/organization.world';
import type { WorkflowDefinition, WorkflowEvent } from './workflow.events';
import { evolveWorkflows, suspensionReason, type WorkflowsState } from './workflow.state';

export type WorkflowCommand = {
  type: 'DefineWorkflow';
  data: UserContext &
    WorkflowDefinition & {
      organizationId: string;
      /** The account the user acts from; the source account when the request names none. */
      actingAccountId: string;
      at: string;
    };
};

/** The organization's world (members, flows, the actor's two-factor) and its workflows. */
export interface WorkflowWorld extends OrganizationWorld {
  workflows: WorkflowsState;
}

const ORGANIZATION_TYPES: ReadonlySet<string> = new Set(ORGANIZATION_EVENT_TYPES);
const isOrganizationEvent = (e: WorldEvent): e is OrganizationEvent => ORGANIZATION_TYPES.has(e.type);

export function evolveWorkflowWorld(world: WorkflowWorld, event: WorldEvent): WorkflowWorld {
  const next = evolveWorld(world, event);
  return { ...next, workflows: isOrganizationEvent(event) ? evolveWorkflows(world.workflows, event) : world.workflows };
}

/**
 * W2: O5 in every member and O6 (checked in the organization commands'
 * order); W1: along a workflows flow source → target in effect (NO_FLOW
 * otherwise, also for an account outside the organization); C2: a source
 * that stores sensitive data has no such flow, even before C4 revoked it.
 */
export function decideDefineWorkflow(cmd: WorkflowCommand['data'], world: WorkflowWorld): WorkflowEvent[] {
  const org = activeOrganization(world, cmd.organizationId);
  const stepUp = verified(world, cmd);
  if (!isMember(org, cmd.actingAccountId)) fail('FORBIDDEN', `acting account ${cmd.actingAccountId} is not a member`);
  const members = memberIds(org).map((id) => world.accounts.get(id) ?? fail('NOT_FOUND', `account ${id} does not exist`));
  requireSuperAdmin(members, cmd.actorUserId);
  if (world.workflows.some((w) => w.workflowId === cmd.workflowId)) fail('ALREADY_EXISTS', `workflow ${cmd.workflowId} already exists`);
  if (suspensionReason(org, cmd) !== null) {
    fail('NO_FLOW', `the organization has no workflows flow from ${cmd.sourceAccountId} to ${cmd.targetAccountId}`);
  }
  if (world.accounts.get(cmd.sourceAccountId)?.sensitiveData) {
    fail('SENSITIVE_DATA_SOURCE', `account ${cmd.sourceAccountId} stores sensitive data and cannot be a workflow source`);
  }
  const { actorUserId, actingAccountId, organizationId, workflowId, name, sourceAccountId, targetAccountId, trigger, action, at } = cmd;
  return [
    {
      type: 'WorkflowDefined',
      data: {
        organizationId,
        workflowId,
        name,
        sourceAccountId,
        targetAccountId,
        trigger,
        action,
        actorUserId,
        actingAccountId,
        verification: stepUp.verification,
        at,
      },
    },
  ];
}

export const workflowDecider: Decider<WorkflowWorld, WorkflowCommand, WorldEvent> = {
  decide: (command, world) => decideDefineWorkflow(command.data, world),
  evolve: evolveWorkflowWorld,
  initialState: () => ({ ...emptyWorld(), workflows: [] }),
};
