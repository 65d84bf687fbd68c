import { describe, expect, it } from 'vitest';
import { parseClaimPath, type ClaimPath } from './claim-path.js';
import { claimHeaders, claimHeaderValue, parseClaimHeaderName } from './claim-headers.js';

const header = (claim: string, name: string) => ({
  path: parseClaimPath(claim) as ClaimPath,
  name,
});

describe('parseClaimHeaderName', () => {
  it('accepts names under x-pps-auth-, lower-cased', () => {
    expect(parseClaimHeaderName('x-pps-auth-email')).toBe('x-pps-auth-email');
    expect(parseClaimHeaderName('X-Pps-Auth-User-Id')).toBe('x-pps-auth-user-id');
  });

  it.each([
    ['x-user-email', /reserved x-pps-auth- prefix/],
    ['x-pps-email', /reserved x-pps-auth- prefix/],
    ['x-pps-auth-', /reserved x-pps-auth- prefix/],
    ['x_pps_auth_email', /reserved x-pps-auth- prefix/],
    ['x-pps-auth-e mail', /letters, digits and "-"/],
    ['x-pps-auth-email_address', /letters, digits and "-"/],
    ['x-pps-auth-subject', /identity headers/],
    ['x-pps-auth-claims', /identity headers/],
  ])('refuses %j, saying why', (name, message) => {
    const result = parseClaimHeaderName(name);
    expect(typeof result).toBe('object');
    expect((result as { error: string }).error).toMatch(message);
  });
});

describe('claimHeaders', () => {
  const claims = {
    email: 'a@example.com',
    user_id: 'u-1',
    email_verified: true,
    level: 3,
    roles: ['reader', 'writer'],
    firebase: { tenant: 'OU1243', identities: { email: ['a@example.com'] } },
    name: 'Zoë',
    nothing: null,
  };

  it('sets plain string claims as they are, nested ones included', () => {
    expect(
      claimHeaders(claims, [
        header('email', 'x-pps-auth-email'),
        header('firebase.tenant', 'x-pps-auth-tenant'),
      ]),
    ).toEqual([
      ['x-pps-auth-email', 'a@example.com'],
      ['x-pps-auth-tenant', 'OU1243'],
    ]);
  });

  it('JSON-encodes values that are not strings', () => {
    expect(
      claimHeaders(claims, [
        header('email_verified', 'x-pps-auth-ev'),
        header('level', 'x-pps-auth-level'),
        header('roles', 'x-pps-auth-roles'),
        header('firebase.identities', 'x-pps-auth-ids'),
        header('nothing', 'x-pps-auth-nothing'),
      ]),
    ).toEqual([
      ['x-pps-auth-ev', 'true'],
      ['x-pps-auth-level', '3'],
      ['x-pps-auth-roles', '["reader","writer"]'],
      ['x-pps-auth-ids', '{"email":["a@example.com"]}'],
      ['x-pps-auth-nothing', 'null'],
    ]);
  });

  it('JSON-encodes strings a header cannot carry, escaping non-ASCII', () => {
    expect(claimHeaders(claims, [header('name', 'x-pps-auth-name')])).toEqual([
      ['x-pps-auth-name', '"Zo\\u00eb"'],
    ]);
    expect(claimHeaderValue('a\nb')).toBe('"a\\nb"');
    expect(claimHeaderValue('tab\there')).toBe('"tab\\there"');
    expect(claimHeaderValue('del\u007f')).toBe('"del\\u007f"');
  });

  it('sets no header for a missing claim', () => {
    expect(
      claimHeaders(claims, [header('phone', 'x-pps-auth-phone'), header('email', 'x-pps-auth-e')]),
    ).toEqual([['x-pps-auth-e', 'a@example.com']]);
  });
});
