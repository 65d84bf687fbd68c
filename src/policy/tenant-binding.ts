// Tenant rules for X-Pps-Tenant-Id: `tenants` is an allow-list of header values, and
// `tenantClaim` binds the header to a claim of the token, so a token minted for tenant A cannot
// post events as tenant B. Both compare exactly; a token without the claim is a mismatch.
import { lookupClaim, type ClaimPath } from './claim-path.js';
import { violation, type PolicyViolation } from './policy-violation.js';

export interface TenantRules {
  readonly tenantClaim: ClaimPath | undefined;
  readonly tenants: ReadonlySet<string> | undefined;
}

/** A string claim as is; an integer claim as its decimal form; anything else is no tenant. */
function claimedTenant(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

export function checkTenant(
  rules: TenantRules,
  claims: Readonly<Record<string, unknown>>,
  tenantId: string,
): PolicyViolation | undefined {
  if (rules.tenants !== undefined && !rules.tenants.has(tenantId))
    return violation('tenant_not_allowed', `tenant ${JSON.stringify(tenantId)} is not listed`);
  if (rules.tenantClaim !== undefined) {
    const claimed = claimedTenant(lookupClaim(claims, rules.tenantClaim));
    if (claimed === undefined)
      return violation(
        'tenant_mismatch',
        `the token has no string claim ${rules.tenantClaim.text} to bind the tenant to`,
      );
    if (claimed !== tenantId)
      return violation(
        'tenant_mismatch',
        `tenant ${JSON.stringify(tenantId)} is not the token's ${rules.tenantClaim.text}`,
      );
  }
  return undefined;
}
