import { BODY_LIMIT } from '../src/app.factory';
import { ConfigError, loadConfig } from '../src/config/config';
import { EventStoreUnavailableError } from '@mam/event-store';
import { READ_STORE, ReadStoreUnavailableError, type ReadStore } from '@mam/read-store';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { contactStream } from '@mam/domain';
import { requestContextOf } from '../src/http/request-context';
import { TestApp, type Answer } from './test-app';

/**
 * api.md "Conventions" on real routes: authentication, problem+json, body
 * validation and size, ids, command positions, Idempotency-Key,
 * X-Min-Position, and the open operations endpoints.
 */

const account = (accountId: string, extra: Record<string, unknown> = {}) => ({
  accountId,
  name: `Account ${accountId}`,
  hostingLocation: 'na1',
  subscriptions: [{ hub: 'marketing', tier: 'enterprise' }],
  ...extra,
});

/** RFC 9457 with api.md's `code`; 400s also carry errors[]. */
function expectProblem(res: Answer, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(res.body).toEqual(
    expect.objectContaining({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String), code }),
  );
  expect(res.body.type.length).toBeGreaterThan(0);
  expect(res.body.title.length).toBeGreaterThan(0);
  if (status === 400) {
    expect(Array.isArray(res.body.errors)).toBe(true);
    expect(res.body.errors.length).toBeGreaterThan(0);
    for (const e of res.body.errors) expect(e).toEqual({ path: expect.any(String), message: expect.any(String) });
  }
}

const paths = (res: Answer): string[] => (res.body?.errors ?? []).map((e: { path: string }) => e.path);

describe('HTTP pipeline conventions (api.md "Conventions")', () => {
  let t: TestApp;
  beforeAll(async () => (t = await TestApp.start()));
  afterAll(() => t.close());

  /** Runs a request that must be refused and asserts that the log did not grow. */
  async function refused(run: () => Promise<Answer>): Promise<Answer> {
    const before = await t.eventCount();
    const res = await run();
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await t.eventCount()).toBe(before);
    return res;
  }

  async function register(id: string, extra: Record<string, unknown> = {}): Promise<Answer> {
    const res = await t.request('POST', '/v1/accounts', { body: account(id, extra) });
    expect(res.status).toBe(201);
    return res;
  }

  describe('authentication', () => {
    it('given no Authorization header, when a /v1 route is called, then 401 UNAUTHENTICATED and nothing is appended', async () => {
      const get = await t.request('GET', '/v1/ops/projections', { token: null });
      expectProblem(get, 401, 'UNAUTHENTICATED');
      const post = await refused(() => t.request('POST', '/v1/accounts', { body: account('auth-none'), token: null }));
      expectProblem(post, 401, 'UNAUTHENTICATED');
    });

    it('given a wrong bearer token, when a /v1 route is called, then 401 UNAUTHENTICATED and nothing is appended', async () => {
      expectProblem(await t.request('GET', '/v1/accounts/whatever', { token: 'wrong-token' }), 401, 'UNAUTHENTICATED');
      const post = await refused(() => t.request('POST', '/v1/accounts', { body: account('auth-wrong'), token: 'test-token-but-longer' }));
      expectProblem(post, 401, 'UNAUTHENTICATED');
      const put = await refused(() => t.request('PUT', '/v1/users/u-auth/two-factor', { body: { enabled: true }, token: 'dev-token' }));
      expectProblem(put, 401, 'UNAUTHENTICATED');
    });

    it('given a non-bearer Authorization scheme or an empty bearer, then 401 UNAUTHENTICATED', async () => {
      for (const authorization of ['Basic dGVzdC10b2tlbjo=', 'Bearer ', 'Bearer', 'test-token']) {
        const res = await t.request('GET', '/v1/ops/projections', { token: null, headers: { authorization } });
        expectProblem(res, 401, 'UNAUTHENTICATED');
      }
    });

    it('given a percent-encoded /v1 path without a token, then 401 UNAUTHENTICATED (no bypass of the /v1 guard)', async () => {
      for (const url of ['/%761/ops/projections', '/v%31/ops/projections', '/v1/%6Fps/projections']) {
        expectProblem(await t.request('GET', url, { token: null }), 401, 'UNAUTHENTICATED');
      }
      const post = await refused(() => t.request('POST', '/%761/accounts', { body: account('auth-encoded'), token: null }));
      expectProblem(post, 401, 'UNAUTHENTICATED');
    });

    it('given an unknown /v1 route without a token, then 401, not a 404 that tells what exists', async () => {
      expectProblem(await t.request('GET', '/v1/no-such-route', { token: null }), 401, 'UNAUTHENTICATED');
      expectProblem(await t.request('DELETE', '/v1', { token: null }), 401, 'UNAUTHENTICATED');
    });

    it('given the right token, then /v1 answers', async () => {
      expect((await t.request('GET', '/v1/ops/projections')).status).toBe(200);
    });

    it('given no token, then /health, /metrics, /docs and /docs-json are open', async () => {
      expect((await t.request('GET', '/health', { token: null })).status).toBe(200);
      expect((await t.request('GET', '/metrics', { token: null })).status).toBe(200);
      const docs = await t.request('GET', '/docs', { token: null });
      expect(docs.status).toBe(200);
      expect(String(docs.headers['content-type'])).toMatch(/text\/html/);
      const json = await t.request('GET', '/docs-json', { token: null });
      expect(json.status).toBe(200);
      expect(json.body.openapi).toMatch(/^3\./);
      expect(Object.keys(json.body.paths)).toEqual(expect.arrayContaining(['/v1/accounts', '/v1/accounts/{accountId}', '/v1/organizations']));
    });
  });

  describe('problem+json for every error status', () => {
    it('400 VALIDATION_FAILED', async () => {
      expectProblem(await refused(() => t.request('POST', '/v1/accounts', { body: { name: 'x' } })), 400, 'VALIDATION_FAILED');
    });

    it('401 UNAUTHENTICATED', async () => {
      expectProblem(await t.request('GET', '/v1/ops/projections', { token: null }), 401, 'UNAUTHENTICATED');
    });

    it('404 NOT_FOUND for an unknown resource and for an unknown route', async () => {
      expectProblem(await t.request('GET', '/v1/accounts/no-such-account'), 404, 'NOT_FOUND');
      expectProblem(await t.request('GET', '/v1/no-such-route'), 404, 'NOT_FOUND');
    });

    it('409 ALREADY_EXISTS', async () => {
      await register('pj-409');
      expectProblem(await refused(() => t.request('POST', '/v1/accounts', { body: account('pj-409') })), 409, 'ALREADY_EXISTS');
    });

    it('413 body too large', async () => {
      const res = await refused(() => t.request('POST', '/v1/accounts', { payload: JSON.stringify(account('pj-413')) + ' '.repeat(BODY_LIMIT) }));
      expect(res.status).toBe(413);
      expectProblem(res, 413, res.body.code);
      expect(res.body.code).toEqual(expect.any(String));
    });

    it('422 a broken business rule with its code', async () => {
      await register('pj-422', { sensitiveData: true });
      const res = await refused(() => t.request('PUT', '/v1/accounts/pj-422/sensitive-data', { body: { enabled: false } }));
      expectProblem(res, 422, 'SENSITIVE_DATA_IRREVERSIBLE');
    });

    // The one slow test of this file: the read-your-writes wait runs its full 5 s.
    it('503 PROJECTION_LAG when X-Min-Position is far ahead, after about 5 s', async () => {
      const started = Date.now();
      const res = await t.read('/v1/accounts/pj-422', '99999999999');
      const elapsed = Date.now() - started;
      expectProblem(res, 503, 'PROJECTION_LAG');
      expect(elapsed).toBeGreaterThanOrEqual(4500);
      expect(elapsed).toBeLessThan(9000);
    }, 15000);

    it('503 STORE_UNAVAILABLE with Retry-After when the event store does not answer a command, and nothing is appended', async () => {
      const outage = jest.spyOn(t.events, 'appendMany').mockRejectedValue(new EventStoreUnavailableError('event store unreachable'));
      try {
        const res = await refused(() => t.request('POST', '/v1/accounts', { body: account('pj-outage') }));
        expectProblem(res, 503, 'STORE_UNAVAILABLE');
        expect(res.headers['retry-after']).toBe('1');
      } finally {
        outage.mockRestore();
      }
      expect((await t.request('GET', '/v1/accounts/pj-outage')).status).toBe(404);
    });

    it('503 STORE_UNAVAILABLE when the read store does not answer a query', async () => {
      const readStore = t.app.get<ReadStore>(READ_STORE);
      const outage = jest.spyOn(readStore, 'get').mockRejectedValue(new ReadStoreUnavailableError('read store unreachable'));
      try {
        const res = await t.request('GET', '/v1/accounts/pj-422');
        expectProblem(res, 503, 'STORE_UNAVAILABLE');
        expect(res.headers['retry-after']).toBe('1');
      } finally {
        outage.mockRestore();
      }
    });
  });

  describe('body validation', () => {
    it('given a body that is not JSON (form-encoded), then 400 VALIDATION_FAILED naming the content type', async () => {
      const res = await refused(() => t.request('POST', '/v1/accounts', { payload: 'accountId=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0].path).toBe('headers.content-type');
    });

    it('given malformed JSON, then 400 VALIDATION_FAILED with errors[] and nothing appended', async () => {
      for (const payload of ['{"accountId": "x",', '{accountId: x}', 'not json', '{"a":1}}']) {
        const res = await refused(() => t.request('POST', '/v1/accounts', { payload }));
        expectProblem(res, 400, 'VALIDATION_FAILED');
      }
    });

    it('given a JSON content type with a charset parameter, then the body is parsed as JSON', async () => {
      const res = await t.request('POST', '/v1/accounts', {
        payload: JSON.stringify(account('pj-charset')),
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      expect(res.status).toBe(201);
    });

    it('given a JSON body that is not an object, then 400 VALIDATION_FAILED', async () => {
      for (const payload of ['[]', '"text"', '42', 'null', 'true']) {
        expectProblem(await refused(() => t.request('POST', '/v1/accounts', { payload })), 400, 'VALIDATION_FAILED');
      }
    });

    it('given fields of the wrong type, then 400 with errors[].path naming each field', async () => {
      const res = await refused(() =>
        t.request('POST', '/v1/accounts', {
          body: { accountId: 'pj-types', name: 42, hostingLocation: 'na1', sandbox: 'yes', subscriptions: 'marketing' },
        }),
      );
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(paths(res)).toEqual(expect.arrayContaining(['name', 'sandbox', 'subscriptions']));
      expect(paths(res)).not.toContain('accountId');
    });

    it('given a nested field of the wrong value, then errors[].path names the nested field', async () => {
      const res = await refused(() =>
        t.request('POST', '/v1/accounts', { body: account('pj-nested', { subscriptions: [{ hub: 'marketing', tier: 'platinum' }] }) }),
      );
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(paths(res).some((p) => p.startsWith('subscriptions') && p.endsWith('tier'))).toBe(true);
    });

    it('given an array where an object is expected (a nested array), then 400 naming the field, never stored or a 500', async () => {
      const nestedSubs = await refused(() => t.request('POST', '/v1/accounts', { body: account('pj-nested-array', { subscriptions: [[{ hub: 'marketing', tier: 'enterprise' }]] }) }));
      expectProblem(nestedSubs, 400, 'VALIDATION_FAILED');
      expect(paths(nestedSubs).some((p) => p.startsWith('subscriptions'))).toBe(true);
      await register('pj-nested-array2');
      for (const subscriptions of [[[]], [[{ hub: 'sales', tier: 'free' }]]]) {
        const res = await refused(() => t.request('PUT', '/v1/accounts/pj-nested-array2/subscriptions', { body: { subscriptions } }));
        expectProblem(res, 400, 'VALIDATION_FAILED');
      }

      const conn = { accounts: ['pj-nested-array2', 'pj-x'], features: { dataMirroring: false, assetCopying: true, workflows: false } };
      const org = (connections: unknown) => ({
        name: 'O',
        primaryAccountId: 'pj-nested-array2',
        additionalAccountIds: [],
        connections,
        acknowledgeImpact: true,
        acknowledgeBeta: true,
      });
      for (const connections of [[[conn]], [[]], [{ ...conn, features: [[]] }], [{ ...conn, features: [] }]]) {
        const res = await refused(() => t.request('POST', '/v1/organizations', { body: org(connections), headers: { 'x-actor-user-id': 'pj-user' } }));
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(paths(res).some((p) => p.startsWith('connections'))).toBe(true);
      }
    });

    it('given an array where a batch upsert is expected, then 400 naming the item, never a 500 (found by the property test)', async () => {
      await register('pj-batch-array');
      for (const upserts of [[[]], [[{ contactId: 'c1', email: 'a@b.c' }]], [null], ['x']]) {
        const res = await refused(() => t.request('POST', '/v1/accounts/pj-batch-array/contacts:batch', { body: { upserts, deletes: [] } }));
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(paths(res).some((p) => p.startsWith('upserts'))).toBe(true);
      }
    });

    it('given an unknown body field, then 400 with errors[].path naming it, also when nested', async () => {
      const top = await refused(() => t.request('POST', '/v1/accounts', { body: account('pj-unknown', { colour: 'blue' }) }));
      expectProblem(top, 400, 'VALIDATION_FAILED');
      expect(paths(top)).toContain('colour');

      const nested = await refused(() =>
        t.request('POST', '/v1/accounts', { body: account('pj-unknown2', { subscriptions: [{ hub: 'sales', tier: 'starter', seats: 3 }] }) }),
      );
      expectProblem(nested, 400, 'VALIDATION_FAILED');
      expect(paths(nested).some((p) => p.startsWith('subscriptions') && p.endsWith('seats'))).toBe(true);

      const empty = await refused(() => t.request('POST', '/v1/accounts/pj-unknown/deactivation', { body: { reason: 'x' } }));
      expectProblem(empty, 400, 'VALIDATION_FAILED');
      expect(paths(empty)).toContain('reason');
    });

    it('given a body over 1 MiB, then 413 and nothing appended', async () => {
      const payload = JSON.stringify(account('pj-big')) + ' '.repeat(BODY_LIMIT);
      expect(Buffer.byteLength(payload)).toBeGreaterThan(BODY_LIMIT);
      const res = await refused(() => t.request('POST', '/v1/accounts', { payload }));
      expect(res.status).toBe(413);
      expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
      expect((await t.request('GET', '/v1/accounts/pj-big')).status).toBe(404);
    });

    it('given a valid 900 KiB JSON body, then it is not refused for its size', async () => {
      const base = JSON.stringify(account('pj-900k'));
      const payload = base.slice(0, -1) + ' '.repeat(900 * 1024 - base.length) + '}';
      expect(Buffer.byteLength(payload)).toBe(900 * 1024);
      const res = await t.request('POST', '/v1/accounts', { payload });
      expect(res.status).toBe(201);
      expect(res.body.accountId).toBe('pj-900k');
    });

    it('given a body of exactly 1 MiB, then it is accepted (the limit is inclusive)', async () => {
      const base = JSON.stringify(account('pj-1mib'));
      const payload = base.slice(0, -1) + ' '.repeat(BODY_LIMIT - base.length) + '}';
      expect(Buffer.byteLength(payload)).toBe(BODY_LIMIT);
      expect((await t.request('POST', '/v1/accounts', { payload })).status).toBe(201);
    });
  });

  describe('ids are 1–64 characters of [A-Za-z0-9._:-]', () => {
    const bad = ['', 'a'.repeat(65), 'has space', 'slash/id', 'ümlaut', 'semi;colon', 'star*', 'q?x'];

    it('given an invalid id in a body, then 400 naming the field and nothing appended', async () => {
      for (const accountId of bad) {
        const res = await refused(() => t.request('POST', '/v1/accounts', { body: account(accountId) }));
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(paths(res)).toContain('accountId');
      }
    });

    it('given every allowed character and 64 characters, then the id is accepted', async () => {
      const id = 'Az09._:-'.padEnd(64, 'x');
      expect((await t.request('POST', '/v1/accounts', { body: account(id) })).status).toBe(201);
      expect((await t.read(`/v1/accounts/${encodeURIComponent(id)}`, (await t.headPosition()).toString())).body.accountId).toBe(id);
    });

    it('given an invalid id in a path, then 400 (not a lookup) and nothing appended', async () => {
      await register('pj-path');
      const badInPath = ['a'.repeat(65), 'has%20space', 'slash%2Fid', '%C3%BCmlaut', 'star*', 'semi%3Bcolon'];
      for (const id of badInPath) {
        expectProblem(await t.request('GET', `/v1/accounts/${id}`), 400, 'VALIDATION_FAILED');
        expectProblem(
          await refused(() => t.request('PUT', `/v1/accounts/pj-path/users/${id}`, { body: { roles: [], seats: [] } })),
          400,
          'VALIDATION_FAILED',
        );
        expectProblem(await refused(() => t.request('PUT', `/v1/users/${id}/two-factor`, { body: { enabled: true } })), 400, 'VALIDATION_FAILED');
        expectProblem(
          await refused(() => t.request('PUT', `/v1/accounts/${id}/hosting-location`, { body: { hostingLocation: 'eu1' } })),
          400,
          'VALIDATION_FAILED',
        );
        const actor = { 'x-actor-user-id': 'u1', 'x-acting-account-id': 'pj-path' };
        expectProblem(await t.request('GET', `/v1/organizations/${id}`, { headers: actor }), 400, 'VALIDATION_FAILED');
        expectProblem(await refused(() => t.request('DELETE', `/v1/organizations/${id}`, { headers: actor })), 400, 'VALIDATION_FAILED');
      }
    });

    it('given invalid ids in an organization body or in actor headers, then 400 and nothing appended', async () => {
      const org = { name: 'O', primaryAccountId: 'pj-path', additionalAccountIds: ['bad id'], acknowledgeImpact: true, acknowledgeBeta: true };
      const body = await refused(() => t.request('POST', '/v1/organizations', { body: org, headers: { 'x-actor-user-id': 'u1' } }));
      expectProblem(body, 400, 'VALIDATION_FAILED');
      expect(paths(body).some((p) => p.startsWith('additionalAccountIds'))).toBe(true);

      const header = await refused(() =>
        t.request('POST', '/v1/organizations', { body: { ...org, additionalAccountIds: [] }, headers: { 'x-actor-user-id': 'bad user' } }),
      );
      expectProblem(header, 400, 'VALIDATION_FAILED');

      const query = await t.request('GET', '/v1/organization-candidates?primaryAccountId=bad%20id', { headers: { 'x-actor-user-id': 'u1' } });
      expectProblem(query, 400, 'VALIDATION_FAILED');
    });
  });

  describe('"position" in command answers', () => {
    it('given each account command, then it answers a decimal-string position of its last event', async () => {
      const answers = [
        await t.request('POST', '/v1/accounts', { body: account('pos-1') }),
        await t.request('PUT', '/v1/accounts/pos-1/subscriptions', { body: { subscriptions: [{ hub: 'sales', tier: 'professional' }] } }),
        await t.request('PUT', '/v1/accounts/pos-1/hosting-location', { body: { hostingLocation: 'eu1' } }),
        await t.request('PUT', '/v1/accounts/pos-1/sensitive-data', { body: { enabled: true } }),
        await t.request('PUT', '/v1/accounts/pos-1/users/pos-u', { body: { roles: ['super-admin'], seats: ['sales'] } }),
        await t.request('DELETE', '/v1/accounts/pos-1/users/pos-u'),
        await t.request('PUT', '/v1/users/pos-u/two-factor', { body: { enabled: true } }),
        await t.request('POST', '/v1/accounts/pos-1/deactivation', { body: {} }),
      ];
      let previous = 0n;
      for (const res of answers) {
        expect(res.status).toBeLessThan(300);
        expect(typeof res.body.position).toBe('string');
        expect(res.body.position).toMatch(/^(0|[1-9][0-9]*)$/);
        const position = BigInt(res.body.position);
        expect(position).toBeGreaterThan(previous);
        previous = position;
      }
      expect(previous).toBe(await t.headPosition());
    });

    it('given a command that appends nothing, then it answers the current end position', async () => {
      await register('pos-noop');
      await t.request('PUT', '/v1/accounts/pos-noop/users/pos-noop-u', { body: { roles: [], seats: ['marketing'] } });
      const before = await t.eventCount();
      const head = (await t.headPosition()).toString();
      const noops = [
        await t.request('PUT', '/v1/accounts/pos-noop/subscriptions', { body: { subscriptions: [{ hub: 'marketing', tier: 'enterprise' }] } }),
        await t.request('PUT', '/v1/accounts/pos-noop/hosting-location', { body: { hostingLocation: 'na1' } }),
        await t.request('PUT', '/v1/accounts/pos-noop/users/pos-noop-u', { body: { roles: [], seats: ['marketing'] } }),
        await t.request('PUT', '/v1/users/pos-noop-u/two-factor', { body: { enabled: false } }),
      ];
      for (const res of noops) {
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ position: head });
      }
      expect(await t.eventCount()).toBe(before);
    });
  });

  describe('Idempotency-Key', () => {
    it('given two racing requests with one key but different bodies on different streams, then exactly one runs and the other is 422 IDEMPOTENCY_KEY_REUSED', async () => {
      const before = await t.eventCount();
      const key = { 'idempotency-key': 'idem-race-bodies' };
      const answers = await Promise.all([
        t.request('POST', '/v1/accounts', { body: account('idem-race-a'), headers: key }),
        t.request('POST', '/v1/accounts', { body: account('idem-race-b'), headers: key }),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([201, 422]);
      expect(answers.find((a) => a.status === 422)!.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await t.eventCount()).toBe(before + 2); // one registration and its key's record
    });

    it('given the same key from another consumer (token), then it is another key', async () => {
      const other = await TestApp.start({ API_TOKENS: 'token-a,token-b' });
      try {
        const key = { 'idempotency-key': 'shared-by-chance' };
        const a = await other.request('POST', '/v1/accounts', { body: account('scoped-a'), headers: key, token: 'token-a' });
        const b = await other.request('POST', '/v1/accounts', { body: account('scoped-b'), headers: key, token: 'token-b' });
        expect([a.status, b.status]).toEqual([201, 201]);
      } finally {
        await other.close();
      }
    });

    it('given a repeat with the same key and body, then the same status and body and nothing appended', async () => {
      const key = { 'idempotency-key': 'idem-repeat-1' };
      const first = await t.request('POST', '/v1/accounts', { body: account('idem-1'), headers: key });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({ accountId: 'idem-1', position: expect.stringMatching(/^\d+$/) });
      const before = await t.eventCount();
      for (let i = 0; i < 3; i++) {
        const again = await t.request('POST', '/v1/accounts', { body: account('idem-1'), headers: key });
        expect(again.status).toBe(first.status);
        expect(again.body).toEqual(first.body);
      }
      expect(await t.eventCount()).toBe(before);
    });

    it('given a repeat of a 200 command (PUT, DELETE), then the first answer again and nothing appended', async () => {
      await register('idem-2');
      const put = { body: { roles: ['super-admin'], seats: ['sales'] }, headers: { 'idempotency-key': 'idem-put-2' } };
      const first = await t.request('PUT', '/v1/accounts/idem-2/users/u2', put);
      expect(first.status).toBe(200);
      // A later change must not change the replayed answer.
      await t.request('PUT', '/v1/accounts/idem-2/users/u2', { body: { roles: [], seats: [] } });
      const before = await t.eventCount();
      const again = await t.request('PUT', '/v1/accounts/idem-2/users/u2', put);
      expect({ status: again.status, body: again.body }).toEqual({ status: 200, body: first.body });
      expect(await t.eventCount()).toBe(before);

      const del = { headers: { 'idempotency-key': 'idem-del-2' } };
      const removed = await t.request('DELETE', '/v1/accounts/idem-2/users/u2', del);
      expect(removed.status).toBe(200);
      const beforeDelete = await t.eventCount();
      // Without the key this would be a 404 (the user is gone); with it, the first answer.
      const delAgain = await t.request('DELETE', '/v1/accounts/idem-2/users/u2', del);
      expect({ status: delAgain.status, body: delAgain.body }).toEqual({ status: 200, body: removed.body });
      expect(await t.eventCount()).toBe(beforeDelete);
    });

    it('given the same key with another body, then 422 IDEMPOTENCY_KEY_REUSED and nothing appended', async () => {
      const headers = { 'idempotency-key': 'idem-reuse-3' };
      expect((await t.request('POST', '/v1/accounts', { body: account('idem-3'), headers })).status).toBe(201);
      const other = await refused(() => t.request('POST', '/v1/accounts', { body: account('idem-3b'), headers }));
      expectProblem(other, 422, 'IDEMPOTENCY_KEY_REUSED');
      expect((await t.request('GET', '/v1/accounts/idem-3b')).status).toBe(404);
      const otherRoute = await refused(() =>
        t.request('PUT', '/v1/accounts/idem-3/hosting-location', { body: { hostingLocation: 'eu1' }, headers }),
      );
      expectProblem(otherRoute, 422, 'IDEMPOTENCY_KEY_REUSED');
    });

    it('given 20 concurrent requests with one key, then exactly one executes and all get the same answer', async () => {
      // How many events one keyed registration appends (its event and the key's record).
      const refBefore = await t.eventCount();
      expect((await t.request('POST', '/v1/accounts', { body: account('idem-ref'), headers: { 'idempotency-key': 'idem-ref' } })).status).toBe(201);
      const perCommand = (await t.eventCount()) - refBefore;

      const before = await t.eventCount();
      const headers = { 'idempotency-key': 'idem-race-4' };
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => t.request('POST', '/v1/accounts', { body: account('idem-4'), headers })),
      );
      expect(await t.eventCount()).toBe(before + perCommand);
      const distinct = new Set(answers.map((a) => JSON.stringify({ status: a.status, body: a.body })));
      expect([...distinct]).toEqual([JSON.stringify({ status: 201, body: answers[0].body })]);
      expect(answers[0].body.accountId).toBe('idem-4');
    });

    it('given 20 concurrent PUTs with one key, then one executes and all get the same answer', async () => {
      await register('idem-5');
      const before = await t.eventCount();
      const headers = { 'idempotency-key': 'idem-race-5' };
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => t.request('PUT', '/v1/accounts/idem-5/subscriptions', { body: { subscriptions: [{ hub: 'sales', tier: 'starter' }] }, headers })),
      );
      expect(await t.eventCount()).toBe(before + 2);
      expect(new Set(answers.map((a) => `${a.status} ${JSON.stringify(a.body)}`)).size).toBe(1);
      expect(answers[0].status).toBe(200);
    });

    it('given every command route, then each hands its request context (correlation id, key) to its command', () => {
      const writes = new Set([RequestMethod.POST, RequestMethod.PUT, RequestMethod.DELETE, RequestMethod.PATCH]);
      const missing: string[] = [];
      let routes = 0;
      for (const module of t.app.get(ModulesContainer).values()) {
        for (const { metatype } of module.controllers.values()) {
          const proto = (metatype as { prototype: Record<string, unknown> }).prototype;
          for (const name of Object.getOwnPropertyNames(proto)) {
            if (!writes.has(Reflect.getMetadata(METHOD_METADATA, proto[name] as object))) continue;
            routes++;
            const args = Object.values((Reflect.getMetadata(ROUTE_ARGS_METADATA, metatype as object, name) ?? {}) as Record<string, { factory?: unknown }>);
            if (!args.some((a) => a.factory === requestContextOf)) missing.push(`${(metatype as { name: string }).name}.${name}`);
          }
        }
      }
      expect(routes).toBeGreaterThan(20);
      expect(missing).toEqual([]);
    });

    it('given X-Correlation-Id on a command, then its events carry it; without one, the request id', async () => {
      await register('corr-1');
      const res = await t.request('PUT', '/v1/accounts/corr-1/contacts/c1', { body: { email: 'c1@example.com' }, headers: { 'x-correlation-id': 'corr-abc' } });
      expect(res.status).toBe(200);
      const plain = await t.request('PUT', '/v1/accounts/corr-1/contacts/c2', { body: { email: 'c2@example.com' } });
      const [keyed] = await t.events.readStream(contactStream('corr-1', 'c1'));
      const [unkeyed] = await t.events.readStream(contactStream('corr-1', 'c2'));
      expect(keyed.metadata.correlationId).toBe('corr-abc');
      expect(plain.status).toBe(200);
      expect(unkeyed.metadata.correlationId).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    });

    it('given a keyed command that fails, then it appends nothing, not even the key', async () => {
      const headers = { 'idempotency-key': 'idem-fail-6' };
      const res = await refused(() => t.request('PUT', '/v1/accounts/idem-missing/hosting-location', { body: { hostingLocation: 'eu1' }, headers }));
      expectProblem(res, 404, 'NOT_FOUND');
      await register('idem-missing');
      // The key was not used up by the failure: the same request now executes.
      expect((await t.request('PUT', '/v1/accounts/idem-missing/hosting-location', { body: { hostingLocation: 'eu1' }, headers })).status).toBe(200);
    });
  });

  describe('X-Min-Position (read-your-writes)', () => {
    it('given a position the read models have not reached, then the GET waits and answers the fresh data', async () => {
      const next = ((await t.headPosition()) + 1n).toString();
      const pending = t.read('/v1/accounts/rw-1', next);
      await new Promise((r) => setTimeout(r, 50));
      const created = await t.request('POST', '/v1/accounts', { body: account('rw-1', { name: 'Fresh' }) });
      expect(created.status).toBe(201);
      const got = await pending;
      expect(got.status).toBe(200);
      expect(got.body.name).toBe('Fresh');
    });

    it("given a command's position, then a GET right after it sees the command's effect", async () => {
      await register('rw-2');
      for (const hostingLocation of ['eu1', 'ap1', 'na2']) {
        const changed = await t.request('PUT', '/v1/accounts/rw-2/hosting-location', { body: { hostingLocation } });
        const got = await t.read('/v1/accounts/rw-2', changed.body.position);
        expect(got.body.hostingLocation).toBe(hostingLocation);
      }
    });

    it('given an invalid X-Min-Position, then 400 VALIDATION_FAILED naming the header', async () => {
      await register('rw-3');
      for (const value of ['abc', '-1', '1.5', '1e3', '0x10', '']) {
        const res = await t.request('GET', '/v1/accounts/rw-3', { headers: { 'x-min-position': value } });
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(paths(res).join(' ')).toMatch(/x-min-position/i);
      }
    });
  });

  describe('operations', () => {
    it('/health answers 200 with the event store and read store up and each projection position and lag', async () => {
      const created = await register('ops-1');
      await t.read('/v1/accounts/ops-1', created.body.position);
      const res = await t.request('GET', '/health', { token: null });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('ok');
      expect(res.body.details.eventStore.status).toBe('up');
      expect(res.body.details.readStore.status).toBe('up');
      const items = res.body.details.projections.items as Array<{ name: string; position: string | null; lag: string }>;
      expect(items.map((i) => i.name)).toEqual(expect.arrayContaining(['accounts', 'account-users', 'organizations', 'organization-history']));
      const accounts = items.find((i) => i.name === 'accounts')!;
      expect(BigInt(accounts.position!)).toBeGreaterThanOrEqual(BigInt(created.body.position));
      expect(accounts.lag).toMatch(/^\d+$/);
    });

    it('/metrics is Prometheus text with command counts and latencies, projection positions, lag and parked events', async () => {
      const created = await register('ops-2');
      await t.read('/v1/accounts/ops-2', created.body.position);
      const res = await t.request('GET', '/metrics', { token: null });
      expect(res.status).toBe(200);
      expect(String(res.headers['content-type'])).toMatch(/^text\/plain/);
      const text = res.body as string;
      for (const name of ['mam_commands_total', 'mam_command_duration_seconds', 'mam_projection_position', 'mam_projection_lag', 'mam_parked_events']) {
        expect(text).toContain(`# TYPE ${name} `);
      }
      expect(text).toMatch(/^mam_commands_total\{command="RegisterAccount",outcome="ok"\} [1-9]\d*$/m);
      expect(text).toMatch(/^mam_command_duration_seconds_count\{command="RegisterAccount"\} [1-9]\d*$/m);
      expect(text).toMatch(/^mam_projection_position\{projection="accounts"\} [1-9]\d*$/m);
      expect(text).toMatch(/^mam_projection_lag\{projection="accounts"\} \d+$/m);
      expect(text).toMatch(/^mam_parked_events\{projection="accounts"\} 0$/m);
    });

    it('/metrics has the sagas\' series too: position and lag of saga:lifecycle', async () => {
      const created = await register('ops-saga-series');
      const series = async () => (await t.request('GET', '/metrics', { token: null })).body as string;
      const deadline = Date.now() + 5000;
      while (!/^mam_projection_position\{projection="saga:lifecycle"\} [1-9]\d*$/m.test(await series()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const text = await series();
      expect(text).toMatch(/^mam_projection_position\{projection="saga:lifecycle"\} [1-9]\d*$/m);
      expect(text).toMatch(/^mam_projection_lag\{projection="saga:lifecycle"\} \d+$/m);
      expect(BigInt(created.body.position)).toBeGreaterThan(0n);
    });

    it('GET /v1/ops/projections lists {name, position, lag, status, parked} for every read model', async () => {
      const created = await register('ops-3');
      await t.read('/v1/accounts/ops-3', created.body.position);
      const res = await t.request('GET', '/v1/ops/projections');
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeGreaterThanOrEqual(4);
      for (const item of res.body.items) {
        expect(Object.keys(item).sort()).toEqual(['lag', 'name', 'parked', 'position', 'status']);
        expect(item).toEqual({
          name: expect.any(String),
          position: expect.stringMatching(/^\d+$/),
          lag: expect.stringMatching(/^\d+$/),
          status: expect.any(String),
          parked: 0,
        });
      }
      expect(res.body.items.map((i: { name: string }) => i.name)).toEqual(
        expect.arrayContaining(['accounts', 'account-users', 'organizations', 'organization-history']),
      );
    });
  });
});

describe('configuration (api.md "Starting the service")', () => {
  it('given NODE_ENV=production without API_TOKENS, then loading the config throws', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', STEP_UP_SECRET: 's' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', STEP_UP_SECRET: 's', API_TOKENS: ' , ' })).toThrow(/API_TOKENS/);
  });

  it('given NODE_ENV=production without STEP_UP_SECRET, then loading the config throws', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', API_TOKENS: 't' })).toThrow(/STEP_UP_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
  });

  it('given NODE_ENV=production with both secrets, then the given ones are used and no dev default applies', () => {
    const config = loadConfig({ NODE_ENV: 'production', API_TOKENS: 'a, b', STEP_UP_SECRET: 'secret' });
    expect(config.apiTokens).toEqual(['a', 'b']);
    expect(config.stepUpSecret).toBe('secret');
    expect(config.warnings).toEqual([]);
  });

  it('given no secrets outside production, then dev-token and dev-step-up-secret apply with a warning', () => {
    for (const env of [{}, { NODE_ENV: 'development' }, { NODE_ENV: 'test' }]) {
      const config = loadConfig(env);
      expect(config.apiTokens).toEqual(['dev-token']);
      expect(config.stepUpSecret).toBe('dev-step-up-secret');
      expect(config.warnings.length).toBe(2);
    }
  });

  it('given the defaults of api.md, then PORT 3000, HOST 127.0.0.1 and the embedded stores', () => {
    const config = loadConfig({});
    expect({ port: config.port, host: config.host, eventStore: config.eventStore, readStore: config.readStore }).toEqual({
      port: 3000,
      host: '127.0.0.1',
      eventStore: 'embedded',
      readStore: 'embedded',
    });
    expect(config.dataDir.endsWith('data')).toBe(true);
  });

  it('given API_TOKENS unset outside production, then the running service accepts dev-token and nothing else', async () => {
    const app = await TestApp.start({ API_TOKENS: '' });
    try {
      expect((await app.request('GET', '/v1/ops/projections', { token: 'dev-token' })).status).toBe(200);
      expect((await app.request('GET', '/v1/ops/projections')).status).toBe(401);
    } finally {
      await app.close();
    }
  });
});
