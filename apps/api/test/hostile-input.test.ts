import { connect } from 'node:net';
import { eligibleAccounts, features, givenAccounts, givenOrganization, ok, uid } from './fixtures';
import { TestApp, type Answer } from './test-app';

/**
 * A hostile client: names of Object.prototype's members, and errors raised
 * before any route is matched. Every refusal is problem+json and appends
 * nothing.
 */

function expectProblem(res: Answer, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
}

/** Names a CRM may well use that a plain JS object already "has". */
const PROTOTYPE_NAMES = ['constructor', 'valueOf', 'toString', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf', '__proto__', 'prototype'];
/** A JSON object text with these keys (JSON.stringify of a literal cannot carry `__proto__`). */
const jsonObject = (entries: Array<[string, unknown]>) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;

describe('prototype names', () => {
  let t: TestApp;
  let A: string;
  beforeAll(async () => {
    t = await TestApp.start();
    A = uid('proto-a');
    await givenAccounts(t, null, [{ id: A }]);
  });
  afterAll(() => t.close());

  async function refused(method: string, url: string, payload: string, path: string): Promise<void> {
    const head = await t.headPosition();
    const res = await t.request(method, url, { payload });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(await t.headPosition()).toBe(head);
  }

  const account = (id: string): Array<[string, unknown]> => [
    ['accountId', id],
    ['name', 'N'],
    ['hostingLocation', 'na1'],
    ['subscriptions', [{ hub: 'sales', tier: 'professional' }]],
  ];

  it.each(['__proto__', 'constructor', 'prototype', 'toString', 'valueOf'])('a top-level %s is an unknown field: 400, nothing appended', async (name) => {
    const id = uid('proto-reg');
    await refused('POST', '/v1/accounts', jsonObject([...account(id), [name, { polluted: true }]]), name);
    await refused('PUT', `/v1/accounts/${A}/contacts/c1`, jsonObject([['email', 'a@example.com'], [name, 'x']]), name);
    expect((await t.request('GET', `/v1/accounts/${id}`)).status).toBe(404);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a prototype name inside a nested object or a batch item is an unknown field too', async () => {
    const id = uid('proto-nested');
    const subscriptions = `[{"hub":"sales","tier":"professional","constructor":"x"}]`;
    await refused('POST', '/v1/accounts', `{"accountId":"${id}","name":"N","hostingLocation":"na1","subscriptions":${subscriptions}}`, 'subscriptions.0.constructor');
    await refused('POST', `/v1/accounts/${A}/contacts:batch`, `{"upserts":[{"contactId":"b1","email":"b@example.com","__proto__":{"x":1}}],"deletes":[]}`, 'upserts.0.__proto__');
  });

  it('stores property names like constructor, toString or __proto__ and shows them in mirrored views', async () => {
    const e = await eligibleAccounts(t, 3, 'proto');
    const [S, T] = e.others;
    const seller = uid('proto-seller');
    await ok(t.request('PUT', `/v1/accounts/${T}/users/${seller}`, { body: { roles: [], seats: ['sales'] } }));
    await givenOrganization(t, e, { connections: [{ accounts: [S, T], direction: 'one-way', from: S, features: features({ dataMirroring: true }) }] });
    const properties: Array<[string, string]> = [...PROTOTYPE_NAMES.map((n): [string, string] => [n, `value of ${n}`]), ['color', 'blue']];
    const single = await ok(t.request('PUT', `/v1/accounts/${S}/contacts/s1`, { payload: jsonObject([['email', 'one@example.com'], ['properties', JSON.parse(jsonObject(properties))]]) }));
    // JSON.stringify of the parsed object keeps an own `__proto__`; the payload is built by hand to be sure.
    const batchPayload = `{"upserts":[{"contactId":"s2","email":"two@example.com","properties":${jsonObject(properties)}}],"deletes":[]}`;
    const batch = await ok(t.request('POST', `/v1/accounts/${S}/contacts:batch`, { payload: batchPayload }));
    await ok(t.request('PUT', `/v1/accounts/${T}/contacts/t1`, { body: { email: 'one@example.com' } }));
    const last = await ok(t.request('PUT', `/v1/accounts/${T}/contacts/t2`, { body: { email: 'two@example.com' } }));
    for (const [target, source, position] of [['t1', 's1', single.position], ['t2', 's2', batch.position]]) {
      const view = await ok(t.read(`/v1/accounts/${T}/contacts/${target}/mirrored`, last.position > position ? last.position : position, { 'x-actor-user-id': seller }));
      const shown = view.sources.find((s: { contactId: string }) => s.contactId === source).properties;
      for (const [name, value] of properties) {
        expect({ name, own: Object.hasOwn(shown, name), value: Object.getOwnPropertyDescriptor(shown, name)?.value }).toEqual({ name, own: true, value });
      }
    }
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).color).toBeUndefined();
  });
});

describe('errors before routing', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it.each([
    ['a path that does not percent-decode', '/v1/accounts/a/contacts/%ZZ-secret', 400, 'VALIDATION_FAILED'],
    ['a path segment over the router limit', `/v1/accounts/${'s'.repeat(150)}`, 400, 'VALIDATION_FAILED'],
    ['an unknown route', '/v1/nowhere-secret', 404, 'NOT_FOUND'],
    ['an unknown route outside /v1', '/nowhere-secret', 404, 'NOT_FOUND'],
  ])('%s is problem+json and does not echo the URL', async (_what, url, status, code) => {
    const res = await t.request('GET', url);
    expectProblem(res, status, code);
    expect(JSON.stringify(res.body)).not.toMatch(/secret|sss/);
  });

  describe('on a socket', () => {
    let port: number;
    beforeAll(async () => {
      await t.app.listen(0, '127.0.0.1');
      port = (t.app.getHttpServer().address() as { port: number }).port;
    });

    /** Sends raw bytes and answers the status line, the content type and the body. */
    async function raw(request: string): Promise<{ status: number; type: string; body: any }> {
      const text = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(request));
        let data = '';
        socket.on('data', (chunk) => (data += chunk));
        socket.on('close', () => resolve(data));
        socket.on('error', (e) => (data ? resolve(data) : reject(e)));
      });
      const [head, body] = text.split('\r\n\r\n');
      return { status: Number(head.split(' ')[1]), type: /content-type: ([^\r]+)/i.exec(head)?.[1] ?? '', body: JSON.parse(body) };
    }

    it('a 100k-character path is 431 problem+json without the path', async () => {
      const res = await raw(`GET /v1/${'secret'.repeat(17_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(res).toMatchObject({ status: 431, type: 'application/problem+json', body: { status: 431, code: 'HEADERS_TOO_LARGE' } });
      expect(JSON.stringify(res.body)).not.toMatch(/secret/);
    });

    it('a request that is not HTTP is a 400 problem+json', async () => {
      const res = await raw('NOT HTTP AT ALL\r\n\r\n');
      expect(res).toMatchObject({ status: 400, type: 'application/problem+json', body: { code: 'VALIDATION_FAILED' } });
    });
  });
});

describe('Idempotency-Key compares meaning, not bytes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('the same JSON with its keys in another order and other spacing is the same request: the first answer, nothing appended', async () => {
    const id = uid('idem');
    const headers = { 'idempotency-key': `key-${id}` };
    const first = await t.request('POST', '/v1/accounts', {
      headers,
      payload: `{"accountId":"${id}","name":"N","hostingLocation":"na1","subscriptions":[{"hub":"sales","tier":"professional"}]}`,
    });
    expect(first.status).toBe(201);
    const head = await t.headPosition();
    const again = await t.request('POST', '/v1/accounts', {
      headers,
      payload: `{ "subscriptions": [ { "tier": "professional", "hub": "sales" } ],\n "hostingLocation": "na1", "name": "N", "accountId": "${id}" }`,
    });
    expect({ status: again.status, body: again.body }).toEqual({ status: 201, body: first.body });
    expect(await t.headPosition()).toBe(head);
    // Order inside an array is meaning: another order is another request.
    const other = await t.request('POST', '/v1/accounts', {
      headers,
      payload: `{"accountId":"${id}","name":"N","hostingLocation":"na1","subscriptions":[{"hub":"sales","tier":"professional"},{"hub":"service","tier":"starter"}]}`,
    });
    expectProblem(other, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await t.headPosition()).toBe(head);
  });
});
