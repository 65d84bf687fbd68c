// Issuer policy and key-free claim rules: iss, alg allow-list, exp/nbf/iat with skew, sub, aud.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/parse-config.js';
import { checkClaims } from './check-claims.js';
import { decodeToken, type DecodedToken } from './decode-token.js';

const ISS = 'https://issuer.example/proj';
const ANY = 'https://any-audience.example/proj';
const NO_IAT = 'https://no-iat.example/proj';
const NOW_MS = 1_750_000_000_000;
const NOW = NOW_MS / 1000;
const SKEW = 60;
const config = parseConfig(
  JSON.stringify({
    issuers: [
      { issuer: ISS, audiences: ['proj', 'proj-2'], algorithms: ['RS256'] },
      { issuer: ANY, audiences: '*' },
      {
        issuer: NO_IAT,
        audiences: ['proj'],
        requireIssuedAt: false,
        maxTokenLifetimeSeconds: 7200,
      },
    ],
    clockSkewSeconds: SKEW,
  }),
  'claims-test.json',
);

function token(claims: Record<string, unknown>, alg = 'RS256'): DecodedToken {
  return {
    alg,
    kid: 'k1',
    claims: { iss: ISS, aud: 'proj', sub: 'sender', iat: NOW, exp: NOW + 3600, ...claims },
  };
}

function reasonOf(claims: Record<string, unknown>, alg?: string): string {
  const result = checkClaims(token(claims, alg), config, NOW_MS);
  return 'reason' in result ? result.reason : 'ok';
}

describe('checkClaims', () => {
  it('accepts a good token and returns policy, subject, audience and iat', () => {
    const result = checkClaims(token({}), config, NOW_MS);
    expect(result).toMatchObject({ subject: 'sender', audience: 'proj', issuedAt: NOW });
    expect('policy' in result && result.policy.issuer).toBe(ISS);
  });

  it('denies an untrusted iss, a trailing-slash variant, another case and a missing iss', () => {
    expect(reasonOf({ iss: 'https://evil.example/proj' })).toBe('untrusted_issuer');
    expect(reasonOf({ iss: `${ISS}/` })).toBe('untrusted_issuer');
    expect(reasonOf({ iss: ISS.toUpperCase() })).toBe('untrusted_issuer');
    expect(reasonOf({ iss: 'https://Issuer.example/proj' })).toBe('untrusted_issuer');
    expect(reasonOf({ iss: undefined })).toBe('untrusted_issuer');
    expect(reasonOf({ iss: [ISS] })).toBe('untrusted_issuer');
  });

  it("denies an algorithm outside the issuer's allow-list, none included", () => {
    expect(reasonOf({}, 'PS256')).toBe('disallowed_algorithm');
    expect(reasonOf({}, 'none')).toBe('disallowed_algorithm');
    expect(reasonOf({}, 'HS256')).toBe('disallowed_algorithm');
    expect(reasonOf({ iss: ANY }, 'HS256')).toBe('disallowed_algorithm');
    expect(reasonOf({ iss: ANY }, 'EdDSA')).toBe('ok');
  });

  it('denies a missing, string or non-finite exp as invalid_claims', () => {
    expect(reasonOf({ exp: undefined })).toBe('invalid_claims');
    expect(reasonOf({ exp: String(NOW + 3600) })).toBe('invalid_claims');
    expect(reasonOf({ exp: null })).toBe('invalid_claims');
    // exp: 1e400 as it really arrives: through the token's JSON.
    const payload = Buffer.from(`{"iss":"${ISS}","aud":"proj","sub":"s","exp":1e400}`).toString(
      'base64url',
    );
    const header = Buffer.from('{"alg":"RS256","kid":"k1"}').toString('base64url');
    const decoded = decodeToken({ token: '', header, payload, signature: '' });
    if ('reason' in decoded) throw new Error(decoded.detail);
    expect(decoded.claims.exp).toBe(Infinity);
    expect(checkClaims(decoded, config, NOW_MS)).toMatchObject({ reason: 'invalid_claims' });
  });

  it('denies an expired token as token_expired, with exp = now - skew expired and one second later not', () => {
    expect(reasonOf({ exp: NOW - 3600 })).toBe('token_expired');
    expect(reasonOf({ exp: NOW - SKEW })).toBe('token_expired');
    expect(reasonOf({ exp: NOW - SKEW + 1 })).toBe('ok');
    expect(reasonOf({ exp: NOW })).toBe('ok');
  });

  it('denies iat in the future beyond the skew as token_not_yet_valid, and accepts it within', () => {
    expect(reasonOf({ iat: NOW + SKEW + 1 })).toBe('token_not_yet_valid');
    expect(reasonOf({ iat: NOW + 86_400 })).toBe('token_not_yet_valid');
    expect(reasonOf({ iat: NOW + SKEW })).toBe('ok');
    expect(reasonOf({ iat: 'yesterday' })).toBe('invalid_claims');
  });

  it('requires iat (OIDC Core §2) unless the issuer opts out with requireIssuedAt: false', () => {
    expect(reasonOf({ iat: undefined })).toBe('invalid_claims');
    expect(reasonOf({ iss: NO_IAT, iat: undefined })).toBe('ok');
  });

  it('refuses a lifetime over maxTokenLifetimeSeconds (default one day), from iat or, without it, from now', () => {
    expect(reasonOf({ exp: NOW + 86_400 })).toBe('ok');
    expect(reasonOf({ exp: NOW + 86_401 })).toBe('invalid_claims');
    expect(reasonOf({ iat: NOW - 3600, exp: NOW + 10 * 365 * 86_400 })).toBe('invalid_claims');
    // Issued an hour ago for a day: still within the day, however late it arrives.
    expect(reasonOf({ iat: NOW - 3600, exp: NOW + 82_800 })).toBe('ok');
    expect(reasonOf({ iss: NO_IAT, iat: undefined, exp: NOW + 7200 + SKEW })).toBe('ok');
    expect(reasonOf({ iss: NO_IAT, iat: undefined, exp: NOW + 7200 + SKEW + 1 })).toBe(
      'invalid_claims',
    );
    expect(reasonOf({ iss: NO_IAT, exp: NOW + 7201 })).toBe('invalid_claims');
  });

  it('checks auth_time when present: a number, not in the future beyond the skew', () => {
    expect(reasonOf({ auth_time: NOW - 600 })).toBe('ok');
    expect(reasonOf({ auth_time: NOW + SKEW })).toBe('ok');
    expect(reasonOf({ auth_time: NOW + SKEW + 1 })).toBe('token_not_yet_valid');
    expect(reasonOf({ auth_time: '1750000000' })).toBe('invalid_claims');
    expect(reasonOf({ auth_time: null })).toBe('invalid_claims');
  });

  it('denies nbf in the future beyond the skew, accepts it within, and rejects a non-number', () => {
    expect(reasonOf({ nbf: NOW + SKEW + 1 })).toBe('token_not_yet_valid');
    expect(reasonOf({ nbf: NOW + SKEW })).toBe('ok');
    expect(reasonOf({ nbf: NOW - 10 })).toBe('ok');
    expect(reasonOf({ nbf: '0' })).toBe('invalid_claims');
  });

  it('requires sub to be 1 to 255 printable ASCII characters', () => {
    expect(reasonOf({ sub: 'x'.repeat(255) })).toBe('ok');
    expect(reasonOf({ sub: undefined })).toBe('invalid_claims');
    expect(reasonOf({ sub: '' })).toBe('invalid_claims');
    expect(reasonOf({ sub: 42 })).toBe('invalid_claims');
    expect(reasonOf({ sub: 'x'.repeat(256) })).toBe('invalid_claims');
    expect(reasonOf({ sub: 'a\r\nx-pps-auth-subject: admin' })).toBe('invalid_claims');
    expect(reasonOf({ sub: 'caf\u00e9' })).toBe('invalid_claims');
  });

  it('denies an audience outside the allow-list as invalid_audience, for string and array aud', () => {
    expect(reasonOf({ aud: 'other' })).toBe('invalid_audience');
    expect(reasonOf({ aud: 'proj-1' })).toBe('invalid_audience');
    expect(reasonOf({ aud: ['other', 'another'] })).toBe('invalid_audience');
    expect(checkClaims(token({ aud: ['other', 'proj-2'] }), config, NOW_MS)).toMatchObject({
      audience: 'proj-2',
    });
  });

  it('denies an aud that is not a string or a non-empty array of strings as invalid_claims', () => {
    expect(reasonOf({ aud: [] })).toBe('invalid_claims');
    expect(reasonOf({ aud: undefined })).toBe('invalid_claims');
    expect(reasonOf({ aud: ['proj', 7] })).toBe('invalid_claims');
    expect(reasonOf({ aud: { proj: true } })).toBe('invalid_claims');
  });

  it('accepts any audience for an issuer configured with "*", but still requires a printable one', () => {
    expect(checkClaims(token({ iss: ANY, aud: 'whatever' }), config, NOW_MS)).toMatchObject({
      audience: 'whatever',
    });
    expect(
      checkClaims(token({ iss: ANY, aud: ['first', 'second'] }), config, NOW_MS),
    ).toMatchObject({ audience: 'first' });
    expect(reasonOf({ iss: ANY, aud: 'bad\nvalue' })).toBe('invalid_claims');
  });
});
