import { answerFor, byteRequestHash, canonicalJson, requestHash } from './idempotency';

describe('idempotency request hash', () => {
  it('canonical JSON sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"e":2,"f":1}]},"b":1}');
    expect(canonicalJson(JSON.parse('{"__proto__":"x","a":"y"}'))).toBe('{"__proto__":"x","a":"y"}');
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
  });

  it('hashes bodies by meaning; method, URL and acting identity still tell requests apart', () => {
    const h = requestHash('POST', '/v1/x', { a: 1, b: 2 }, 'u');
    expect(requestHash('POST', '/v1/x', { b: 2, a: 1 }, 'u')).toBe(h);
    expect(requestHash('PUT', '/v1/x', { a: 1, b: 2 }, 'u')).not.toBe(h);
    expect(requestHash('POST', '/v1/y', { a: 1, b: 2 }, 'u')).not.toBe(h);
    expect(requestHash('POST', '/v1/x', { a: 1, b: 2 }, 'v')).not.toBe(h);
    expect(requestHash('POST', '/v1/x', { a: 1, b: 3 }, 'u')).not.toBe(h);
  });

  it('a record stored with the byte hash (before bodies were compared by meaning) still answers its repeat', () => {
    const body = { b: 2, a: 1 };
    const stored = { requestHash: byteRequestHash('POST', '/v1/x', body, 'u'), status: 201, body: { position: '7' } };
    const ctx = { key: 'k', streamId: 's', status: 201, requestHash: requestHash('POST', '/v1/x', body, 'u'), byteRequestHash: byteRequestHash('POST', '/v1/x', body, 'u') };
    expect(answerFor(stored, ctx)).toBe(stored);
    const other = { ...ctx, requestHash: requestHash('POST', '/v1/x', { a: 9 }, 'u'), byteRequestHash: byteRequestHash('POST', '/v1/x', { a: 9 }, 'u') };
    expect(() => answerFor(stored, other)).toThrow('another request');
  });
});
