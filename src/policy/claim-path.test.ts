import { describe, expect, it } from 'vitest';
import { lookupClaim, parseClaimPath, type ClaimPath } from './claim-path.js';

function parsed(text: string): ClaimPath {
  const path = parseClaimPath(text);
  if (typeof path === 'string') throw new Error(path);
  return path;
}

describe('parseClaimPath', () => {
  it('splits a dotted path into its claim names', () => {
    expect(parsed('firebase.tenant').segments).toEqual(['firebase', 'tenant']);
    expect(parsed('email').segments).toEqual(['email']);
    expect(parsed('cognito:groups').segments).toEqual(['cognito:groups']);
    expect(parsed('a_b.c-d.$e.0').segments).toEqual(['a_b', 'c-d', '$e', '0']);
  });

  it('reads a bracketed JSON string as one name, dots and slashes included', () => {
    expect(parsed('["https://example.com/roles"]').segments).toEqual(['https://example.com/roles']);
    expect(parsed('app["x.y"].z').segments).toEqual(['app', 'x.y', 'z']);
    expect(parsed('app.["x.y"]').segments).toEqual(['app', 'x.y']);
  });

  it.each([
    ['', /empty/],
    ['.email', /position 0/],
    ['email.', /end with "."/],
    ['a..b', /position 2/],
    ['a b', /unexpected " "/],
    ['a/b', /unexpected "\/"/],
    ['a[0]', /unexpected "\["/],
    ['["a"', /not closed/],
    ['[""]', /must not be empty/],
    ['[""].a', /must not be empty/],
    ['["a\\"]', /not closed|JSON string/],
    ['a.[1]', /position 2/],
    ['é', /position 0/],
  ])('rejects %j with a message saying what is wrong', (text, message) => {
    const result = parseClaimPath(text);
    expect(typeof result).toBe('string');
    expect(result).toMatch(message);
  });

  it('rejects an empty bracketed name', () => {
    expect(parseClaimPath('a[""]')).toMatch(/must not be empty/);
  });

  it('bounds the length and the depth of a path', () => {
    expect(parseClaimPath('a'.repeat(257))).toMatch(/at most 256/);
    expect(parseClaimPath(Array.from({ length: 17 }, () => 'a').join('.'))).toMatch(/at most 16/);
    expect(typeof parseClaimPath(Array.from({ length: 16 }, () => 'a').join('.'))).toBe('object');
  });
});

describe('lookupClaim', () => {
  const claims = {
    email: 'a@example.com',
    firebase: { tenant: 'OU1243', sign_in_provider: 'custom', nested: { deep: 7 } },
    'https://example.com/roles': ['admin'],
    list: [{ x: 1 }],
    nothing: null,
  };

  it('finds top-level and nested claims', () => {
    expect(lookupClaim(claims, parsed('email'))).toBe('a@example.com');
    expect(lookupClaim(claims, parsed('firebase.tenant'))).toBe('OU1243');
    expect(lookupClaim(claims, parsed('firebase.nested.deep'))).toBe(7);
    expect(lookupClaim(claims, parsed('["https://example.com/roles"]'))).toEqual(['admin']);
    expect(lookupClaim(claims, parsed('nothing'))).toBeNull();
  });

  it('answers undefined for a missing claim or a path through a non-object', () => {
    expect(lookupClaim(claims, parsed('phone'))).toBeUndefined();
    expect(lookupClaim(claims, parsed('firebase.missing'))).toBeUndefined();
    expect(lookupClaim(claims, parsed('email.length'))).toBeUndefined();
    expect(lookupClaim(claims, parsed('list.0'))).toBeUndefined();
    expect(lookupClaim(claims, parsed('nothing.x'))).toBeUndefined();
  });

  it('never reaches into the prototype chain', () => {
    expect(lookupClaim(claims, parsed('constructor'))).toBeUndefined();
    expect(lookupClaim(claims, parsed('firebase.toString'))).toBeUndefined();
    expect(lookupClaim(claims, parsed('__proto__'))).toBeUndefined();
  });
});
