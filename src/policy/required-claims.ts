// requiredClaims: exact-match requirements on verified claims. A scalar claim must equal the
// required value (same JSON type, no coercion: `true` is not `"true"`); an array claim must
// contain it (`roles: [admin, ops]` satisfies `roles: admin`). A missing claim never matches.
import { lookupClaim, type ClaimPath } from './claim-path.js';

export type RequiredValue = string | number | boolean;

export interface RequiredClaim {
  readonly path: ClaimPath;
  readonly value: RequiredValue;
}

function satisfies(actual: unknown, required: RequiredValue): boolean {
  if (Array.isArray(actual)) return actual.includes(required);
  return actual === required;
}

/** The first requirement the claims fail, or undefined when all hold. */
export function findClaimMismatch(
  claims: Readonly<Record<string, unknown>>,
  required: readonly RequiredClaim[],
): RequiredClaim | undefined {
  for (const requirement of required)
    if (!satisfies(lookupClaim(claims, requirement.path), requirement.value)) return requirement;
  return undefined;
}
