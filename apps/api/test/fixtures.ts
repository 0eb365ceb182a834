import { stepUp, type Answer, type TestApp } from './test-app';

/** Shared set-up for the HTTP tests: accounts, users and organizations through the real API. */

export type Hub = 'marketing' | 'sales' | 'service' | 'content' | 'data' | 'commerce';
export type Tier = 'free' | 'starter' | 'professional' | 'enterprise';
export const sub = (hub: Hub, tier: Tier) => ({ hub, tier });
export const MHE = sub('marketing', 'enterprise');
export const SALES_PRO = sub('sales', 'professional');
export const CONTENT_PRO = sub('content', 'professional');

let counter = 0;
/** A fresh id with a readable prefix: every test in a shared TestApp uses its own accounts and users. */
export const uid = (prefix: string): string => `${prefix}-${++counter}`;

export interface AccountSetup {
  id: string;
  name?: string;
  hostingLocation?: string;
  sandbox?: boolean;
  /** Default: Sales Hub Professional. */
  subscriptions?: Array<{ hub: Hub; tier: Tier }>;
  sensitiveData?: boolean;
  deactivated?: boolean;
  /** Users and their roles in this account; default: none besides those given to `givenAccounts`. */
  users?: Record<string, Array<'super-admin' | 'partner-admin'>>;
}

/** Sends a request that must succeed; answers its body. */
export async function ok<T = any>(answer: Promise<Answer<T>>, status = 200): Promise<T> {
  const res = await answer;
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

const maxPosition = (positions: string[]): string =>
  positions.reduce((max, p) => (BigInt(p) > BigInt(max) ? p : max), '0');

/**
 * Registers accounts, makes `superAdmin` a Super Admin of each (unless null),
 * sets up the users each account lists, and turns two-factor on for
 * `superAdmin` (unless `twoFactor: false`). Answers the position of the last
 * event, for read-your-writes.
 */
export async function givenAccounts(
  t: TestApp,
  superAdmin: string | null,
  accounts: AccountSetup[],
  options: { twoFactor?: boolean } = {},
): Promise<string> {
  const positions: string[] = [];
  for (const a of accounts) {
    const body = {
      accountId: a.id,
      name: a.name ?? `Account ${a.id}`,
      hostingLocation: a.hostingLocation ?? 'na1',
      sandbox: a.sandbox ?? false,
      subscriptions: a.subscriptions ?? [SALES_PRO],
      sensitiveData: a.sensitiveData ?? false,
    };
    positions.push((await ok(t.request('POST', '/v1/accounts', { body }), 201)).position);
    const users = { ...(superAdmin ? { [superAdmin]: ['super-admin'] } : {}), ...(a.users ?? {}) };
    for (const [userId, roles] of Object.entries(users)) {
      positions.push((await ok(t.request('PUT', `/v1/accounts/${a.id}/users/${userId}`, { body: { roles, seats: [] } }))).position);
    }
    if (a.deactivated) positions.push((await ok(t.request('POST', `/v1/accounts/${a.id}/deactivation`, { body: {} }))).position);
  }
  if (superAdmin && options.twoFactor !== false) {
    positions.push((await ok(t.request('PUT', `/v1/users/${superAdmin}/two-factor`, { body: { enabled: true } }))).position);
  }
  return maxPosition(positions);
}

export interface Eligible {
  user: string;
  /** Has Marketing Hub Enterprise and Sales Hub Professional. */
  primary: string;
  /** Sales Hub Professional, na1. */
  others: string[];
  position: string;
}

/**
 * N eligible accounts (N ≥ 1): a primary with Marketing Hub Enterprise and
 * N − 1 others with Sales Hub Professional, all in na1, administered by one
 * fresh Super Admin with two-factor set up.
 */
export async function eligibleAccounts(t: TestApp, n: number, prefix = 'acc'): Promise<Eligible> {
  const user = uid(`${prefix}-user`);
  const primary = uid(`${prefix}-p`);
  const others = Array.from({ length: n - 1 }, (_, i) => uid(`${prefix}-${String.fromCharCode(97 + (i % 26))}`));
  const position = await givenAccounts(t, user, [
    { id: primary, subscriptions: [MHE, SALES_PRO] },
    ...others.map((id) => ({ id })),
  ]);
  return { user, primary, others, position };
}

/** Organization request headers: actor, acting account, a step-up (a fresh OTP one unless given; null for none). */
export async function orgHeaders(
  user: string,
  options: { acting?: string; stepUp?: string | null; amr?: string[] } = {},
): Promise<Record<string, string>> {
  const headers: Record<string, string> = { 'x-actor-user-id': user };
  if (options.acting) headers['x-acting-account-id'] = options.acting;
  const token = options.stepUp === undefined ? await stepUp(user, options.amr ? { amr: options.amr } : {}) : options.stepUp;
  if (token !== null) headers['x-step-up'] = token;
  return headers;
}

export interface Connection {
  accounts: [string, string];
  direction?: 'two-way' | 'one-way';
  from?: string;
  /** `reporting` may be left out (api.md): existing consumers send three features. */
  features: { dataMirroring: boolean; assetCopying: boolean; workflows: boolean; reporting?: boolean };
}

export const features = (on: Partial<Connection['features']> = {}): Connection['features'] => ({
  dataMirroring: false,
  assetCopying: false,
  workflows: false,
  ...on,
});

export interface CreateBody {
  organizationId?: string;
  name?: string;
  primaryAccountId: string;
  additionalAccountIds?: string[];
  connections?: Connection[];
  acknowledgeImpact?: boolean;
  acknowledgeBeta?: boolean;
}

export const createBody = (body: CreateBody) => ({
  name: 'Org',
  additionalAccountIds: [],
  acknowledgeImpact: true,
  acknowledgeBeta: true,
  ...body,
});

/** POST /v1/organizations with a fresh step-up (unless headers are given). */
export async function postOrganization(t: TestApp, user: string, body: CreateBody, headers?: Record<string, string>): Promise<Answer> {
  return t.request('POST', '/v1/organizations', { body: createBody(body), headers: headers ?? (await orgHeaders(user)) });
}

/** An organization of `eligible`'s primary and its others; answers its id and the command's position. */
export async function givenOrganization(
  t: TestApp,
  e: Eligible,
  options: { members?: string[]; connections?: Connection[] } = {},
): Promise<{ organizationId: string; position: string }> {
  const organizationId = uid('org');
  return ok(
    postOrganization(t, e.user, {
      organizationId,
      primaryAccountId: e.primary,
      additionalAccountIds: options.members ?? e.others,
      connections: options.connections,
    }),
    201,
  );
}

/** Polls `read` until `until` holds (for what the sagas do in the background); fails after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, until: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (until(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not reached within ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
