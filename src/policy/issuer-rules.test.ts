import { describe, expect, it } from 'vitest';
import { compileIssuerRules, describeIssuerRules, NO_RULES } from './issuer-rules.js';

describe('compileIssuerRules', () => {
  it('compiles every key of the issue example and describes it back as written', () => {
    const spec = {
      tenantClaim: 'firebase.tenant',
      tenants: ['OU1243', 'OU2000'],
      topics: ['orders/*', 'invoices/paid'],
      requiredClaims: { email_verified: true },
      maxTokenAgeSeconds: 3600,
      triggeredAtWindowSeconds: 259_200,
      replay: 'jti' as const,
      claimHeaders: { email: 'X-Pps-Auth-Email', user_id: 'x-pps-auth-user-id' },
    };
    const rules = compileIssuerRules(spec);
    expect(rules.tenantClaim?.segments).toEqual(['firebase', 'tenant']);
    expect(rules.tenants?.has('OU2000')).toBe(true);
    expect(rules.topics?.map((t) => t.text)).toEqual(['orders/*', 'invoices/paid']);
    expect(rules.claimHeaders.map((h) => h.name)).toEqual([
      'x-pps-auth-email',
      'x-pps-auth-user-id',
    ]);
    expect(describeIssuerRules(rules)).toEqual({
      ...spec,
      claimHeaders: { email: 'x-pps-auth-email', user_id: 'x-pps-auth-user-id' },
    });
  });

  it('leaves every rule off for an entry without policy keys', () => {
    expect(compileIssuerRules({})).toEqual(NO_RULES);
    expect(describeIssuerRules(NO_RULES)).toEqual({});
  });

  it('throws on a value the schema should have refused', () => {
    expect(() => compileIssuerRules({ topics: ['/x'] })).toThrow(/topic glob/);
    expect(() => compileIssuerRules({ tenantClaim: 'a..b' })).toThrow(/claim path/);
    expect(() => compileIssuerRules({ claimHeaders: { email: 'x-email' } })).toThrow(/prefix/);
  });
});
