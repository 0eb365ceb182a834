import { createdContactId } from '../src/workflows/workflows.process';
import { SagasService } from '../src/sagas/sagas.service';
import { eventually, givenAccounts, ok, orgHeaders, uid } from './fixtures';
import { stepUp, TestApp, type Answer } from './test-app';
import {
  contact,
  contactsOf,
  deal,
  eventsOf,
  givenWorkflowOrg,
  listWorkflows,
  postWorkflow,
  processReached,
  runsReach,
  workflowsOneWay,
  type WorkflowOrg,
} from './workflow-fixtures';

/**
 * api.md "Asset copies and workflows" for workflows, over HTTP on the real
 * app: defining one (W2 with O5/O6, NO_FLOW, ALREADY_EXISTS, the history),
 * listing, firing on closed-won deals in the background (W1, W3), and
 * suspension (W4) with the connection edits that cause it.
 */
function expectProblem(res: Answer, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
}

describe('workflows over HTTP (W1–W4)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await TestApp.start()));
  afterAll(() => t.close());

  /** A refusal appends nothing. */
  async function refused(answer: Promise<Answer>, status: number, code: string): Promise<void> {
    const before = await t.eventCount();
    expectProblem(await answer, status, code);
    expect(await t.eventCount()).toBe(before);
  }

  describe('defining (W2)', () => {
    it('W2 defines a workflow along a workflows flow: 201, listed active with no runs, in the history with actor, acting account and verification', async () => {
      const o = await givenWorkflowOrg(t);
      const res = await postWorkflow(t, o, { workflowId: 'wf-1', name: 'Upsell', action: { type: 'create-or-update-contact', properties: { tier: 'gold' }, markCrossSellOpportunity: true } }, await orgHeaders(o.user, { amr: ['hwk'] }));
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ workflowId: 'wf-1', position: expect.stringMatching(/^\d+$/) });

      expect(await listWorkflows(t, o, res.body.position)).toEqual([
        {
          workflowId: 'wf-1',
          name: 'Upsell',
          sourceAccountId: o.source,
          targetAccountId: o.target,
          trigger: { type: 'deal-closed-won' },
          action: { type: 'create-or-update-contact', properties: { tier: 'gold' }, markCrossSellOpportunity: true },
          status: 'active',
          runs: 0,
          failedRuns: 0,
        },
      ]);
      const history = (await ok(t.read(`/v1/organizations/${o.organizationId}/history`, res.body.position, await orgHeaders(o.user, { acting: o.primary, stepUp: null })))).items;
      expect(history.at(-1)).toMatchObject({
        type: 'WorkflowDefined',
        actorUserId: o.user,
        actingAccountId: o.source,
        verification: 'passkey',
        details: { workflowId: 'wf-1', name: 'Upsell', sourceAccountId: o.source, targetAccountId: o.target },
      });
    });

    it('W2 records the acting account the request names', async () => {
      const o = await givenWorkflowOrg(t);
      const res = await ok(postWorkflow(t, o, {}, await orgHeaders(o.user, { acting: o.target })), 201);
      const history = (await ok(t.read(`/v1/organizations/${o.organizationId}/history`, res.position, await orgHeaders(o.user, { acting: o.primary, stepUp: null })))).items;
      expect(history.at(-1)).toMatchObject({ type: 'WorkflowDefined', actingAccountId: o.target, verification: 'otp' });
      expect(res.workflowId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('W1 NO_FLOW without a workflows flow source → target: other features, the other direction, an account outside the organization', async () => {
      const o = await givenWorkflowOrg(t, 3, (e) => [
        workflowsOneWay(e.primary, e.others[0]),
        { accounts: [e.primary, e.others[1]], direction: 'two-way', features: { dataMirroring: true, assetCopying: true, workflows: false } },
      ]);
      const [, third] = o.others;
      const outsider = uid('wf-out');
      await givenAccounts(t, o.user, [{ id: outsider }]);
      await refused(postWorkflow(t, o, { sourceAccountId: o.source, targetAccountId: third }), 422, 'NO_FLOW');
      await refused(postWorkflow(t, o, { sourceAccountId: o.target, targetAccountId: o.source }), 422, 'NO_FLOW');
      await refused(postWorkflow(t, o, { sourceAccountId: o.source, targetAccountId: outsider }), 422, 'NO_FLOW');
      await refused(postWorkflow(t, o, { sourceAccountId: o.source, targetAccountId: o.source }), 422, 'NO_FLOW');
    });

    it('O6: no step-up is 403 STEP_UP_REQUIRED; a used one too; one sent with a refused command is not used up', async () => {
      const o = await givenWorkflowOrg(t);
      await refused(postWorkflow(t, o, {}, await orgHeaders(o.user, { stepUp: null })), 403, 'STEP_UP_REQUIRED');
      const token = await stepUp(o.user);
      const headers = { ...(await orgHeaders(o.user, { stepUp: null })), 'x-step-up': token };
      await refused(postWorkflow(t, o, { targetAccountId: o.source }, headers), 422, 'NO_FLOW');
      await ok(postWorkflow(t, o, {}, headers), 201);
      await refused(postWorkflow(t, o, {}, headers), 403, 'STEP_UP_REQUIRED');
    });

    it('O5: a user who is not a Super Admin of every member is refused (NOT_SUPER_ADMIN), also when admin of source and target', async () => {
      const o = await givenWorkflowOrg(t, 3);
      const other = uid('wf-user');
      await givenAccounts(t, null, [], {});
      for (const id of [o.source, o.target]) await ok(t.request('PUT', `/v1/accounts/${id}/users/${other}`, { body: { roles: ['super-admin'], seats: [] } }));
      await ok(t.request('PUT', `/v1/users/${other}/two-factor`, { body: { enabled: true } }));
      await refused(postWorkflow(t, o, {}, await orgHeaders(other)), 403, 'NOT_SUPER_ADMIN');
    });

    it('O6: a user without two-factor is refused (TWO_FACTOR_REQUIRED)', async () => {
      const o = await givenWorkflowOrg(t);
      await ok(t.request('PUT', `/v1/users/${o.user}/two-factor`, { body: { enabled: false } }));
      await refused(postWorkflow(t, o), 422, 'TWO_FACTOR_REQUIRED');
    });

    it('a repeated workflowId is 409 ALREADY_EXISTS; a repeat under the same Idempotency-Key gets the first answer', async () => {
      const o = await givenWorkflowOrg(t);
      const first = await ok(postWorkflow(t, o, { workflowId: 'dup' }), 201);
      await refused(postWorkflow(t, o, { workflowId: 'dup' }), 409, 'ALREADY_EXISTS');

      const key = { ...(await orgHeaders(o.user, { stepUp: null })), 'idempotency-key': uid('key') };
      const keyed = await ok(postWorkflow(t, o, { workflowId: 'keyed' }, { ...key, 'x-step-up': await stepUp(o.user) }), 201);
      const before = await t.eventCount();
      const again = await postWorkflow(t, o, { workflowId: 'keyed' }, { ...key, 'x-step-up': await stepUp(o.user) });
      expect({ status: again.status, body: again.body }).toEqual({ status: 201, body: keyed });
      expect(await t.eventCount()).toBe(before);
      expect((await listWorkflows(t, o, keyed.position)).map((w) => w.workflowId)).toEqual(['dup', 'keyed']);
      expect(first.workflowId).toBe('dup');
    });

    it('validation: an unknown trigger or action, unknown fields, a bad id are 400 VALIDATION_FAILED', async () => {
      const o = await givenWorkflowOrg(t);
      await refused(postWorkflow(t, o, { trigger: { type: 'deal-lost' } }), 400, 'VALIDATION_FAILED');
      await refused(postWorkflow(t, o, { action: { type: 'send-email' } }), 400, 'VALIDATION_FAILED');
      await refused(postWorkflow(t, o, { action: { type: 'create-or-update-contact', properties: { n: 1 as unknown as string } } }), 400, 'VALIDATION_FAILED');
      await refused(postWorkflow(t, o, { extra: true } as object), 400, 'VALIDATION_FAILED');
      await refused(postWorkflow(t, o, { workflowId: 'bad id' }), 400, 'VALIDATION_FAILED');
    });

    it('an unknown organization is 404; a deleted one 422 ORGANIZATION_DELETED', async () => {
      const o = await givenWorkflowOrg(t);
      await refused(postWorkflow(t, { ...o, organizationId: uid('nope') }), 404, 'NOT_FOUND');
      await ok(t.request('DELETE', `/v1/organizations/${o.organizationId}`, { headers: await orgHeaders(o.user, { acting: o.primary }) }));
      await refused(postWorkflow(t, o), 422, 'ORGANIZATION_DELETED');
    });
  });

  describe('listing (O10)', () => {
    it('O10: an outsider gets 404, an admin asking from a non-member account 403', async () => {
      const o = await givenWorkflowOrg(t);
      const stranger = uid('wf-stranger');
      const res = await t.request('GET', `/v1/organizations/${o.organizationId}/workflows`, { headers: await orgHeaders(stranger, { acting: o.primary, stepUp: null }) });
      expectProblem(res, 404, 'NOT_FOUND');
      const outside = uid('wf-outside');
      await givenAccounts(t, o.user, [{ id: outside }]);
      expectProblem(await t.request('GET', `/v1/organizations/${o.organizationId}/workflows`, { headers: await orgHeaders(o.user, { acting: outside, stepUp: null }) }), 403, 'FORBIDDEN');
    });
  });

  describe('firing (W1, W3)', () => {
    it('W1 a closed-won deal updates the target contacts with its contacts\' email (M1) and creates the missing one', async () => {
      const o = await givenWorkflowOrg(t);
      const { workflowId } = await ok(postWorkflow(t, o, { action: { type: 'create-or-update-contact', properties: { segment: 'upsell' }, markCrossSellOpportunity: true } }), 201);
      await contact(t, o.target, 't-ann', { email: ' ANN@example.com', firstName: 'Ann T', properties: { own: 'kept', segment: 'old' } });
      await contact(t, o.target, 't-ann-2', { email: 'ann@EXAMPLE.com ' });
      await contact(t, o.source, 's-ann', { email: 'ann@example.com', firstName: 'Ann', properties: { secret: 'source only' } });
      await contact(t, o.source, 's-bob', { email: 'bob@example.com', firstName: 'Bob' });
      const closed = await deal(t, o.source, 'd1', 'closedwon', ['s-ann', 's-bob'], 1000);

      const w = await runsReach(t, o, workflowId, 1);
      expect(w).toMatchObject({ runs: 1, failedRuns: 0, status: 'active' });
      const [trigger] = await eventsOf(t, `deal-${o.source}|d1`);
      expect(trigger.position.toString()).toBe(closed.position);
      const created = createdContactId(trigger.id, o.organizationId, workflowId, 's-bob');
      const contacts = await eventually(() => contactsOf(t, o.target), (m) => m.size === 3);
      expect(contacts.get('t-ann')).toMatchObject({ email: 'ANN@example.com', firstName: 'Ann T', properties: { own: 'kept', segment: 'upsell', crossSellOpportunity: 'true' } });
      expect(contacts.get('t-ann-2')).toMatchObject({ properties: { segment: 'upsell', crossSellOpportunity: 'true' } });
      expect(contacts.get(created)).toMatchObject({ email: 'bob@example.com', firstName: 'Bob', properties: { segment: 'upsell', crossSellOpportunity: 'true' } });
      // Written through the target's own CRM commands: ordinary contact events in its streams, caused by the trigger.
      const [upserted] = await eventsOf(t, `contact-${o.target}|${created}`);
      expect(upserted).toMatchObject({ type: 'ContactUpserted', metadata: { causationId: trigger.id } });
      const [run] = await eventsOf(t, `workflow-run-${o.organizationId}|${workflowId}|${trigger.id}`);
      expect(run.data).toMatchObject({ dealId: 'd1', contactIds: ['t-ann', 't-ann-2', created] });
    });

    it('W1 stored again at closedwon is no trigger; leaving and reaching closedwon again is', async () => {
      const o = await givenWorkflowOrg(t);
      const { workflowId } = await ok(postWorkflow(t, o), 201);
      await contact(t, o.source, 's1', { email: 'x@example.com' });
      await deal(t, o.source, 'd', 'qualified', ['s1']);
      await deal(t, o.source, 'd', 'closedwon', ['s1']);
      await runsReach(t, o, workflowId, 1);
      const again = await deal(t, o.source, 'd', 'closedwon', ['s1'], 5);
      await processReached(t, again.position);
      expect((await listWorkflows(t, o))[0].runs).toBe(1);
      await deal(t, o.source, 'd', 'closedlost', ['s1'], 5);
      await deal(t, o.source, 'd', 'closedwon', ['s1'], 5);
      expect((await runsReach(t, o, workflowId, 2)).runs).toBe(2);
      // One target contact: the second run updated the one the first created.
      expect([...(await contactsOf(t, o.target)).keys()]).toHaveLength(1);
    });

    it('W1 a deal closed before the workflow was defined does not fire it; deals of other accounts do not either', async () => {
      const o = await givenWorkflowOrg(t);
      await contact(t, o.source, 's1', { email: 'early@example.com' });
      await deal(t, o.source, 'early', 'closedwon', ['s1']);
      const { workflowId, position } = await ok(postWorkflow(t, o), 201);
      await contact(t, o.target, 't1', { email: 'early@example.com' });
      const other = await deal(t, o.target, 'theirs', 'closedwon', ['t1']);
      await processReached(t, BigInt(other.position) > BigInt(position) ? other.position : position);
      expect((await listWorkflows(t, o)).find((w) => w.workflowId === workflowId).runs).toBe(0);
    });

    it('W1 two workflows of one source into one target both run; the contact one creates, the other updates', async () => {
      const o = await givenWorkflowOrg(t);
      const a = await ok(postWorkflow(t, o, { workflowId: 'a', action: { type: 'create-or-update-contact', properties: { a: '1' } } }), 201);
      const b = await ok(postWorkflow(t, o, { workflowId: 'b', action: { type: 'create-or-update-contact', properties: { b: '2' }, markCrossSellOpportunity: true } }), 201);
      await contact(t, o.source, 's1', { email: 'two@example.com' });
      await deal(t, o.source, 'd', 'closedwon', ['s1']);
      await runsReach(t, o, a.workflowId, 1);
      await runsReach(t, o, b.workflowId, 1);
      const contacts = await eventually(() => contactsOf(t, o.target), (m) => [...m.values()].some((c) => c.properties.b === '2'));
      expect([...contacts.values()].map((c) => c.properties)).toEqual([{ a: '1', b: '2', crossSellOpportunity: 'true' }]);
    });

    it('W1 a deactivated target fails the run with its reason, recorded once, instead of retrying', async () => {
      const o = await givenWorkflowOrg(t);
      const { workflowId } = await ok(postWorkflow(t, o), 201);
      // The lifecycle saga would evict the deactivated target (and W4 suspend the workflow): hold it back.
      await t.app.get(SagasService).runners.find((r) => r.saga.name === 'saga:lifecycle')!.stop();
      try {
        await ok(t.request('POST', `/v1/accounts/${o.target}/deactivation`, { body: {} }));
        await contact(t, o.source, 's1', { email: 'gone@example.com' });
        await deal(t, o.source, 'd', 'closedwon', ['s1']);
        const w = await runsReach(t, o, workflowId, 1);
        expect(w).toMatchObject({ runs: 1, failedRuns: 1, lastFailure: { reason: 'TARGET_DEACTIVATED', dealId: 'd' } });
        expect(await contactsOf(t, o.target)).toEqual(new Map());
      } finally {
        await t.app.get(SagasService).runners.find((r) => r.saga.name === 'saga:lifecycle')!.start();
      }
    });
  });

  describe('suspension (W4)', () => {
    async function suspendedBy(o: WorkflowOrg, workflowId: string, change: () => Promise<{ position: string }>, reason: string) {
      const { position } = await change();
      const items = await listWorkflows(t, o, position);
      if (items) expect(items.find((w) => w.workflowId === workflowId)).toMatchObject({ status: 'suspended', suspendedReason: reason });
      const stream = await eventsOf(t, `organization-${o.organizationId}`);
      const events = stream.filter((e) => e.type === 'WorkflowSuspended');
      expect(events.map((e) => e.data)).toEqual([{ organizationId: o.organizationId, workflowId, reason }]);
      // Suspended in the same append as the change: right after it, with the command's metadata.
      const cause = stream[stream.indexOf(events[0]) - 1];
      expect(events[0].metadata.correlationId).toBe(cause.metadata.correlationId);
      expect(events[0].position).toBeLessThanOrEqual(BigInt(position));
      return position;
    }

    it('W4 connections edited without the workflows flow: suspended, fires no more, keeps its runs, and stays suspended when the flow returns', async () => {
      const o = await givenWorkflowOrg(t);
      const { workflowId } = await ok(postWorkflow(t, o), 201);
      await contact(t, o.source, 's1', { email: 'w4@example.com' });
      await deal(t, o.source, 'd1', 'closedwon', ['s1']);
      await runsReach(t, o, workflowId, 1);
      const mirroringOnly = { accounts: [o.source, o.target], direction: 'one-way', from: o.source, features: { dataMirroring: true, assetCopying: false, workflows: false } };
      await suspendedBy(o, workflowId, async () => ok(t.request('PUT', `/v1/organizations/${o.organizationId}/connections`, { body: { connections: [mirroringOnly] }, headers: await orgHeaders(o.user, { acting: o.primary }) })), 'flow-revoked');

      const restored = await ok(t.request('PUT', `/v1/organizations/${o.organizationId}/connections`, { body: { connections: [workflowsOneWay(o.source, o.target)] }, headers: await orgHeaders(o.user, { acting: o.primary }) }));
      const closed = await deal(t, o.source, 'd2', 'closedwon', ['s1']);
      await processReached(t, closed.position);
      expect((await listWorkflows(t, o, restored.position)).find((w) => w.workflowId === workflowId)).toMatchObject({ status: 'suspended', runs: 1 });
      const history = (await ok(t.request('GET', `/v1/organizations/${o.organizationId}/history`, { headers: await orgHeaders(o.user, { acting: o.primary, stepUp: null }) }))).items;
      expect(history.map((h: { type: string }) => h.type)).toEqual(['OrganizationCreated', 'WorkflowDefined', 'ConnectionsConfigured', 'WorkflowSuspended', 'ConnectionsConfigured']);
      expect(history[3]).toMatchObject({ reason: 'flow-revoked', details: { workflowId } });
      // The change that caused it names its actor; the suspension is its consequence.
      expect(history[3]).not.toHaveProperty('actorUserId');
    });

    it('W4 C4: the source turning sensitive data on revokes the flow and suspends the workflow', async () => {
      const o = await givenWorkflowOrg(t);
      const { workflowId } = await ok(postWorkflow(t, o), 201);
      const fact = await ok(t.request('PUT', `/v1/accounts/${o.source}/sensitive-data`, { body: { enabled: true } }));
      const items = await eventually(() => listWorkflows(t, o, fact.position), (ws) => ws[0]?.status === 'suspended');
      expect(items[0]).toMatchObject({ workflowId, suspendedReason: 'flow-revoked' });
      const [revoked] = await eventsOf(t, `organization-${o.organizationId}`, 'FlowsRevoked');
      const [suspended] = await eventsOf(t, `organization-${o.organizationId}`, 'WorkflowSuspended');
      expect(suspended.position).toBe(revoked.position + 1n);
    });

    it('W4 the target leaving (members edited) suspends the workflow (account-left)', async () => {
      const o = await givenWorkflowOrg(t, 3, (e) => [workflowsOneWay(e.others[0], e.others[1])]);
      const w = { sourceAccountId: o.others[0], targetAccountId: o.others[1] };
      const { workflowId } = await ok(postWorkflow(t, o, w), 201);
      await suspendedBy(o, workflowId, async () => ok(t.request('PUT', `/v1/organizations/${o.organizationId}/members`, { body: { accountIds: [o.primary, o.others[0]] }, headers: await orgHeaders(o.user, { acting: o.primary }) })), 'account-left');
    });

    it('W4 deleting the organization suspends its workflows (organization-deleted); they stay listed', async () => {
      const o = await givenWorkflowOrg(t);
      const { workflowId } = await ok(postWorkflow(t, o), 201);
      await suspendedBy(o, workflowId, async () => ok(t.request('DELETE', `/v1/organizations/${o.organizationId}`, { headers: await orgHeaders(o.user, { acting: o.primary }) })), 'organization-deleted');
    });
  });
});
