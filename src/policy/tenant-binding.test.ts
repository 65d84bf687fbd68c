import { describe, expect, it } from 'vitest';
import { parseClaimPath, type ClaimPath } from './claim-path.js';
import { checkTenant, type TenantRules } from './tenant-binding.js';

const rules = (tenantClaim?: string, tenants?: string[]): TenantRules => ({
  tenantClaim: tenantClaim === undefined ? undefined : (parseClaimPath(tenantClaim) as ClaimPath),
  tenants: tenants === undefined ? undefined : new Set(tenants),
});

describe('checkTenant', () => {
  it('passes a header tenant that equals the bound claim', () => {
    expect(
      checkTenant(rules('firebase.tenant'), { firebase: { tenant: 'OU1243' } }, 'OU1243'),
    ).toBeUndefined();
  });

  it('denies a header tenant other than the claim as tenant_mismatch, case included', () => {
    const claims = { firebase: { tenant: 'OU1243' } };
    expect(checkTenant(rules('firebase.tenant'), claims, 'OU2000')?.reason).toBe('tenant_mismatch');
    expect(checkTenant(rules('firebase.tenant'), claims, 'ou1243')?.reason).toBe('tenant_mismatch');
  });

  it('denies a token without the claim, or with a non-string one, as tenant_mismatch', () => {
    expect(checkTenant(rules('firebase.tenant'), {}, 'OU1243')?.reason).toBe('tenant_mismatch');
    expect(checkTenant(rules('tenant'), { tenant: ['OU1243'] }, 'OU1243')?.reason).toBe(
      'tenant_mismatch',
    );
    expect(checkTenant(rules('tenant'), { tenant: true }, 'true')?.reason).toBe('tenant_mismatch');
    expect(checkTenant(rules('tenant'), { tenant: 1.5 }, '1.5')?.reason).toBe('tenant_mismatch');
  });

  it('binds an integer claim by its decimal form', () => {
    expect(checkTenant(rules('tenant'), { tenant: 1243 }, '1243')).toBeUndefined();
  });

  it('allows only listed tenants, exactly', () => {
    const allowList = rules(undefined, ['OU1243', 'OU2000']);
    expect(checkTenant(allowList, {}, 'OU2000')).toBeUndefined();
    expect(checkTenant(allowList, {}, 'OU3000')?.reason).toBe('tenant_not_allowed');
    expect(checkTenant(allowList, {}, 'ou2000')?.reason).toBe('tenant_not_allowed');
  });

  it('checks the allow-list before the binding', () => {
    const both = rules('tenant', ['OU1243']);
    expect(checkTenant(both, { tenant: 'OU9' }, 'OU9')?.reason).toBe('tenant_not_allowed');
    expect(checkTenant(both, { tenant: 'OU9' }, 'OU1243')?.reason).toBe('tenant_mismatch');
    expect(checkTenant(both, { tenant: 'OU1243' }, 'OU1243')).toBeUndefined();
  });

  it('passes anything when neither rule is set', () => {
    expect(checkTenant(rules(), {}, 'OU1')).toBeUndefined();
  });
});
