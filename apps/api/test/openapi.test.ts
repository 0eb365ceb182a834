import { ID_PATTERN } from '@mam/domain';
import { OpenApiValidator } from './openapi-validator';
import { TestApp } from './test-app';

/**
 * The document at /docs-json is complete: a consumer can generate a client
 * from it. (Every answer of the HTTP tests is checked against it by
 * TestApp.request.)
 */
describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: any;
  const operations: Array<{ method: string; path: string; op: any }> = [];

  beforeAll(async () => {
    t = await TestApp.start();
    doc = (await t.request('GET', '/docs-json')).body;
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) operations.push({ method: method.toUpperCase(), path, op });
    }
  });
  afterAll(() => t.close());

  const each = (check: (o: { method: string; path: string; op: any }) => string | null) =>
    operations.map((o) => check(o)).filter((m): m is string => m !== null);
  const header = (op: any, name: string) => (op.parameters ?? []).find((p: any) => p.in === 'header' && p.name.toLowerCase() === name.toLowerCase());

  it('gives every operation a success answer with a schema', () => {
    expect(
      each(({ method, path, op }) => {
        const ok = Object.entries<any>(op.responses).find(([status]) => status.startsWith('2'));
        return ok?.[1].content?.['application/json']?.schema ? null : `${method} ${path}`;
      }),
    ).toEqual([]);
  });

  it('documents Idempotency-Key on every POST, PUT and DELETE, and X-Min-Position on every GET', () => {
    expect(each(({ method, path, op }) => (['POST', 'PUT', 'DELETE'].includes(method) && !header(op, 'idempotency-key') ? `${method} ${path}` : null))).toEqual([]);
    expect(each(({ method, path, op }) => (method === 'GET' && !header(op, 'x-min-position') ? `${method} ${path}` : null))).toEqual([]);
  });

  it('documents the problem+json errors of every /v1 operation with their codes', () => {
    expect(
      each(({ method, path, op }) => {
        if (!path.startsWith('/v1/')) return null;
        const missing = ['400', '401'].filter((s) => !op.responses[s]?.content?.['application/problem+json']);
        const errors = Object.entries<any>(op.responses).filter(([s]) => Number(s) >= 400);
        const uncoded = errors.filter(([, r]) => !r.content?.['application/problem+json']?.schema?.allOf?.[1]?.properties?.code?.enum?.length);
        return missing.length || uncoded.length ? `${method} ${path}: missing ${missing} uncoded ${uncoded.map(([s]) => s)}` : null;
      }),
    ).toEqual([]);
    const batch = doc.paths['/v1/accounts/{accountId}/contacts:batch'].post;
    expect(batch.responses['422'].content['application/problem+json'].schema.allOf[1].properties.code.enum).toEqual(['ACCOUNT_DEACTIVATED', 'IDEMPOTENCY_KEY_REUSED']);
    expect(doc.paths['/v1/accounts'].post.responses['503'].description).toContain('OVERLOADED');
    expect(doc.paths['/v1/accounts/{accountId}'].get.responses['503'].description).toContain('PROJECTION_LAG');
  });

  it('gives every path id its pattern and lengths', () => {
    expect(
      each(({ method, path, op }) => {
        const bad = (op.parameters ?? []).filter((p: any) => p.in === 'path' && !(p.schema?.pattern === ID_PATTERN.source && p.schema.maxLength === 64 && p.schema.minLength === 1));
        return bad.length ? `${method} ${path}: ${bad.map((p: any) => p.name)}` : null;
      }),
    ).toEqual([]);
  });

  it('closes every request body to unknown fields, keeps property maps open, and states the batch limit', () => {
    const schemas = doc.components.schemas;
    const open = Object.entries<any>(schemas).filter(([name]) => name.endsWith('Dto') && each(({ op }) => (JSON.stringify(op.requestBody ?? {}).includes(`/${name}"`) ? name : null)).length > 0);
    expect(open.length).toBeGreaterThan(5);
    expect(open.filter(([, s]) => s.additionalProperties !== false).map(([n]) => n)).toEqual([]);
    expect(schemas.ConnectionDto.additionalProperties).toBe(false);
    expect(schemas.FeaturesDto.additionalProperties).toBe(false);
    expect(schemas.ContactDto.properties.properties.additionalProperties).toEqual(expect.objectContaining({ type: 'string' }));
    expect(schemas.ContactBatchDto.properties.upserts.maxItems).toBe(1000);
    expect(schemas.ContactBatchDto.properties.deletes.maxItems).toBe(1000);
  });

  describe('the answer check', () => {
    let validator: OpenApiValidator;
    beforeAll(() => {
      validator = new OpenApiValidator(doc);
    });

    it('accepts a documented answer', () => {
      expect(validator.check('PUT', '/v1/accounts/a/subscriptions', 200, 'application/json; charset=utf-8', { position: '12' })).toBeNull();
    });

    it('names the operation and the field of an answer that breaks the document', () => {
      expect(validator.check('PUT', '/v1/accounts/a/subscriptions', 200, 'application/json', { position: 12 })).toMatch(/^PUT \/v1\/accounts\/\{accountId\}\/subscriptions 200: body\/position must be string/);
      expect(validator.check('GET', '/v1/accounts/a', 200, 'application/json', { accountId: 'a' })).toMatch(/GET \/v1\/accounts\/\{accountId\} 200: body must have required property 'name'/);
    });

    it('refuses an undocumented status, content type or problem code', () => {
      expect(validator.check('GET', '/v1/accounts/a', 500, 'application/problem+json', {})).toMatch(/status 500 is not documented/);
      expect(validator.check('GET', '/v1/accounts/a', 404, 'application/json', {})).toMatch(/content-type application\/json is not documented/);
      const problem = { type: 'x', title: 'Unprocessable Content', status: 422, detail: 'd', code: 'HOSTING_MISMATCH' };
      expect(validator.check('PUT', '/v1/accounts/a/subscriptions', 422, 'application/problem+json', problem)).toMatch(/body\/code must be equal to one of the allowed values/);
    });

    it('wants problem+json from errors of paths the document does not know', () => {
      expect(validator.check('GET', '/nowhere', 404, 'application/json', { code: 'FST_ERR_NOT_FOUND' })).toMatch(/no operation.*not application\/problem\+json/);
      expect(validator.check('GET', '/metrics', 200, 'text/plain', 'x 1')).toBeNull();
    });
  });
});
