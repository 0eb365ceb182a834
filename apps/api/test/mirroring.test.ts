import {
  CONTENT_PRO,
  eligibleAccounts,
  eventually,
  features,
  givenAccounts,
  givenOrganization,
  MHE,
  ok,
  orgHeaders,
  SALES_PRO,
  sub,
  uid,
  type Connection,
  type Eligible,
} from './fixtures';
import { TestApp, type Answer } from './test-app';

/**
 * api.md "CRM data" and "Mirrored contacts" over HTTP, on the real app:
 * every CRM command's success and validation (nothing appended on a
 * refusal), the mirrored-contact listing and view, M3 visibility, and M4
 * end to end — including the lifecycle sagas (C4, C5, P7) and P8.
 */

/** RFC 9457 with api.md's `code`. */
function expectProblem(res: Answer, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  if (status === 400) expect(res.body.errors.length).toBeGreaterThan(0);
}

const maxPosition = (...positions: string[]): string => positions.reduce((m, p) => (BigInt(p) > BigInt(m) ? p : m), '0');

interface ContactBody {
  email: string;
  firstName?: string;
  lastName?: string;
  properties?: Record<string, string>;
}

/** Small CRM helpers: each sends a command that must succeed and answers its position. */
function crm(t: TestApp) {
  return {
    contact: async (accountId: string, contactId: string, body: ContactBody): Promise<string> =>
      (await ok(t.request('PUT', `/v1/accounts/${accountId}/contacts/${contactId}`, { body }))).position,
    remove: async (accountId: string, contactId: string): Promise<string> =>
      (await ok(t.request('DELETE', `/v1/accounts/${accountId}/contacts/${contactId}`))).position,
    batch: async (accountId: string, upserts: Array<ContactBody & { contactId: string }>, deletes: string[] = []): Promise<string> =>
      (await ok(t.request('POST', `/v1/accounts/${accountId}/contacts:batch`, { body: { upserts, deletes } }))).position,
    activity: async (accountId: string, contactId: string, body: { activityId: string; type: string; occurredAt: string; summary: string }): Promise<string> =>
      (await ok(t.request('POST', `/v1/accounts/${accountId}/contacts/${contactId}/activities`, { body }), 201)).position,
    deal: async (accountId: string, dealId: string, body: { name: string; stage: string; amount?: number; contactIds: string[] }): Promise<string> =>
      (await ok(t.request('PUT', `/v1/accounts/${accountId}/deals/${dealId}`, { body }))).position,
    user: async (accountId: string, userId: string, seats: string[], roles: string[] = []): Promise<string> =>
      (await ok(t.request('PUT', `/v1/accounts/${accountId}/users/${userId}`, { body: { roles, seats } }))).position,
  };
}

const mirroringOneWay = (from: string, to: string): Connection => ({
  accounts: [from, to],
  direction: 'one-way',
  from,
  features: features({ dataMirroring: true }),
});

/**
 * An organization P (MHE + Sales Pro), S, T (Sales Pro) with a one-way
 * mirroring S → T, and users of T: a Sales seat, a Service seat and a
 * Marketing-only seat.
 */
async function mirroringWorld(t: TestApp, prefix: string, connections?: (e: Eligible) => Connection[]) {
  const e = await eligibleAccounts(t, 3, prefix);
  const [S, T] = e.others;
  const c = crm(t);
  const sales = uid(`${prefix}-sales`);
  const service = uid(`${prefix}-service`);
  const marketer = uid(`${prefix}-marketer`);
  await c.user(T, sales, ['sales']);
  await c.user(T, service, ['service', 'marketing']);
  await c.user(T, marketer, ['marketing']);
  const org = await givenOrganization(t, e, { connections: connections ? connections(e) : [mirroringOneWay(S, T)] });
  return { e, P: e.primary, S, T, sales, service, marketer, organizationId: org.organizationId, position: org.position, as: (user: string) => ({ 'x-actor-user-id': user }) };
}
type World = Awaited<ReturnType<typeof mirroringWorld>>;

describe('CRM data commands (api.md "CRM data")', () => {
  let t: TestApp;
  let c: ReturnType<typeof crm>;
  let A: string;
  let D: string;
  beforeAll(async () => {
    t = await TestApp.start();
    c = crm(t);
    A = uid('crm-a');
    D = uid('crm-d');
    await givenAccounts(t, null, [{ id: A }, { id: D }]);
    await c.contact(D, 'before', { email: 'before@example.com' });
    await ok(t.request('POST', `/v1/accounts/${D}/deactivation`, { body: {} }));
  });
  afterAll(() => t.close());

  /** A request that must be refused with `status`/`code` and append nothing. */
  async function refused(run: () => Promise<Answer>, status: number, code: string): Promise<Answer> {
    const before = await t.eventCount();
    const res = await run();
    expectProblem(res, status, code);
    expect(await t.eventCount()).toBe(before);
    return res;
  }

  describe('PUT /v1/accounts/{accountId}/contacts/{contactId}', () => {
    it('stores a contact: 200 with the position of its event; the same contact again appends nothing', async () => {
      const before = await t.eventCount();
      const res = await t.request('PUT', `/v1/accounts/${A}/contacts/c1`, {
        body: { email: ' Ann@Example.com ', firstName: 'Ann', lastName: 'Lee', properties: { company: 'Acme' } },
      });
      expect(res.status).toBe(200);
      expect(res.body.position).toMatch(/^\d+$/);
      expect(await t.eventCount()).toBe(before + 1);
      expect(BigInt(res.body.position)).toBe(await t.headPosition());
      const again = await t.request('PUT', `/v1/accounts/${A}/contacts/c1`, {
        body: { email: ' Ann@Example.com ', firstName: 'Ann', lastName: 'Lee', properties: { company: 'Acme' } },
      });
      expect(again.status).toBe(200);
      expect(await t.eventCount()).toBe(before + 1);
      // Only the email is required.
      expect((await t.request('PUT', `/v1/accounts/${A}/contacts/c2`, { body: { email: 'bob@example.com' } })).status).toBe(200);
    });

    it.each([
      ['no email', { firstName: 'Ann' }],
      ['an invalid email', { email: 'not-an-email' }],
      ['an empty email', { email: '' }],
      ['an email that is not a string', { email: 42 }],
      ['a firstName that is not a string', { email: 'a@example.com', firstName: 7 }],
      ['a property that is not a string', { email: 'a@example.com', properties: { score: 10 } }],
      ['properties that are an array', { email: 'a@example.com', properties: ['x'] }],
      ['an unknown field', { email: 'a@example.com', phone: '+1 555' }],
    ])('400 VALIDATION_FAILED for %s, nothing appended', async (_name, body) => {
      await refused(() => t.request('PUT', `/v1/accounts/${A}/contacts/v1`, { body }), 400, 'VALIDATION_FAILED');
    });

    it('400 for a body that is not an object or not JSON, and for a contact id of the wrong shape', async () => {
      await refused(() => t.request('PUT', `/v1/accounts/${A}/contacts/v1`, { body: [{ email: 'a@example.com' }] }), 400, 'VALIDATION_FAILED');
      await refused(() => t.request('PUT', `/v1/accounts/${A}/contacts/v1`, { payload: '{"email":' }), 400, 'VALIDATION_FAILED');
      await refused(() => t.request('PUT', `/v1/accounts/${A}/contacts/${'x'.repeat(65)}`, { body: { email: 'a@example.com' } }), 400, 'VALIDATION_FAILED');
      await refused(() => t.request('PUT', `/v1/accounts/${A}/contacts/a%20b`, { body: { email: 'a@example.com' } }), 400, 'VALIDATION_FAILED');
    });

    it('null in an optional field (firstName, lastName, properties) is the same as leaving it out', async () => {
      await c.contact(A, 'nulls', { email: 'nulls@example.com', firstName: null, lastName: null, properties: null } as unknown as ContactBody);
      const before = await t.eventCount();
      expect((await t.request('PUT', `/v1/accounts/${A}/contacts/nulls`, { body: { email: 'nulls@example.com' } })).status).toBe(200);
      expect(await t.eventCount()).toBe(before);
    });

    it('404 NOT_FOUND for an account that does not exist, nothing appended', async () => {
      await refused(() => t.request('PUT', `/v1/accounts/${uid('nobody')}/contacts/c1`, { body: { email: 'a@example.com' } }), 404, 'NOT_FOUND');
    });
  });

  describe('DELETE /v1/accounts/{accountId}/contacts/{contactId}', () => {
    it('deletes a contact: 200; deleting it again or an unknown contact → 404 NOT_FOUND, nothing appended', async () => {
      await c.contact(A, 'del-1', { email: 'del@example.com' });
      const before = await t.eventCount();
      const res = await t.request('DELETE', `/v1/accounts/${A}/contacts/del-1`);
      expect(res.status).toBe(200);
      expect(res.body.position).toMatch(/^\d+$/);
      expect(await t.eventCount()).toBe(before + 1);
      await refused(() => t.request('DELETE', `/v1/accounts/${A}/contacts/del-1`), 404, 'NOT_FOUND');
      await refused(() => t.request('DELETE', `/v1/accounts/${A}/contacts/never-was`), 404, 'NOT_FOUND');
    });
  });

  describe('POST /v1/accounts/{accountId}/contacts:batch', () => {
    const upserts = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({
        contactId: `${prefix}-${i}`,
        email: `${prefix}.${i}@example.com`,
        firstName: `First${i}`,
        lastName: `Last${i}`,
        properties: { source: 'batch', index: String(i) },
      }));

    it('a full batch of 1000 contacts fits the body limit and is accepted: 1000 events', async () => {
      const before = await t.eventCount();
      const body = { upserts: upserts(1000, 'full'), deletes: [] };
      expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThan(1024 * 1024);
      const res = await t.request('POST', `/v1/accounts/${A}/contacts:batch`, { body });
      expect(res.status).toBe(200);
      expect(res.body.position).toMatch(/^\d+$/);
      expect(await t.eventCount()).toBe(before + 1000);
    });

    it('1001 items → 400 VALIDATION_FAILED, nothing appended (upserts alone, or upserts and deletes together)', async () => {
      await refused(() => t.request('POST', `/v1/accounts/${A}/contacts:batch`, { body: { upserts: upserts(1001, 'over'), deletes: [] } }), 400, 'VALIDATION_FAILED');
      await refused(
        () => t.request('POST', `/v1/accounts/${A}/contacts:batch`, { body: { upserts: upserts(600, 'mix'), deletes: Array.from({ length: 401 }, (_, i) => `d-${i}`) } }),
        400,
        'VALIDATION_FAILED',
      );
      await refused(
        () => t.request('POST', `/v1/accounts/${A}/contacts:batch`, { body: { upserts: [], deletes: Array.from({ length: 1001 }, (_, i) => `d-${i}`) } }),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('upserts and deletes together: the deleted contacts go, unknown deletes are skipped', async () => {
      await c.batch(A, upserts(3, 'ud'));
      const before = await t.eventCount();
      const res = await t.request('POST', `/v1/accounts/${A}/contacts:batch`, {
        body: { upserts: [{ contactId: 'ud-new', email: 'new@example.com' }], deletes: ['ud-0', 'ud-1', 'ud-unknown'] },
      });
      expect(res.status).toBe(200);
      expect(await t.eventCount()).toBe(before + 3);
      await refused(() => t.request('DELETE', `/v1/accounts/${A}/contacts/ud-0`), 404, 'NOT_FOUND');
      expect((await t.request('DELETE', `/v1/accounts/${A}/contacts/ud-2`)).status).toBe(200);
    });

    it.each([
      ['an item without email', { upserts: [{ contactId: 'b1' }], deletes: [] }],
      ['an item with an invalid email', { upserts: [{ contactId: 'b1', email: 'nope' }], deletes: [] }],
      ['an item without contactId', { upserts: [{ email: 'b@example.com' }], deletes: [] }],
      ['an item with a bad contactId', { upserts: [{ contactId: 'b 1', email: 'b@example.com' }], deletes: [] }],
      ['an unknown field in an item', { upserts: [{ contactId: 'b1', email: 'b@example.com', extra: 1 }], deletes: [] }],
      ['an unknown top-level field', { upserts: [], deletes: [], dryRun: true }],
      ['the same contact upserted twice', { upserts: [{ contactId: 'b1', email: 'b@example.com' }, { contactId: 'b1', email: 'c@example.com' }], deletes: [] }],
      ['the same contact deleted twice', { upserts: [], deletes: ['b1', 'b1'] }],
      ['a contact both upserted and deleted', { upserts: [{ contactId: 'b1', email: 'b@example.com' }], deletes: ['b1'] }],
      ['upserts that are not an array', { upserts: {}, deletes: [] }],
      ['a delete that is not an id', { upserts: [], deletes: ['a b'] }],
    ])('400 VALIDATION_FAILED for %s, nothing appended', async (_name, body) => {
      await refused(() => t.request('POST', `/v1/accounts/${A}/contacts:batch`, { body }), 400, 'VALIDATION_FAILED');
    });

    it('a batch is all or nothing: one bad item among valid ones appends nothing', async () => {
      const body = { upserts: [...upserts(5, 'aon'), { contactId: 'aon-bad', email: 'bad' }], deletes: [] };
      await refused(() => t.request('POST', `/v1/accounts/${A}/contacts:batch`, { body }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('POST /v1/accounts/{accountId}/contacts/{contactId}/activities', () => {
    beforeAll(async () => {
      await c.contact(A, 'act', { email: 'act@example.com' });
    });

    it.each(['note', 'call', 'meeting', 'email', 'task'])('logs a %s: 201 with its position', async (type) => {
      const before = await t.eventCount();
      const res = await t.request('POST', `/v1/accounts/${A}/contacts/act/activities`, {
        body: { activityId: `act-${type}`, type, occurredAt: '2026-11-01T10:00:00Z', summary: `a ${type}` },
      });
      expect(res.status).toBe(201);
      expect(res.body.position).toMatch(/^\d+$/);
      expect(await t.eventCount()).toBe(before + 1);
    });

    it.each(['2026-11-01T10:00:00.123+02:00', '2026-11-01T10:00:00-05:00', '2026-11-01', '2026-11-01T10:00Z'])('accepts ISO 8601 occurredAt %s', async (occurredAt) => {
      const res = await t.request('POST', `/v1/accounts/${A}/contacts/act/activities`, {
        body: { activityId: uid('iso'), type: 'note', occurredAt, summary: '' },
      });
      expect(res.status).toBe(201);
    });

    it.each([
      ['an unknown type', { activityId: 'x1', type: 'sms', occurredAt: '2026-11-01T10:00:00Z', summary: 's' }],
      ['a type in capitals', { activityId: 'x1', type: 'NOTE', occurredAt: '2026-11-01T10:00:00Z', summary: 's' }],
      ['occurredAt in words', { activityId: 'x1', type: 'note', occurredAt: 'yesterday', summary: 's' }],
      ['occurredAt on a day that does not exist', { activityId: 'x1', type: 'note', occurredAt: '2026-02-30T10:00:00Z', summary: 's' }],
      ['occurredAt as a number', { activityId: 'x1', type: 'note', occurredAt: 1767225600000, summary: 's' }],
      ['occurredAt in US notation', { activityId: 'x1', type: 'note', occurredAt: '11/01/2026', summary: 's' }],
      ['no occurredAt', { activityId: 'x1', type: 'note', summary: 's' }],
      ['no summary', { activityId: 'x1', type: 'note', occurredAt: '2026-11-01T10:00:00Z' }],
      ['no activityId', { type: 'note', occurredAt: '2026-11-01T10:00:00Z', summary: 's' }],
      ['a bad activityId', { activityId: 'x/1', type: 'note', occurredAt: '2026-11-01T10:00:00Z', summary: 's' }],
      ['an unknown field', { activityId: 'x1', type: 'note', occurredAt: '2026-11-01T10:00:00Z', summary: 's', owner: 'me' }],
    ])('400 VALIDATION_FAILED for %s, nothing appended', async (_name, body) => {
      await refused(() => t.request('POST', `/v1/accounts/${A}/contacts/act/activities`, { body }), 400, 'VALIDATION_FAILED');
    });

    it('404 for an unknown contact, 409 ALREADY_EXISTS for an activity id logged before; nothing appended', async () => {
      const body = { activityId: 'dup', type: 'call', occurredAt: '2026-11-01T10:00:00Z', summary: 's' };
      await refused(() => t.request('POST', `/v1/accounts/${A}/contacts/no-such/activities`, { body }), 404, 'NOT_FOUND');
      await c.activity(A, 'act', body);
      await refused(() => t.request('POST', `/v1/accounts/${A}/contacts/act/activities`, { body }), 409, 'ALREADY_EXISTS');
    });
  });

  describe('PUT /v1/accounts/{accountId}/deals/{dealId}', () => {
    it('stores a deal with a number amount, or without one: 200; the same deal again appends nothing', async () => {
      const before = await t.eventCount();
      const res = await t.request('PUT', `/v1/accounts/${A}/deals/d1`, { body: { name: 'Deal', stage: 'qualified', amount: 1999.99, contactIds: ['c1', 'c2'] } });
      expect(res.status).toBe(200);
      expect(res.body.position).toMatch(/^\d+$/);
      expect((await t.request('PUT', `/v1/accounts/${A}/deals/d1`, { body: { name: 'Deal', stage: 'qualified', amount: 1999.99, contactIds: ['c1', 'c2'] } })).status).toBe(200);
      expect(await t.eventCount()).toBe(before + 1);
      expect((await t.request('PUT', `/v1/accounts/${A}/deals/d2`, { body: { name: 'No amount', stage: 'closedwon', contactIds: [] } })).status).toBe(200);
      expect((await t.request('PUT', `/v1/accounts/${A}/deals/d3`, { body: { name: 'Zero', stage: 'closedlost', amount: 0, contactIds: ['c1'] } })).status).toBe(200);
      expect(await t.eventCount()).toBe(before + 3);
    });

    it('null in an optional field (amount) is the same as leaving it out', async () => {
      expect((await t.request('PUT', `/v1/accounts/${A}/deals/dn`, { body: { name: 'D', stage: 's', amount: null, contactIds: [] } })).status).toBe(200);
      const before = await t.eventCount();
      expect((await t.request('PUT', `/v1/accounts/${A}/deals/dn`, { body: { name: 'D', stage: 's', contactIds: [] } })).status).toBe(200);
      expect(await t.eventCount()).toBe(before);
    });

    it.each([
      ['an amount as a string', { name: 'D', stage: 's', amount: '100', contactIds: [] }],
      ['no name', { stage: 's', contactIds: [] }],
      ['an empty name', { name: '', stage: 's', contactIds: [] }],
      ['no stage', { name: 'D', contactIds: [] }],
      ['no contactIds', { name: 'D', stage: 's' }],
      ['contactIds that are not ids', { name: 'D', stage: 's', contactIds: ['a b'] }],
      ['an unknown field', { name: 'D', stage: 's', contactIds: [], currency: 'EUR' }],
    ])('400 VALIDATION_FAILED for %s, nothing appended', async (_name, body) => {
      await refused(() => t.request('PUT', `/v1/accounts/${A}/deals/dv`, { body }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('A2 a deactivated account takes no CRM data', () => {
    it('A2 every CRM command on a deactivated account → 422 ACCOUNT_DEACTIVATED, nothing appended', async () => {
      const activity = { activityId: 'a1', type: 'note', occurredAt: '2026-11-01T10:00:00Z', summary: 's' };
      await refused(() => t.request('PUT', `/v1/accounts/${D}/contacts/c1`, { body: { email: 'a@example.com' } }), 422, 'ACCOUNT_DEACTIVATED');
      await refused(() => t.request('PUT', `/v1/accounts/${D}/contacts/before`, { body: { email: 'changed@example.com' } }), 422, 'ACCOUNT_DEACTIVATED');
      await refused(() => t.request('DELETE', `/v1/accounts/${D}/contacts/before`), 422, 'ACCOUNT_DEACTIVATED');
      await refused(
        () => t.request('POST', `/v1/accounts/${D}/contacts:batch`, { body: { upserts: [{ contactId: 'c1', email: 'a@example.com' }], deletes: ['before'] } }),
        422,
        'ACCOUNT_DEACTIVATED',
      );
      await refused(() => t.request('POST', `/v1/accounts/${D}/contacts/before/activities`, { body: activity }), 422, 'ACCOUNT_DEACTIVATED');
      await refused(() => t.request('PUT', `/v1/accounts/${D}/deals/d1`, { body: { name: 'D', stage: 's', contactIds: [] } }), 422, 'ACCOUNT_DEACTIVATED');
    });
  });
});

describe('mirrored contacts (api.md "Mirrored contacts")', () => {
  let t: TestApp;
  let c: ReturnType<typeof crm>;
  beforeAll(async () => {
    t = await TestApp.start();
    c = crm(t);
  });
  afterAll(() => t.close());

  const listUrl = (T: string, query = '') => `/v1/accounts/${T}/mirrored-contacts${query}`;
  const oneUrl = (T: string, contactId: string) => `/v1/accounts/${T}/contacts/${contactId}/mirrored`;

  describe('listing and one view', () => {
    let w: World;
    let position: string;
    beforeAll(async () => {
      w = await mirroringWorld(t, 'lst');
      await c.contact(w.S, 's-ann', { email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee', properties: { company: 'Acme', phone: '+1 555' } });
      await c.activity(w.S, 's-ann', { activityId: 'a2', type: 'meeting', occurredAt: '2026-02-01T09:00:00Z', summary: 'Demo' });
      await c.activity(w.S, 's-ann', { activityId: 'a1', type: 'call', occurredAt: '2026-01-01T09:00:00Z', summary: 'Intro call' });
      await c.deal(w.S, 'd-ann', { name: 'Expansion', stage: 'closedwon', amount: 4200.5, contactIds: ['s-ann'] });
      await c.deal(w.S, 'd-open', { name: 'Open', stage: 'qualified', contactIds: ['s-ann'] });
      await c.contact(w.T, 't-ann', { email: '  ANN@example.COM ' });
      await c.contact(w.T, 't-lonely', { email: 'lonely@example.com' });
      // 25 matching pairs for paging, through the batch endpoint.
      const n = Array.from({ length: 25 }, (_, i) => String(i).padStart(2, '0'));
      await c.batch(w.S, n.map((i) => ({ contactId: `s-p${i}`, email: `page${i}@example.com` })));
      position = await c.batch(w.T, n.map((i) => ({ contactId: `t-p${i}`, email: `Page${i}@Example.com` })));
    });

    it('M2 GET one view: 200 with the source properties flattened, activities in time order and deals with a number amount', async () => {
      const res = await t.read(oneUrl(w.T, 't-ann'), position, w.as(w.sales));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        email: 'ANN@example.COM',
        contactId: 't-ann',
        sources: [
          {
            accountId: w.S,
            contactId: 's-ann',
            properties: { email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee', company: 'Acme', phone: '+1 555' },
            activities: [
              { activityId: 'a1', type: 'call', occurredAt: '2026-01-01T09:00:00Z', summary: 'Intro call' },
              { activityId: 'a2', type: 'meeting', occurredAt: '2026-02-01T09:00:00Z', summary: 'Demo' },
            ],
            deals: expect.arrayContaining([
              { dealId: 'd-ann', name: 'Expansion', stage: 'closedwon', amount: 4200.5 },
              { dealId: 'd-open', name: 'Open', stage: 'qualified' },
            ]),
          },
        ],
      });
      expect(res.body.sources[0].deals).toHaveLength(2);
    });

    it('GET one view: 404 NOT_FOUND for a contact without a match, an unknown contact, and a source contact (one-way flow)', async () => {
      expectProblem(await t.read(oneUrl(w.T, 't-lonely'), position, w.as(w.sales)), 404, 'NOT_FOUND');
      expectProblem(await t.read(oneUrl(w.T, 'no-such-contact'), position, w.as(w.sales)), 404, 'NOT_FOUND');
      // S is no mirroring target: its user with a Sales seat sees no view of T's contact.
      const p = await c.user(w.S, w.sales, ['sales']);
      expectProblem(await t.read(oneUrl(w.S, 's-ann'), p, w.as(w.sales)), 404, 'NOT_FOUND');
      expect((await t.read(listUrl(w.S), p, w.as(w.sales))).body).toEqual({ items: [] });
    });

    it('M1 the email filter is trimmed and case-insensitive', async () => {
      for (const email of ['ann@example.com', '  ANN@Example.com  ', 'Ann@EXAMPLE.COM']) {
        const res = await t.read(listUrl(w.T, `?email=${encodeURIComponent(email)}`), position, w.as(w.sales));
        expect(res.status).toBe(200);
        expect(res.body.items.map((v: { contactId: string }) => v.contactId)).toEqual(['t-ann']);
        expect(res.body.nextCursor).toBeUndefined();
      }
      const none = await t.read(listUrl(w.T, `?email=${encodeURIComponent('lonely@example.com')}`), position, w.as(w.sales));
      expect(none.body).toEqual({ items: [] });
    });

    it('the listing pages by limit and cursor over 26 views without gaps or repeats', async () => {
      const all = await t.read(listUrl(w.T), position, w.as(w.sales));
      expect(all.status).toBe(200);
      expect(all.body.items).toHaveLength(26);
      expect(all.body.nextCursor).toBeUndefined();

      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | undefined;
      do {
        const res = await t.read(listUrl(w.T, `?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`), undefined, w.as(w.sales));
        expect(res.status).toBe(200);
        sizes.push(res.body.items.length);
        seen.push(...res.body.items.map((v: { contactId: string }) => v.contactId));
        cursor = res.body.nextCursor;
      } while (cursor && sizes.length < 10);
      expect(sizes).toEqual([10, 10, 6]);
      expect(new Set(seen).size).toBe(26);
      expect(seen).toEqual(all.body.items.map((v: { contactId: string }) => v.contactId));
      expect(seen.sort()).toEqual(['t-ann', ...Array.from({ length: 25 }, (_, i) => `t-p${String(i).padStart(2, '0')}`)].sort());
      for (const v of all.body.items) expect(v.sources).toHaveLength(1);
    });

    it('400 VALIDATION_FAILED for a bad limit or a cursor of another listing', async () => {
      for (const limit of ['0', '201', '-1', '2.5', 'ten', '']) {
        expectProblem(await t.request('GET', listUrl(w.T, `?limit=${limit}`), { headers: w.as(w.sales) }), 400, 'VALIDATION_FAILED');
      }
      const first = await t.request('GET', listUrl(w.T, '?limit=1'), { headers: w.as(w.sales) });
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const p = await c.user(w.S, w.sales, ['sales']);
      expectProblem(await t.read(listUrl(w.S, `?cursor=${encodeURIComponent(first.body.nextCursor)}`), p, w.as(w.sales)), 400, 'VALIDATION_FAILED');
      expectProblem(await t.request('GET', listUrl(w.T, '?cursor=garbage'), { headers: w.as(w.sales) }), 400, 'VALIDATION_FAILED');
    });

    it('400 without X-Actor-User-Id', async () => {
      expectProblem(await t.request('GET', listUrl(w.T)), 400, 'VALIDATION_FAILED');
      expectProblem(await t.request('GET', oneUrl(w.T, 't-ann')), 400, 'VALIDATION_FAILED');
    });
  });

  describe('M3 visibility', () => {
    let w: World;
    let position: string;
    beforeAll(async () => {
      w = await mirroringWorld(t, 'm3');
      await c.contact(w.S, 's1', { email: 'vis@example.com' });
      position = await c.contact(w.T, 't1', { email: 'vis@example.com' });
    });

    it('M3 a user of T with a Sales seat sees the views', async () => {
      const list = await t.read(listUrl(w.T), position, w.as(w.sales));
      expect(list.status).toBe(200);
      expect(list.body.items).toHaveLength(1);
      expect((await t.read(oneUrl(w.T, 't1'), position, w.as(w.sales))).status).toBe(200);
    });

    it('M3 a user of T with a Service seat sees the views', async () => {
      expect((await t.read(listUrl(w.T), position, w.as(w.service))).body.items).toHaveLength(1);
      expect((await t.read(oneUrl(w.T, 't1'), position, w.as(w.service))).status).toBe(200);
    });

    it('M3 a user of T with a Marketing seat only → 403 FORBIDDEN', async () => {
      expectProblem(await t.read(listUrl(w.T), position, w.as(w.marketer)), 403, 'FORBIDDEN');
      expectProblem(await t.read(oneUrl(w.T, 't1'), position, w.as(w.marketer)), 403, 'FORBIDDEN');
    });

    it('M3 a Super Admin of T without a Sales or Service seat → 403 FORBIDDEN', async () => {
      expectProblem(await t.read(listUrl(w.T), position, w.as(w.e.user)), 403, 'FORBIDDEN');
    });

    it('M3 someone who is not a user of T (even with a Sales seat in S) → 403 FORBIDDEN', async () => {
      const outsider = uid('outsider');
      const p = await c.user(w.S, outsider, ['sales']);
      expectProblem(await t.read(listUrl(w.T), p, w.as(outsider)), 403, 'FORBIDDEN');
      expectProblem(await t.read(oneUrl(w.T, 't1'), p, w.as(uid('nobody'))), 403, 'FORBIDDEN');
    });

    it('M3 a user whose Sales seat is taken away loses the views', async () => {
      const u = uid('seat');
      let p = await c.user(w.T, u, ['sales']);
      expect((await t.read(listUrl(w.T), p, w.as(u))).status).toBe(200);
      p = await c.user(w.T, u, ['marketing']);
      expectProblem(await t.read(listUrl(w.T), p, w.as(u)), 403, 'FORBIDDEN');
      await c.user(w.T, u, ['service']);
      p = (await ok(t.request('DELETE', `/v1/accounts/${w.T}/users/${u}`))).position;
      expectProblem(await t.read(listUrl(w.T), p, w.as(u)), 403, 'FORBIDDEN');
    });

    it('M3 an account without Sales or Service Hub Professional → 403 FORBIDDEN, even for a user with a Sales seat', async () => {
      const X = uid('m3-x');
      await givenAccounts(t, null, [{ id: X, subscriptions: [CONTENT_PRO, MHE, sub('sales', 'starter'), sub('service', 'free')] }]);
      const p = await c.user(X, w.sales, ['sales', 'service']);
      expectProblem(await t.read(listUrl(X), p, w.as(w.sales)), 403, 'FORBIDDEN');
      expectProblem(await t.read(oneUrl(X, 't1'), p, w.as(w.sales)), 403, 'FORBIDDEN');
      // Service Hub Professional is enough.
      const q = (await ok(t.request('PUT', `/v1/accounts/${X}/subscriptions`, { body: { subscriptions: [sub('service', 'professional')] } }))).position;
      expect((await t.read(listUrl(X), q, w.as(w.sales))).body).toEqual({ items: [] });
    });
  });

  describe('two organizations side by side', () => {
    it('no user ever sees a view of another target account', async () => {
      const a = await mirroringWorld(t, 'orga');
      const b = await mirroringWorld(t, 'orgb');
      // The same email everywhere: only the flows decide.
      const email = 'shared@example.com';
      for (const [acc, id] of [
        [a.P, 'pa'],
        [a.S, 'sa'],
        [a.T, 'ta'],
        [b.P, 'pb'],
        [b.S, 'sb'],
        [b.T, 'tb'],
      ]) {
        await c.contact(acc, id, { email, firstName: id });
      }
      const position = await c.contact(b.T, 'tb2', { email: 'SHARED@example.com ' });

      const inA = await t.read(listUrl(a.T), position, a.as(a.sales));
      expect(inA.body.items.map((v: { contactId: string; sources: Array<{ accountId: string }> }) => [v.contactId, v.sources.map((s) => s.accountId)])).toEqual([['ta', [a.S]]]);
      const inB = await t.read(listUrl(b.T), position, b.as(b.sales));
      expect(inB.body.items.map((v: { contactId: string; sources: Array<{ accountId: string }> }) => [v.contactId, v.sources.map((s) => s.accountId)])).toEqual([
        ['tb', [b.S]],
        ['tb2', [b.S]],
      ]);
      for (const v of [...inA.body.items, ...inB.body.items]) {
        for (const s of v.sources) expect([a.S, b.S]).toContain(s.accountId);
      }
      expect(JSON.stringify(inB.body)).not.toContain(a.S);
      expect(JSON.stringify(inA.body)).not.toContain(b.S);

      // A user of T1 is no user of T2: 403 on its listing and views, whatever seat they hold in T1.
      expectProblem(await t.read(listUrl(b.T), position, a.as(a.sales)), 403, 'FORBIDDEN');
      expectProblem(await t.read(oneUrl(b.T, 'tb'), position, a.as(a.sales)), 403, 'FORBIDDEN');
      expectProblem(await t.read(listUrl(a.T), position, b.as(b.service)), 403, 'FORBIDDEN');
      // The source and primary accounts of either organization have no views at all.
      for (const acc of [a.P, a.S, b.P, b.S]) {
        await c.user(acc, a.sales, ['sales']);
      }
      const p = await c.user(b.S, b.sales, ['sales']);
      for (const acc of [a.P, a.S, b.P, b.S]) {
        const res = await t.read(listUrl(acc), p, a.as(a.sales));
        expect(res.status).toBe(200);
        expect(res.body.items).toEqual([]);
      }
    });
  });

  describe('M4 views follow the sources', () => {
    const views = async (w: World, position?: string) => {
      const res = await t.read(listUrl(w.T), position, w.as(w.sales));
      expect(res.status).toBe(200);
      return res.body.items as Array<{ contactId: string; sources: Array<{ accountId: string; contactId: string; properties: Record<string, string> }> }>;
    };
    const ids = (items: Array<{ contactId: string }>) => items.map((v) => v.contactId);

    async function withData(prefix: string, connections?: (e: Eligible) => Connection[]) {
      const w = await mirroringWorld(t, prefix, connections);
      await c.contact(w.S, 's1', { email: 'one@example.com', firstName: 'One' });
      await c.contact(w.S, 's2', { email: 'two@example.com', firstName: 'Two' });
      await c.contact(w.T, 't1', { email: 'one@example.com' });
      const position = await c.contact(w.T, 't2', { email: 'two@example.com' });
      return { w, position };
    }

    it('M4 a source edit updates the view (read your writes with X-Min-Position)', async () => {
      const { w, position } = await withData('edit');
      expect((await t.read(oneUrl(w.T, 't1'), position, w.as(w.sales))).body.sources[0].properties).toEqual({ email: 'one@example.com', firstName: 'One' });
      const p = await c.contact(w.S, 's1', { email: 'ONE@example.com', firstName: 'Uno', lastName: 'Primo', properties: { city: 'Rome' } });
      expect((await t.read(oneUrl(w.T, 't1'), p, w.as(w.sales))).body.sources[0].properties).toEqual({
        email: 'ONE@example.com',
        firstName: 'Uno',
        lastName: 'Primo',
        city: 'Rome',
      });
      const q = await c.activity(w.S, 's1', { activityId: 'new', type: 'task', occurredAt: '2026-03-01T00:00:00Z', summary: 'Follow up' });
      expect((await t.read(oneUrl(w.T, 't1'), q, w.as(w.sales))).body.sources[0].activities).toEqual([
        { activityId: 'new', type: 'task', occurredAt: '2026-03-01T00:00:00Z', summary: 'Follow up' },
      ]);
      const r = await c.deal(w.S, 'd1', { name: 'Deal', stage: 'closedwon', amount: 10, contactIds: ['s1'] });
      expect((await t.read(oneUrl(w.T, 't1'), r, w.as(w.sales))).body.sources[0].deals).toEqual([{ dealId: 'd1', name: 'Deal', stage: 'closedwon', amount: 10 }]);
      const s = await c.deal(w.S, 'd1', { name: 'Deal', stage: 'closedwon', amount: 10, contactIds: ['s2'] });
      expect((await t.read(oneUrl(w.T, 't1'), s, w.as(w.sales))).body.sources[0].deals).toEqual([]);
      expect((await t.read(oneUrl(w.T, 't2'), s, w.as(w.sales))).body.sources[0].deals).toEqual([{ dealId: 'd1', name: 'Deal', stage: 'closedwon', amount: 10 }]);
    });

    it('M4 a source email change moves the source to the view of its new email; a target email change re-matches', async () => {
      const { w } = await withData('email');
      let p = await c.contact(w.S, 's1', { email: 'two@example.com', firstName: 'One' });
      expect(ids(await views(w, p))).toEqual(['t2']);
      expect((await t.read(oneUrl(w.T, 't2'), p, w.as(w.sales))).body.sources.map((s: { contactId: string }) => s.contactId).sort()).toEqual(['s1', 's2']);
      p = await c.contact(w.T, 't1', { email: 'two@example.com' });
      expect(ids(await views(w, p))).toEqual(['t1', 't2']);
      p = await c.contact(w.T, 't2', { email: 'three@example.com' });
      expect(ids(await views(w, p))).toEqual(['t1']);
    });

    it('M4 a source delete removes its view (404); a batch delete too', async () => {
      const { w } = await withData('delete');
      let p = await c.remove(w.S, 's1');
      expectProblem(await t.read(oneUrl(w.T, 't1'), p, w.as(w.sales)), 404, 'NOT_FOUND');
      expect(ids(await views(w, p))).toEqual(['t2']);
      p = await c.batch(w.S, [], ['s2']);
      expect(await views(w, p)).toEqual([]);
    });

    it('M4 a target contact delete removes its view', async () => {
      const { w } = await withData('tdelete');
      const p = await c.remove(w.T, 't2');
      expect(ids(await views(w, p))).toEqual(['t1']);
      expectProblem(await t.read(oneUrl(w.T, 't2'), p, w.as(w.sales)), 404, 'NOT_FOUND');
    });

    it('M4 a new flow back-fills views from existing data (PUT connections)', async () => {
      const { w, position } = await withData('backfill', () => []);
      expect(await views(w, position)).toEqual([]);
      const res = await ok(
        t.request('PUT', `/v1/organizations/${w.organizationId}/connections`, {
          body: { connections: [mirroringOneWay(w.S, w.T)] },
          headers: await orgHeaders(w.e.user, { acting: w.S }),
        }),
      );
      const items = await views(w, res.position);
      expect(ids(items)).toEqual(['t1', 't2']);
      expect(items[0].sources).toEqual([{ accountId: w.S, contactId: 's1', properties: { email: 'one@example.com', firstName: 'One' }, activities: [], deals: [] }]);
    });

    it('M4 a flow revoked by PUT connections without mirroring removes the views', async () => {
      const { w, position } = await withData('revoke');
      expect(await views(w, position)).toHaveLength(2);
      const res = await ok(
        t.request('PUT', `/v1/organizations/${w.organizationId}/connections`, {
          body: { connections: [{ accounts: [w.S, w.T], direction: 'two-way', features: features({ assetCopying: true, workflows: true }) }] },
          headers: await orgHeaders(w.e.user, { acting: w.P }),
        }),
      );
      expect(await views(w, res.position)).toEqual([]);
      expectProblem(await t.read(oneUrl(w.T, 't1'), res.position, w.as(w.sales)), 404, 'NOT_FOUND');
      // New data along the revoked flow makes no view either.
      const p = await c.contact(w.S, 's3', { email: 'one@example.com' });
      expect(await views(w, p)).toEqual([]);
    });

    it('M4/C4 sensitive data turned on in the source: the saga revokes its flow and the views go', async () => {
      const { w, position } = await withData('c4');
      expect(await views(w, position)).toHaveLength(2);
      await ok(t.request('PUT', `/v1/accounts/${w.S}/sensitive-data`, { body: { enabled: true } }));
      await eventually(() => views(w), (items) => items.length === 0);
      const org = await ok(t.request('GET', `/v1/organizations/${w.organizationId}`, { headers: { 'x-actor-user-id': w.e.user, 'x-acting-account-id': w.P } }));
      expect(org.connections[0].revoked).toEqual([{ feature: 'dataMirroring', from: w.S, to: w.T, reason: 'sensitive-data' }]);
      expect(org.connections[0].flows.dataMirroring).toEqual([]);
    });

    it('M4/C5 the target downgraded below Sales/Service Pro (still a member): the saga revokes mirroring into it; views are gone, not just hidden', async () => {
      const { w, position } = await withData('c5');
      expect(await views(w, position)).toHaveLength(2);
      const down = await ok(t.request('PUT', `/v1/accounts/${w.T}/subscriptions`, { body: { subscriptions: [CONTENT_PRO, sub('sales', 'starter')] } }));
      // M3 hides them at once…
      expectProblem(await t.read(listUrl(w.T), down.position, w.as(w.sales)), 403, 'FORBIDDEN');
      // …and C5 removes them: the flow is revoked while T stays a member.
      const headers = { 'x-actor-user-id': w.e.user, 'x-acting-account-id': w.P };
      const org = await eventually(
        () => ok(t.request('GET', `/v1/organizations/${w.organizationId}`, { headers })),
        (o) => o.connections.some((x: { revoked: unknown[] }) => x.revoked.length > 0),
      );
      expect(org.members.map((m: { accountId: string }) => m.accountId)).toContain(w.T);
      expect(org.connections[0].revoked).toEqual([{ feature: 'dataMirroring', from: w.S, to: w.T, reason: 'mirroring-target-ineligible' }]);
      const up = await ok(t.request('PUT', `/v1/accounts/${w.T}/subscriptions`, { body: { subscriptions: [SALES_PRO] } }));
      expect(await views(w, up.position)).toEqual([]);
      expectProblem(await t.read(oneUrl(w.T, 't1'), up.position, w.as(w.sales)), 404, 'NOT_FOUND');
    });

    it('P7 an evicted source (hosting moved): the views from it are removed', async () => {
      const { w, position } = await withData('p7s');
      expect(await views(w, position)).toHaveLength(2);
      await ok(t.request('PUT', `/v1/accounts/${w.S}/hosting-location`, { body: { hostingLocation: 'eu1' } }));
      await eventually(() => views(w), (items) => items.length === 0);
      const account = await ok(t.request('GET', `/v1/accounts/${w.S}`));
      expect(account.organizationId).toBeNull();
    });

    it('P7 an evicted target (deactivated): the views into it are removed', async () => {
      const { w, position } = await withData('p7t');
      expect(await views(w, position)).toHaveLength(2);
      await ok(t.request('POST', `/v1/accounts/${w.T}/deactivation`, { body: {} }));
      // Reads of a deactivated account still answer (A2); T keeps Sales Hub Pro, so M3 holds and the list is empty.
      await eventually(() => views(w), (items) => items.length === 0);
      await eventually(
        () => ok(t.request('GET', `/v1/accounts/${w.T}`)),
        (a) => a.organizationId === null,
      );
    });

    it('P7 in a two-way connection, an evicted member loses the views into it and from it', async () => {
      const { w, position } = await withData('p7two', (e) => [{ accounts: [e.others[0], e.others[1]], direction: 'two-way', features: features({ dataMirroring: true }) }]);
      const seat = await c.user(w.S, w.sales, ['sales']);
      const inS = async (pos?: string) => (await t.read(listUrl(w.S), pos, w.as(w.sales))).body.items as unknown[];
      expect(await views(w, position)).toHaveLength(2);
      // Read with the seat's own position: the listing needs the seat projected (M3), not only the views.
      expect(await inS(seat)).toHaveLength(2);
      await ok(t.request('PUT', `/v1/accounts/${w.S}/subscriptions`, { body: { subscriptions: [sub('sales', 'starter')] } }));
      await eventually(() => views(w), (items) => items.length === 0);
      // S lost every Professional subscription: M3 hides its listing anyway; give it back to check the views are gone.
      const up = await ok(t.request('PUT', `/v1/accounts/${w.S}/subscriptions`, { body: { subscriptions: [SALES_PRO] } }));
      expect(await inS(up.position)).toEqual([]);
    });

    it('P8 a deleted organization: all its mirrored views disappear', async () => {
      const { w, position } = await withData('p8', (e) => [{ accounts: [e.others[0], e.others[1]], direction: 'two-way', features: features({ dataMirroring: true }) }]);
      await c.user(w.S, w.sales, ['sales']);
      expect(await views(w, position)).toHaveLength(2);
      const res = await ok(
        t.request('DELETE', `/v1/organizations/${w.organizationId}`, { headers: await orgHeaders(w.e.user, { acting: w.P }) }),
      );
      expect(await views(w, res.position)).toEqual([]);
      expect((await t.read(listUrl(w.S), res.position, w.as(w.sales))).body).toEqual({ items: [] });
      expectProblem(await t.read(oneUrl(w.T, 't1'), res.position, w.as(w.sales)), 404, 'NOT_FOUND');
      // The released accounts may mirror again in a new organization: back-fill from the data still there.
      const again = await givenOrganization(t, { ...w.e, others: [w.S, w.T] }, { connections: [mirroringOneWay(w.S, w.T)] });
      expect(ids(await views(w, again.position))).toEqual(['t1', 't2']);
    });
  });
});
