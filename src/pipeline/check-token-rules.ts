// The issuer's token rules that need only the claims (README "Webhook policy"): requiredClaims
// and maxTokenAgeSeconds. They run with the other claim checks, before any key lookup, and so
// also on every token-cache hit: the token's age keeps growing after it was first verified.
import type { IssuerRules } from '../policy/issuer-rules.js';
import { checkTokenAge } from '../policy/freshness.js';
import { findClaimMismatch } from '../policy/required-claims.js';
import { deny, type Deny } from './decision.js';

export interface TokenRulesInput {
  readonly rules: IssuerRules;
  readonly issuer: string;
  readonly claims: Readonly<Record<string, unknown>>;
  /** `iat` in seconds, when the token has one. */
  readonly issuedAt: number | undefined;
  readonly skewSeconds: number;
  readonly nowMs: number;
}

export function checkTokenRules(input: TokenRulesInput): Deny | undefined {
  const { rules, issuer } = input;
  if (rules.maxTokenAgeSeconds !== undefined) {
    const tooOld = checkTokenAge(
      input.issuedAt,
      rules.maxTokenAgeSeconds,
      input.skewSeconds,
      input.nowMs,
    );
    if (tooOld !== undefined) return deny(tooOld.reason, tooOld.detail, { issuer });
  }
  if (rules.requiredClaims.length > 0) {
    const failed = findClaimMismatch(input.claims, rules.requiredClaims);
    if (failed !== undefined)
      return deny(
        'claim_mismatch',
        `claim ${failed.path.text} is not ${JSON.stringify(failed.value)}`,
        { issuer },
      );
  }
  return undefined;
}
