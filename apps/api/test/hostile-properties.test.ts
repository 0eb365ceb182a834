import fc from 'fast-check';
import { givenAccounts, uid } from './fixtures';
import { TestApp, type Answer } from './test-app';

/**
 * Property-based: whatever a client sends to any command — a body shaped
 * after the operation's schema with wrong values, unknown or prototype-named
 * keys, or bytes that are not JSON at all, with any headers — the answer is
 * a 2xx or a problem+json 4xx, never a 5xx and never a hang, and a 4xx
 * appends nothing. The operations and their body schemas come from
 * /docs-json, so a new command is covered without touching this file (and
 * every answer is also checked against the document by TestApp.request).
 */

const RUNS = Number(process.env.PROPERTY_RUNS ?? 25);
const HANG_MS = 10_000;

type Schema = Record<string, any>;

/** An object whose keys are kept exactly, `__proto__` included (a literal or JSON.stringify would lose it). */
class Pairs {
  constructor(readonly entries: Array<[string, unknown]>) {}
}

function toJson(value: unknown): string {
  if (value instanceof Pairs) return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  return JSON.stringify(value ?? null);
}

const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));
const id = fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/);
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'unknownField', ''];

/** Values near what the schema asks for, and anything else JSON can say. */
function valueFor(schema: Schema | undefined, schemas: Record<string, Schema>, depth: number, name = ''): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  if (schema.$ref) return valueFor(schemas[String(schema.$ref).split('/').pop()!], schemas, depth + 1, name);
  const near: Array<fc.Arbitrary<unknown>> = [];
  if (schema.enum) near.push(fc.constantFrom(...schema.enum));
  if (schema.pattern) near.push(id, fc.stringMatching(/^[a-z]{2}[0-9]{1,2}$/));
  if (schema.type === 'string' && /email/i.test(name)) near.push(fc.constantFrom('a@example.com', ' B@Example.com ', 'c@example.org'));
  else if (schema.type === 'string' && /At$/.test(name)) near.push(fc.constantFrom('2026-11-01T10:00:00Z', '2026-11-01T10:00:00+02:00', 'yesterday'));
  else if (schema.type === 'string') near.push(printable(40), fc.constantFrom('closedwon', 'note', 'x'));
  if (schema.type === 'boolean') near.push(fc.boolean());
  if (schema.type === 'number' || schema.type === 'integer') near.push(fc.double(), fc.integer());
  if (schema.type === 'array') near.push(fc.array(valueFor(schema.items, schemas, depth + 1), { maxLength: 3 }));
  if (schema.type === 'object' || schema.properties || schema.additionalProperties) near.push(objectFor(schema, schemas, depth + 1));
  // Mostly near, so that many bodies get past validation into the commands.
  return near.length ? fc.oneof({ weight: 9, arbitrary: fc.oneof(...near) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }) : fc.jsonValue({ maxDepth: 2 });
}

/** Some of the schema's properties (each near or wrong), maybe a hostile key, maybe a map's entries. */
function objectFor(schema: Schema, schemas: Record<string, Schema>, depth: number): fc.Arbitrary<Pairs> {
  const props = Object.entries<Schema>(schema.properties ?? {});
  const known = props.map(([k, s]) => fc.option(valueFor(s, schemas, depth, k).map((v): [string, unknown] => [k, v]), { nil: undefined, freq: 4 }));
  const extra = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), printable(12)), fc.jsonValue({ maxDepth: 1 })), { maxLength: 2 });
  const mapEntries = schema.additionalProperties && typeof schema.additionalProperties === 'object'
    ? fc.array(fc.tuple(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), printable(12)), fc.oneof({ weight: 9, arbitrary: printable(12) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) })), { maxLength: 5 })
    : fc.constant([] as Array<[string, unknown]>);
  const isMap = props.length === 0 && typeof schema.additionalProperties === 'object';
  return fc
    .tuple(fc.tuple(...known), isMap ? fc.constant(undefined) : fc.option(extra, { nil: undefined, freq: 5 }), mapEntries)
    .map(([k, e, m]) => new Pairs([...k.filter((x): x is [string, unknown] => x !== undefined), ...(e ?? []), ...m]));
}

interface Operation {
  method: string;
  path: string;
  body?: Schema;
}

const headers = fc.record(
  {
    'idempotency-key': fc.oneof({ weight: 6, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,12}$/) }, { weight: 1, arbitrary: printable(210) }),
    'x-actor-user-id': fc.oneof(id, printable(70)),
    'x-acting-account-id': fc.oneof(id, printable(70)),
    'x-step-up': printable(60),
    'x-correlation-id': printable(40),
    'content-type': fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
      { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/problem+json', 'application/json; charset=latin1') },
    ),
  },
  { requiredKeys: [] },
);

describe('hostile input, property-based (every command, every header)', () => {
  let t: TestApp;
  let operations: Operation[];
  let schemas: Record<string, Schema>;
  let known: { account: string; user: string };

  beforeAll(async () => {
    t = await TestApp.start({ RUN_SAGAS: 'false' });
    const doc = (await t.request('GET', '/docs-json')).body;
    schemas = doc.components.schemas;
    operations = Object.entries<Record<string, Schema>>(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => ['post', 'put', 'delete'].includes(method))
        .map(([method, op]) => ({ method: method.toUpperCase(), path, body: op.requestBody?.content?.['application/json']?.schema })),
    );
    // Deletions and deactivation last: once they succeed on the known ids, the other commands stop short of their deciders.
    const ending = (o: Operation) => o.method === 'DELETE' || o.path.endsWith('/deactivation');
    operations.sort((a, b) => Number(ending(a)) - Number(ending(b)));
    known = { account: uid('pb-acc'), user: uid('pb-user') };
    await givenAccounts(t, known.user, [{ id: known.account }]);
  });
  afterAll(() => t.close());

  it('covers every command of the document', () => {
    expect(operations.length).toBeGreaterThanOrEqual(15);
  });

  /** Sends one request; a hang fails the property instead of timing out the suite. */
  async function send(method: string, url: string, payload: string | undefined, hdrs: Record<string, string>): Promise<Answer> {
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${method} ${url} did not answer within ${HANG_MS} ms`)), HANG_MS)));
    try {
      return await Promise.race([t.request(method, url, { payload, headers: hdrs }), hang]);
    } finally {
      clearTimeout(timer);
    }
  }

  it('answers every command with a 2xx or a problem+json 4xx, never a 5xx, and a 4xx appends nothing', async () => {
    for (const operation of operations) {
      const pathIds = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(known.account, known.user) }, { weight: 1, arbitrary: id }, { weight: 1, arbitrary: printable(20).map(encodeURIComponent) });
      const body = fc.oneof(
        { weight: 8, arbitrary: (operation.body ? valueFor(operation.body, schemas, 0) : fc.constant(new Pairs([]))).map(toJson) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
        { weight: 1, arbitrary: fc.oneof(printable(30), fc.constantFrom('', '{', '{"a":', 'null', '[]', '"x"', '{"__proto__":{"polluted":1}}')) },
      );
      await fc.assert(
        fc.asyncProperty(fc.array(pathIds, { minLength: 4, maxLength: 4 }), fc.option(body, { nil: undefined, freq: 8 }), headers, async (ids, payload, hdrs) => {
          let i = 0;
          const url = operation.path.replace(/\{[^}]+\}/g, () => ids[i++]);
          const head = await t.headPosition();
          const res = await send(operation.method, url, payload, hdrs as Record<string, string>);
          const where = `${operation.method} ${url} ${payload?.slice(0, 200)} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
          if (res.status >= 500 || res.status < 200 || (res.status >= 300 && res.status < 400)) throw new Error(`not a 2xx or 4xx: ${where}`);
          if (res.status >= 400) {
            if (!String(res.headers['content-type']).startsWith('application/problem+json')) throw new Error(`not problem+json: ${where}`);
            if ((await t.headPosition()) !== head) throw new Error(`a ${res.status} appended events: ${where}`);
          }
        }),
        { numRuns: RUNS },
      );
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 300_000);

  it('answers any read-your-writes header on a GET with a 2xx or a problem+json 4xx', async () => {
    // Positions at or below the head answer at once; a malformed one is a 400 (one far ahead would wait 5 s for its 503).
    const position = fc.oneof(fc.constant('0'), fc.constant('1'), printable(25).filter((s) => !/^\d+$/.test(s)));
    await fc.assert(
      fc.asyncProperty(position, fc.option(id, { nil: undefined }), async (minPosition, actor) => {
        const res = await send('GET', `/v1/accounts/${known.account}`, undefined, { 'x-min-position': minPosition, ...(actor ? { 'x-actor-user-id': actor } : {}) });
        expect(res.status === 200 || (res.status >= 400 && res.status < 500 && String(res.headers['content-type']).startsWith('application/problem+json'))).toBe(true);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
