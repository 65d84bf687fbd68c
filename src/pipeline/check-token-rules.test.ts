import { describe, expect, it } from 'vitest';
import { compileIssuerRules } from '../policy/issuer-rules.js';
import { checkTokenRules } from './check-token-rules.js';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const rules = compileIssuerRules({
  maxTokenAgeSeconds: 600,
  requiredClaims: { email_verified: true, 'app.role': 'sender' },
});
const claims = { email_verified: true, app: { role: 'sender' } };
const at = (issuedAt: number | undefined, extra: Partial<{ claims: object; nowMs: number }> = {}) =>
  checkTokenRules({
    rules,
    issuer: 'https://issuer',
    claims: { ...claims, ...extra.claims },
    issuedAt,
    skewSeconds: 60,
    nowMs: extra.nowMs ?? NOW,
  });

describe('checkTokenRules', () => {
  it('passes a young token with the required claims', () => {
    expect(at(NOW / 1000)).toBeUndefined();
  });

  it('passes a token exactly maxTokenAgeSeconds plus skew old, denies one a millisecond older', () => {
    expect(at(NOW / 1000 - 660)).toBeUndefined();
    expect(at(NOW / 1000 - 660, { nowMs: NOW + 1 })?.reason).toBe('token_too_old');
  });

  it('denies a token without iat as invalid_claims', () => {
    expect(at(undefined)?.reason).toBe('invalid_claims');
  });

  it('denies a missing or different required claim as claim_mismatch, naming it privately', () => {
    const denied = at(NOW / 1000, { claims: { app: { role: 'reader' } } });
    expect(denied).toMatchObject({ reason: 'claim_mismatch', issuer: 'https://issuer' });
    expect(denied?.detail).toContain('app.role');
  });
});
