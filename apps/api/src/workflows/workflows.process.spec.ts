import {
  action,
  administered,
  contactUpserted,
  created,
  dealSaved,
  deactivated,
  MHE,
  oneWay,
  ORG,
  PRIMARY,
  SagaSpecification,
  SALES_PRO,
  twoFactor,
  withMembership,
  workflowDefined,
  workflowSuspended,
  type SpecEvent,
} from '@mam/testing';
import type { Connection } from '@mam/domain';
import { InMemoryWorkflowsContext } from '../../test/in-memory-workflows-context';
import { createdContactId, workflowsProcess, type WorkflowProcessCommand } from './workflows.process';

const spec = SagaSpecification.withContext<WorkflowProcessCommand, InMemoryWorkflowsContext>(workflowsProcess, () => new InMemoryWorkflowsContext());
const P = PRIMARY;
const TRIGGER = 'trigger-1';
const MARK = action({ properties: { segment: 'upsell' }, markCrossSellOpportunity: true });

/** P (MHE) → b and P → c workflows flows; workflow wf-1 P → b marking cross-sell; contacts ann and bob in P, ann in b. */
const world = (connections: Connection[] = [oneWay(P, 'b', { workflows: true }), oneWay(P, 'c', { workflows: true })]): SpecEvent[] => [
  ...administered(P, { subscriptions: [MHE, SALES_PRO] }),
  ...administered('b'),
  ...administered('c'),
  twoFactor(),
  ...withMembership(created([P, 'b', 'c'], { connections })),
  workflowDefined({ action: MARK }),
  contactUpserted(P, 'ann', { email: 'Ann@Example.com', firstName: 'Ann' }),
  contactUpserted(P, 'bob', { email: 'bob@example.com', firstName: 'Bob' }),
  contactUpserted('b', 'b-ann', { email: ' ann@example.com ' }),
];

/** The trigger; `previousStage` as recorded ('unrecorded': an event stored before DealSaved carried it). */
const closedWon = (previousStage: string | null | 'unrecorded' = null, contactIds = ['ann', 'bob']): SpecEvent => ({
  ...dealSaved(P, 'd1', 'closedwon', contactIds, previousStage === 'unrecorded' ? undefined : previousStage),
  id: TRIGGER,
  streamId: `deal-${P}|d1`,
});

const run = (workflowId = 'wf-1', targetAccountId = 'b') => ({ organizationId: ORG, workflowId, sourceAccountId: P, targetAccountId, dealId: 'd1', triggerEventId: TRIGGER });
const write = (sourceContactId: string, source: { email: string; firstName?: string }, writes: Array<{ contactId: string; create: boolean }>, workflowId = 'wf-1', targetAccountId = 'b', act = MARK): WorkflowProcessCommand => ({
  type: 'WriteTargetContacts',
  data: { organizationId: ORG, workflowId, targetAccountId, sourceContactId, source: { properties: {}, ...source }, action: act, writes },
});
const ANN = { email: 'Ann@Example.com', firstName: 'Ann' };
const BOB = { email: 'bob@example.com', firstName: 'Bob' };
const bobCreated = createdContactId(TRIGGER, ORG, 'wf-1', 'bob');

/** The reaction to a trigger for wf-1 into b: update ann's match, create bob, record the run. */
const fired: WorkflowProcessCommand[] = [
  write('ann', ANN, [{ contactId: 'b-ann', create: false }]),
  write('bob', BOB, [{ contactId: bobCreated, create: true }]),
  { type: 'RecordWorkflowRun', data: { type: 'WorkflowRunCompleted', data: { ...run(), contactIds: ['b-ann', bobCreated] } } },
];

describe('workflows process (W1, W3, W4)', () => {
  describe('W1 the trigger: a deal entering closedwon', () => {
    it('W1 a new deal at closedwon updates the target contacts by email (M1) and creates the missing one, then records the run', () =>
      spec.given(world()).when(closedWon(null)).then(fired));

    it('W1 a deal moved to closedwon from another stage fires', () =>
      spec.given([...world(), dealSaved(P, 'd1', 'qualified', ['ann', 'bob'], null)]).when(closedWon('qualified')).then(fired));

    it('W1 a deal stored again at closedwon is no new trigger', () =>
      spec.given([...world(), dealSaved(P, 'd1', 'closedwon', ['ann'], null)]).when(closedWon('closedwon')).thenNothing());

    it('W1 a stage that goes back and forth: leaving closedwon and reaching it again is a new trigger', () =>
      spec
        .given([...world(), dealSaved(P, 'd1', 'closedwon', ['ann', 'bob'], null), dealSaved(P, 'd1', 'closedlost', ['ann', 'bob'], 'closedwon')])
        .when(closedWon('closedlost'))
        .then(fired));

    it('W1 a DealSaved stored before it carried previousStage: the previous stage is read from the deal\'s stream', async () => {
      await spec.given([...world(), dealSaved(P, 'd1', 'qualified', ['ann'])]).when(closedWon('unrecorded')).then(fired);
      await spec.given([...world(), dealSaved(P, 'd1', 'closedwon', ['ann'])]).when(closedWon('unrecorded')).thenNothing();
      await spec.given(world()).when(closedWon('unrecorded')).then(fired);
    });

    it('W1 other stages, and deals of an account in no organization or without a workflow as source, fire nothing', async () => {
      await spec.given(world()).when({ ...dealSaved(P, 'd1', 'qualified', ['ann'], null), id: TRIGGER }).thenNothing();
      await spec.given(world()).when({ ...dealSaved('b', 'd1', 'closedwon', ['b-ann'], null), id: TRIGGER }).thenNothing();
      await spec.given([...administered('x'), ...world()]).when({ ...dealSaved('x', 'd1', 'closedwon', [], null), id: TRIGGER }).thenNothing();
    });

    it('W1 source contacts sharing an email lead to one write; contacts the deal names but that do not exist are skipped', () =>
      spec
        .given([...world(), contactUpserted(P, 'ann-2', { email: 'ANN@example.com' })])
        .when(closedWon(null, ['ann', 'ann-2', 'ghost']))
        .then([
          write('ann', ANN, [{ contactId: 'b-ann', create: false }]),
          { type: 'RecordWorkflowRun', data: { type: 'WorkflowRunCompleted', data: { ...run(), contactIds: ['b-ann'] } } },
        ]));

  });

  describe('W1 two workflows of one source', () => {
    it('W1 two workflows into two targets both fire, each with its own contacts and run', () =>
      spec
        .given([...world(), workflowDefined({ workflowId: 'wf-2', targetAccountId: 'c', action: action() })])
        .when(closedWon(null))
        .then([
          ...fired,
          write('ann', ANN, [{ contactId: createdContactId(TRIGGER, ORG, 'wf-2', 'ann'), create: true }], 'wf-2', 'c', action()),
          write('bob', BOB, [{ contactId: createdContactId(TRIGGER, ORG, 'wf-2', 'bob'), create: true }], 'wf-2', 'c', action()),
          {
            type: 'RecordWorkflowRun',
            data: { type: 'WorkflowRunCompleted', data: { ...run('wf-2', 'c'), contactIds: [createdContactId(TRIGGER, ORG, 'wf-2', 'ann'), createdContactId(TRIGGER, ORG, 'wf-2', 'bob')] } },
          },
        ]));

    it('W1 two workflows into one target: the second updates the contact the first creates (no duplicate)', () =>
      spec
        .given([...world(), workflowDefined({ workflowId: 'wf-2', action: action({ properties: { b: '2' } }) })])
        .when(closedWon(null, ['bob']))
        .then([
          write('bob', BOB, [{ contactId: bobCreated, create: true }]),
          { type: 'RecordWorkflowRun', data: { type: 'WorkflowRunCompleted', data: { ...run(), contactIds: [bobCreated] } } },
          write('bob', BOB, [{ contactId: bobCreated, create: true }], 'wf-2', 'b', action({ properties: { b: '2' } })),
          { type: 'RecordWorkflowRun', data: { type: 'WorkflowRunCompleted', data: { ...run('wf-2'), contactIds: [bobCreated] } } },
        ]));
  });

  describe('W3 once per trigger event', () => {
    it('W3 a redelivery issues the same commands with the same ids', async () => {
      const first = spec.given(world()).when(closedWon(null));
      const again = spec.given(world()).when(closedWon(null));
      const [a, b] = [await first.commands(), await again.commands()];
      expect(b).toEqual(a);
      expect(b.map((c) => workflowsProcess.commandId(again.event, c))).toEqual(a.map((c) => workflowsProcess.commandId(first.event, c)));
      // Each command of a reaction has its own id (per workflow, contact and kind).
      expect(new Set(a.map((c) => workflowsProcess.commandId(first.event, c))).size).toBe(a.length);
    });

    it('W3 a crash between the target\'s contacts of one trigger: redelivered, the written contact is found by email and its command keeps its id', async () => {
      const first = spec.given(world()).when(closedWon(null));
      // bob's contact was created in b before the crash; the trigger comes again.
      const again = spec.given([...world(), contactUpserted('b', bobCreated, { email: 'bob@example.com', properties: { segment: 'upsell', crossSellOpportunity: 'true' } })]).when(closedWon(null));
      const [a, b] = [await first.commands(), await again.commands()];
      expect(b[1]).toEqual(write('bob', BOB, [{ contactId: bobCreated, create: false }]));
      // Same ids: the command that already took effect appends nothing (CommandExecutor finds its event), the others run.
      expect(b.map((c) => workflowsProcess.commandId(again.event, c))).toEqual(a.map((c) => workflowsProcess.commandId(first.event, c)));
      expect(b[2]).toEqual(a[2]);
    });
  });

  describe('W4 and failures', () => {
    it('W4 a suspended workflow fires no more', () =>
      spec.given([...world(), workflowSuspended('flow-revoked')]).when(closedWon(null)).thenNothing());

    it('W4 a flow no longer in effect stops the workflow even before its suspension is recorded', () =>
      spec
        .given([...world(), { type: 'ConnectionsConfigured', data: { organizationId: ORG, connections: [], actorUserId: 'u', actingAccountId: P, verification: 'otp' } }])
        .when(closedWon(null))
        .thenNothing());

    it('W1 a deactivated target fails the run with its reason (recorded once, no contact written)', () =>
      spec
        .given([...world(), deactivated('b')])
        .when(closedWon(null))
        .then([
          {
            type: 'RecordWorkflowRun',
            data: { type: 'WorkflowRunFailed', data: { ...run(), reason: 'TARGET_DEACTIVATED', detail: 'target account b is deactivated and takes no contacts' } },
          },
        ]));
  });
});
