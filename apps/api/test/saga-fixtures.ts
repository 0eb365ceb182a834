import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '@mam/event-store';
import { stepUp, type Answer, type TestApp } from './test-app';

/**
 * Set-up and observation helpers for the lifecycle-policy (saga) tests: build
 * an organization through the real HTTP API, report an account fact, then
 * poll (bounded) until the saga's reaction shows in the read models.
 */

export type Hub = 'marketing' | 'sales' | 'service' | 'content' | 'data' | 'commerce';
export type Tier = 'free' | 'starter' | 'professional' | 'enterprise';
export interface Sub {
  hub: Hub;
  tier: Tier;
}
export const sub = (hub: Hub, tier: Tier): Sub => ({ hub, tier });
export const MHE = sub('marketing', 'enterprise');
export const MARKETING_PRO = sub('marketing', 'professional');
export const SALES_PRO = sub('sales', 'professional');
export const SALES_STARTER = sub('sales', 'starter');
export const CONTENT_PRO = sub('content', 'professional');

export const SAGA = 'saga:lifecycle';
// Generous: a loaded machine (or CI) may take seconds to restart an app and catch up.
export const POLL_TIMEOUT_MS = 15_000;

export interface ConnectionBody {
  accounts: [string, string];
  direction: 'two-way' | 'one-way';
  from?: string;
  features: { dataMirroring: boolean; assetCopying: boolean; workflows: boolean };
}

type On = Partial<ConnectionBody['features']>;
const features = (on: On): ConnectionBody['features'] => ({ dataMirroring: false, assetCopying: false, workflows: false, ...on });
export const twoWay = (a: string, b: string, on: On = { dataMirroring: true }): ConnectionBody => ({
  accounts: [a, b],
  direction: 'two-way',
  features: features(on),
});
export const oneWay = (from: string, to: string, on: On = { dataMirroring: true }): ConnectionBody => ({
  accounts: [from, to],
  direction: 'one-way',
  from,
  features: features(on),
});

/** A fresh, readable id: every test in a shared TestApp has its own accounts, users and organizations. */
export const uniqueId = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Sends a request that must answer `status`; gives its body. */
export async function ok<T = any>(answer: Promise<Answer<T>>, status = 200): Promise<T> {
  const res = await answer;
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface AccountSpec {
  /** Suffix of the account id, e.g. `b` → `<prefix>-b`. */
  key: string;
  subscriptions?: Sub[];
  hostingLocation?: string;
}

export interface OrgFixture {
  organizationId: string;
  user: string;
  /** Account ids by key; `primary` is the organization's primary. */
  ids: Record<string, string>;
  primary: string;
  /** Position of the organization's creation. */
  position: string;
}

/** Registers an account with `user` as its Super Admin (with a Sales seat). */
export async function givenAccount(t: TestApp, user: string, accountId: string, spec: Omit<AccountSpec, 'key'> = {}): Promise<string> {
  await ok(
    t.request('POST', '/v1/accounts', {
      body: {
        accountId,
        name: `Account ${accountId}`,
        hostingLocation: spec.hostingLocation ?? 'na1',
        subscriptions: spec.subscriptions ?? [SALES_PRO],
      },
    }),
    201,
  );
  const res = await ok(t.request('PUT', `/v1/accounts/${accountId}/users/${user}`, { body: { roles: ['super-admin'], seats: ['sales'] } }));
  return res.position;
}

/** Organization request headers: actor, acting account, and (for commands) a fresh OTP step-up. */
export async function orgHeaders(user: string, acting?: string, withStepUp = false): Promise<Record<string, string>> {
  return {
    'x-actor-user-id': user,
    ...(acting ? { 'x-acting-account-id': acting } : {}),
    ...(withStepUp ? { 'x-step-up': await stepUp(user) } : {}),
  };
}

/**
 * An organization built through the API: a primary with Marketing Hub
 * Enterprise and Sales Hub Professional, the other accounts (Sales Hub
 * Professional unless given), one Super Admin of all of them with two-factor
 * set up, created with a fresh step-up and the given connections.
 */
export async function givenOrganization(
  t: TestApp,
  options: {
    prefix: string;
    members?: AccountSpec[];
    primarySubscriptions?: Sub[];
    connections?: (ids: Record<string, string>) => ConnectionBody[];
  },
): Promise<OrgFixture> {
  const base = uniqueId(options.prefix);
  const user = `${base}-user`;
  const ids: Record<string, string> = { primary: `${base}-primary` };
  for (const m of options.members ?? [{ key: 'b' }]) ids[m.key] = `${base}-${m.key}`;
  await givenAccount(t, user, ids.primary, { subscriptions: options.primarySubscriptions ?? [MHE, SALES_PRO] });
  for (const m of options.members ?? [{ key: 'b' }]) await givenAccount(t, user, ids[m.key], m);
  await ok(t.request('PUT', `/v1/users/${user}/two-factor`, { body: { enabled: true } }));

  const organizationId = `${base}-org`;
  const created = await ok(
    t.request('POST', '/v1/organizations', {
      headers: await orgHeaders(user, undefined, true),
      body: {
        organizationId,
        name: `Org ${base}`,
        primaryAccountId: ids.primary,
        additionalAccountIds: Object.keys(ids).filter((k) => k !== 'primary').map((k) => ids[k]),
        connections: options.connections?.(ids) ?? [],
        acknowledgeImpact: true,
        acknowledgeBeta: true,
      },
    }),
    201,
  );
  // Read-your-writes: the organization is visible before the test goes on.
  await ok(t.read(`/v1/organizations/${organizationId}`, created.position, await orgHeaders(user, ids.primary)));
  return { organizationId, user, ids, primary: ids.primary, position: created.position };
}

// ── account facts (what the account/billing service reports) ──────────────
export const reportSubscriptions = (t: TestApp, accountId: string, subscriptions: Sub[]) =>
  ok<{ position: string }>(t.request('PUT', `/v1/accounts/${accountId}/subscriptions`, { body: { subscriptions } }));
export const reportHostingMove = (t: TestApp, accountId: string, hostingLocation: string) =>
  ok<{ position: string }>(t.request('PUT', `/v1/accounts/${accountId}/hosting-location`, { body: { hostingLocation } }));
export const reportSensitiveData = (t: TestApp, accountId: string) =>
  ok<{ position: string }>(t.request('PUT', `/v1/accounts/${accountId}/sensitive-data`, { body: { enabled: true } }));
export const reportDeactivation = (t: TestApp, accountId: string) =>
  ok<{ position: string }>(t.request('POST', `/v1/accounts/${accountId}/deactivation`, { body: {} }));

/** The last event of `type` in the account's stream: the fact a saga reaction names as its cause. */
export async function factEvent(t: TestApp, accountId: string, type: string): Promise<RecordedEvent> {
  const events = await t.events.readStream(`account-${accountId}`);
  const fact = [...events].reverse().find((e) => e.type === type);
  if (!fact) throw new Error(`no ${type} in account-${accountId}`);
  return fact;
}

export async function orgEvents(t: TestApp, organizationId: string): Promise<RecordedEvent[]> {
  return t.events.readStream(`organization-${organizationId}`);
}

// ── reads ─────────────────────────────────────────────────────────────────
export interface HistoryItem {
  position: string;
  at: string;
  type: string;
  reason?: string;
  causationId?: string;
  actorUserId?: string;
  details: Record<string, any>;
}

export async function getOrganization(t: TestApp, f: OrgFixture, acting: string): Promise<any> {
  return ok(t.request('GET', `/v1/organizations/${f.organizationId}`, { headers: await orgHeaders(f.user, acting) }));
}

/** `minPosition`: served only once the read models have processed it (read-your-writes). */
export async function getHistory(t: TestApp, f: OrgFixture, acting: string, minPosition?: bigint): Promise<HistoryItem[]> {
  const headers: Record<string, string> = await orgHeaders(f.user, acting);
  if (minPosition !== undefined) headers['x-min-position'] = minPosition.toString();
  return (await ok(t.request('GET', `/v1/organizations/${f.organizationId}/history`, { headers }))).items;
}

export const getAccount = (t: TestApp, accountId: string): Promise<any> => ok(t.request('GET', `/v1/accounts/${accountId}`));

/** Stores a contact (CRM data) in an account. */
export const putContact = (t: TestApp, accountId: string, contactId: string, email: string) =>
  ok<{ position: string }>(t.request('PUT', `/v1/accounts/${accountId}/contacts/${contactId}`, { body: { email, firstName: contactId } }));

/** The account ids whose contacts `accountId`'s user sees mirrored (M2, M3 must hold for `user`). */
export async function mirroredSources(t: TestApp, accountId: string, user: string, position?: string): Promise<string[]> {
  const res = await ok(t.read(`/v1/accounts/${accountId}/mirrored-contacts`, position, { 'x-actor-user-id': user }));
  return res.items.flatMap((i: { sources: Array<{ accountId: string }> }) => i.sources.map((s) => s.accountId)).sort();
}

/** Polls `read` until `until` holds (what the sagas do happens in the background); fails after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, until: (value: T) => boolean, timeoutMs = POLL_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (until(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Polls the history until an entry of `type` shows (bounded); gives the whole history. */
export function historyWith(t: TestApp, f: OrgFixture, acting: string, type: string, count = 1): Promise<HistoryItem[]> {
  return eventually(
    () => getHistory(t, f, acting),
    (items) => items.filter((i) => i.type === type).length >= count,
  );
}

/** Until the lifecycle saga has handled `position` (GET /v1/ops/projections): for asserting that nothing happened. */
export async function sagaReached(t: TestApp, position: string | bigint, timeoutMs = POLL_TIMEOUT_MS): Promise<void> {
  await eventually(
    async () => (await ok(t.request('GET', '/v1/ops/projections'))).items.find((i: { name: string }) => i.name === SAGA),
    (saga) => saga?.position != null && BigInt(saga.position) >= BigInt(position),
    timeoutMs,
  );
}

/** The saga reaction's entries: the reason and the fact's event id as causation. */
export function expectCausedBy(entry: HistoryItem | undefined, fact: RecordedEvent, reason: string): void {
  expect(entry).toEqual(expect.objectContaining({ reason, causationId: fact.id }));
  // A policy acts on its own: no user, no acting account, no step-up.
  expect(entry).not.toHaveProperty('actorUserId');
}
