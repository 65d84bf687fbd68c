import { describe, expect, it } from 'vitest';
import { parseClaimPath, type ClaimPath } from './claim-path.js';
import { findClaimMismatch, type RequiredValue } from './required-claims.js';

const path = (text: string): ClaimPath => parseClaimPath(text) as ClaimPath;
const require = (entries: Record<string, RequiredValue>) =>
  Object.entries(entries).map(([p, value]) => ({ path: path(p), value }));

const claims = {
  email_verified: true,
  level: 3,
  roles: ['reader', 'writer'],
  firebase: { tenant: 'OU1243', sign_in_provider: 'custom' },
  flags: [true],
};

describe('findClaimMismatch', () => {
  it('passes when every required claim equals its value', () => {
    expect(
      findClaimMismatch(
        claims,
        require({ email_verified: true, level: 3, 'firebase.sign_in_provider': 'custom' }),
      ),
    ).toBeUndefined();
  });

  it('passes when an array claim contains the required value', () => {
    expect(findClaimMismatch(claims, require({ roles: 'writer' }))).toBeUndefined();
    expect(findClaimMismatch(claims, require({ flags: true }))).toBeUndefined();
  });

  it('names the first requirement that fails', () => {
    const failed = findClaimMismatch(claims, require({ level: 3, roles: 'admin' }));
    expect(failed?.path.text).toBe('roles');
  });

  it('never coerces types', () => {
    expect(findClaimMismatch(claims, require({ email_verified: 'true' }))).toBeDefined();
    expect(findClaimMismatch(claims, require({ level: '3' }))).toBeDefined();
    expect(findClaimMismatch({ n: 1 }, require({ n: true }))).toBeDefined();
  });

  it('fails a missing claim, a nested miss and an object where a value is required', () => {
    expect(findClaimMismatch(claims, require({ phone_verified: true }))).toBeDefined();
    expect(findClaimMismatch(claims, require({ 'firebase.tenant.x': 'y' }))).toBeDefined();
    expect(findClaimMismatch(claims, require({ firebase: 'OU1243' }))).toBeDefined();
  });

  it('compares strings exactly', () => {
    expect(findClaimMismatch(claims, require({ 'firebase.tenant': 'ou1243' }))).toBeDefined();
    expect(findClaimMismatch(claims, require({ 'firebase.tenant': 'OU1243' }))).toBeUndefined();
  });
});
