import { READ_STORE, type ReadStore } from '@mam/read-store';
import { CONTACTS, type ContactDoc } from '../src/mirroring/mirroring.collections';
import { WORKFLOWS_PROCESS } from '../src/workflows/workflows.process';
import { eligibleAccounts, eventually, features, givenOrganization, ok, orgHeaders, type Connection, type Eligible } from './fixtures';
import type { Answer, TestApp } from './test-app';

/** Set-up and observation helpers for the workflow tests (W1–W4) through the real app. */

export const workflowsOneWay = (from: string, to: string): Connection => ({ accounts: [from, to], direction: 'one-way', from, features: features({ workflows: true }) });

export interface WorkflowOrg extends Eligible {
  organizationId: string;
  /** The workflow source (the primary) and target (the first other account). */
  source: string;
  target: string;
}

/** An organization of a primary (source) and `n − 1` others, with a workflows flow primary → first other. */
export async function givenWorkflowOrg(t: TestApp, n = 2, connections?: (e: Eligible) => Connection[]): Promise<WorkflowOrg> {
  const e = await eligibleAccounts(t, n, 'wf');
  const { organizationId } = await givenOrganization(t, e, { connections: connections?.(e) ?? [workflowsOneWay(e.primary, e.others[0])] });
  return { ...e, organizationId, source: e.primary, target: e.others[0] };
}

export interface WorkflowBody {
  workflowId?: string;
  name?: string;
  sourceAccountId: string;
  targetAccountId: string;
  trigger?: { type: string };
  action?: { type: string; properties?: Record<string, string>; markCrossSellOpportunity?: boolean };
}

export const workflowBody = (body: WorkflowBody) => ({
  name: 'Cross-sell',
  trigger: { type: 'deal-closed-won' },
  action: { type: 'create-or-update-contact' },
  ...body,
});

export async function postWorkflow(t: TestApp, o: WorkflowOrg, body: Partial<WorkflowBody> = {}, headers?: Record<string, string>): Promise<Answer> {
  return t.request('POST', `/v1/organizations/${o.organizationId}/workflows`, {
    body: workflowBody({ sourceAccountId: o.source, targetAccountId: o.target, ...body }),
    headers: headers ?? (await orgHeaders(o.user)),
  });
}

export async function listWorkflows(t: TestApp, o: WorkflowOrg, position?: string): Promise<any[]> {
  return (await ok(t.read(`/v1/organizations/${o.organizationId}/workflows`, position, await orgHeaders(o.user, { acting: o.source, stepUp: null })))).items;
}

export const contact = (t: TestApp, accountId: string, contactId: string, body: { email: string; firstName?: string; properties?: Record<string, string> }) =>
  ok<{ position: string }>(t.request('PUT', `/v1/accounts/${accountId}/contacts/${contactId}`, { body }));

export const deal = (t: TestApp, accountId: string, dealId: string, stage: string, contactIds: string[], amount?: number) =>
  ok<{ position: string }>(t.request('PUT', `/v1/accounts/${accountId}/deals/${dealId}`, { body: { name: `Deal ${dealId}`, stage, contactIds, ...(amount !== undefined ? { amount } : {}) } }));

/** The account's contacts as the mirroring read model keeps them, by id. */
export async function contactsOf(t: TestApp, accountId: string): Promise<Map<string, ContactDoc>> {
  const rows = await t.app.get<ReadStore>(READ_STORE).find<ContactDoc>(CONTACTS, { accountId });
  return new Map(rows.map((r) => [r.doc.contactId, r.doc]));
}

/** A bound for what the process does in the background, generous for a loaded machine (a bound, not a timing). */
export const BACKGROUND_MS = 20_000;

/** Until the workflow shows `runs` triggers handled. */
export const runsReach = async (t: TestApp, o: WorkflowOrg, workflowId: string, runs: number) =>
  (await eventually(() => listWorkflows(t, o), (items) => items.find((w) => w.workflowId === workflowId)?.runs >= runs, BACKGROUND_MS)).find((w) => w.workflowId === workflowId);

/** Until the workflows process has handled `position`: for asserting that nothing happened. */
export async function processReached(t: TestApp, position: string | bigint): Promise<void> {
  await eventually(
    async () => (await ok(t.request('GET', '/v1/ops/projections'))).items.find((i: { name: string }) => i.name === WORKFLOWS_PROCESS),
    (p) => p?.position != null && BigInt(p.position) >= BigInt(position),
    BACKGROUND_MS,
  );
}

/** The events of a stream, by type. */
export async function eventsOf(t: TestApp, streamId: string, type?: string) {
  return (await t.events.readStream(streamId)).filter((e) => type === undefined || e.type === type);
}
