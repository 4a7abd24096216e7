// What makes two requests "the same" for Idempotency-Key and page tokens:
// canonical JSON (key order never matters, a "__proto__" key stays a key) and
// the principal key (equal principals share state, different ones never do).
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../lib/http/protocol/canonical-json';
import { principalKey } from '../lib/http/guards/principal-key';

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps arrays in order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
    expect(canonicalJson(undefined)).toBeUndefined();
  });

  it('keeps an own "__proto__" key (from JSON.parse) as data', () => {
    const parsed = JSON.parse('{"__proto__":{"x":1},"a":2}');
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"x":1},"a":2}');
    expect(canonicalJson(parsed)).not.toBe(canonicalJson({ a: 2 }));
  });

  it('refuses cycles', () => {
    const o: Record<string, unknown> = {};
    o.self = o;
    expect(() => canonicalJson(o)).toThrow(/cyclic/);
  });
});

describe('principalKey', () => {
  it('names a principal by its sub, else by its canonical JSON, else by identity', () => {
    expect(principalKey({ sub: 'alice', scopes: ['a'] })).toBe(principalKey({ sub: 'alice', scopes: ['b'] }));
    expect(principalKey({ sub: 'alice' })).not.toBe(principalKey({ sub: 'bob' }));
    expect(principalKey({ team: 1, user: 'x' })).toBe(principalKey({ user: 'x', team: 1 }));
    expect(principalKey({ team: 1 })).not.toBe(principalKey({ team: 2 }));
    expect(principalKey('token-a')).not.toBe(principalKey('token-b'));
    // A sub that looks like another form's key cannot collide with it.
    expect(principalKey({ sub: 'json:abc' })).not.toBe(principalKey({ x: 1 }));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(principalKey(cyclic)).toBe(principalKey(cyclic));
    const other: Record<string, unknown> = {};
    other.self = other;
    expect(principalKey(cyclic)).not.toBe(principalKey(other));
  });
});
