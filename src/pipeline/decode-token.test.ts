// JOSE header rules (kid, typ, crit) and the strict parse of header and claims JSON.
import { describe, expect, it } from 'vitest';
import { decodeToken } from './decode-token.js';
import type { CompactToken } from './extract-token.js';

const CLAIMS = '{"iss":"https://issuer.example/p","sub":"s","aud":"p","exp":2000000000}';

function compact(headerJson: string, claimsJson = CLAIMS): CompactToken {
  const header = Buffer.from(headerJson).toString('base64url');
  const payload = Buffer.from(claimsJson).toString('base64url');
  return { token: `${header}.${payload}.c2ln`, header, payload, signature: 'c2ln' };
}

function reasonOf(headerJson: string, claimsJson?: string): string {
  const result = decodeToken(compact(headerJson, claimsJson));
  return 'reason' in result ? result.reason : 'ok';
}

describe('decodeToken', () => {
  it('returns alg, kid and the claims of a well-formed token', () => {
    expect(decodeToken(compact('{"alg":"RS256","kid":"k1","typ":"JWT"}'))).toEqual({
      alg: 'RS256',
      kid: 'k1',
      claims: JSON.parse(CLAIMS),
    });
  });

  it('requires kid to be a non-empty string of at most 256 characters', () => {
    expect(reasonOf('{"alg":"RS256"}')).toBe('malformed_token');
    expect(reasonOf('{"alg":"RS256","kid":7}')).toBe('malformed_token');
    expect(reasonOf('{"alg":"RS256","kid":""}')).toBe('malformed_token');
    expect(reasonOf('{"alg":"RS256","kid":null}')).toBe('malformed_token');
    expect(reasonOf(`{"alg":"RS256","kid":"${'k'.repeat(257)}"}`)).toBe('malformed_token');
    expect(reasonOf(`{"alg":"RS256","kid":"${'k'.repeat(256)}"}`)).toBe('ok');
  });

  it('requires alg to be a non-empty string', () => {
    expect(reasonOf('{"kid":"k1"}')).toBe('malformed_token');
    expect(reasonOf('{"alg":"","kid":"k1"}')).toBe('malformed_token');
    expect(reasonOf('{"alg":256,"kid":"k1"}')).toBe('malformed_token');
  });

  it('accepts typ absent or JWT in any case, and rejects at+jwt and other types', () => {
    for (const typ of ['JWT', 'jwt', 'Jwt'])
      expect(reasonOf(`{"alg":"RS256","kid":"k1","typ":"${typ}"}`)).toBe('ok');
    expect(reasonOf('{"alg":"RS256","kid":"k1"}')).toBe('ok');
    expect(reasonOf('{"alg":"RS256","kid":"k1","typ":"at+jwt"}')).toBe('unsupported_token_type');
    expect(reasonOf('{"alg":"RS256","kid":"k1","typ":"logout+jwt"}')).toBe(
      'unsupported_token_type',
    );
    expect(reasonOf('{"alg":"RS256","kid":"k1","typ":1}')).toBe('unsupported_token_type');
  });

  it('rejects any crit header, even an empty one, and b64', () => {
    expect(reasonOf('{"alg":"RS256","kid":"k1","crit":["exp"],"exp":1}')).toBe('malformed_token');
    expect(reasonOf('{"alg":"RS256","kid":"k1","crit":[]}')).toBe('malformed_token');
    expect(reasonOf('{"alg":"RS256","kid":"k1","b64":false}')).toBe('malformed_token');
  });

  it('rejects duplicate member names in the header', () => {
    const result = decodeToken(compact('{"alg":"none","alg":"RS256","kid":"k1"}'));
    expect(result).toMatchObject({ reason: 'malformed_token' });
    expect((result as { detail: string }).detail).toContain('duplicate member name "alg"');
  });

  it('rejects duplicate member names in the claims, also when one is written with escapes', () => {
    expect(reasonOf('{"alg":"RS256","kid":"k1"}', '{"iss":"evil","iss":"good","sub":"s"}')).toBe(
      'malformed_token',
    );
    expect(
      reasonOf('{"alg":"RS256","kid":"k1"}', '{"iss":"evil","i\\u0073s":"good","sub":"s"}'),
    ).toBe('malformed_token');
    expect(reasonOf('{"alg":"RS256","kid":"k1"}', '{"a":{"x":1,"x":2}}')).toBe('malformed_token');
  });

  it('keeps a __proto__ member as a plain own property without polluting prototypes', () => {
    const result = decodeToken(
      compact('{"alg":"RS256","kid":"k1"}', '{"__proto__":{"admin":true},"sub":"s"}'),
    );
    if ('reason' in result) throw new Error(`unexpected deny: ${result.detail}`);
    const { claims } = result;
    // The member must not become the prototype (the parser may use null-prototype objects).
    expect([null, Object.prototype]).toContain(Object.getPrototypeOf(claims));
    expect(Object.keys(claims)).toEqual(['__proto__', 'sub']);
    expect(Object.getOwnPropertyDescriptor(claims, '__proto__')?.value).toEqual({ admin: true });
    expect((claims as { admin?: unknown }).admin).toBeUndefined();
    expect(({} as { admin?: unknown }).admin).toBeUndefined();
  });

  it('rejects a header or claims set that is not a JSON object or not UTF-8', () => {
    expect(reasonOf('["alg","RS256"]')).toBe('malformed_token');
    expect(reasonOf('{"alg":"RS256","kid":"k1"}', '"just a string"')).toBe('malformed_token');
    expect(reasonOf('{"alg":"RS256","kid":"k1"}', '{"sub":"s"} trailing')).toBe('malformed_token');
    const latin1 = Buffer.from('{"alg":"RS256","kid":"k\xe9"}', 'latin1').toString('base64url');
    const result = decodeToken({ ...compact('{}'), header: latin1 });
    expect(result).toMatchObject({ reason: 'malformed_token' });
  });

  it('rejects a header or claims set that begins with a byte-order mark, which TextDecoder would drop', () => {
    expect(reasonOf('\uFEFF{"alg":"RS256","kid":"k1"}')).toBe('malformed_token');
    expect(reasonOf('{"alg":"RS256","kid":"k1"}', `\uFEFF${CLAIMS}`)).toBe('malformed_token');
    // U+FEFF anywhere else in a string value is ordinary text.
    expect(reasonOf('{"alg":"RS256","kid":"k\uFEFF1"}')).toBe('ok');
  });
});
