// Steps 3-4: issuer policy and the claim rules that need no key, judged before any key lookup
// so untrusted, expired or misaddressed tokens never cause network I/O (RFC 8725 §3.8-3.9).
import type { GateConfig, IssuerPolicy } from '../config/gate-config.js';
import type { DecodedToken } from './decode-token.js';
import { tokenAgeLimitMs } from '../policy/freshness.js';
import { checkTokenRules } from './check-token-rules.js';
import { deny, type Deny } from './decision.js';

export interface CheckedClaims {
  readonly policy: IssuerPolicy;
  readonly subject: string;
  readonly audience: string;
  /** Seconds since the epoch, when the token carries `iat`. */
  readonly issuedAt: number | undefined;
  /**
   * The last epoch millisecond at which the clock-dependent token checks (exp with skew, and the
   * issuer's maxTokenAgeSeconds) still pass: a cached verification must not outlive it.
   */
  readonly validUntilMs: number;
  /**
   * The first epoch millisecond at which none of nbf, iat, auth_time is in the future (with the
   * skew): before it, a cached verification must be judged again (a clock that stepped back).
   */
  readonly validFromMs: number;
}

const MAX_SUBJECT_LENGTH = 255;
// Values that become upstream header values must be printable ASCII (RFC 9110 §5.5 field-vchar
// and SP), or proxies reject the mutation.
const HEADER_SAFE = /^[\x20-\x7e]+$/;

function numericDate(value: unknown): number | undefined | null {
  if (value === undefined) return undefined;
  // JSON's 1e400 parses to Infinity; a date that is not finite is no date (RFC 7519 §2).
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function matchAudience(
  aud: unknown,
  allowed: IssuerPolicy['audiences'],
): string | null | undefined {
  const list = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : null;
  if (list === null || list.length === 0 || !list.every((a) => typeof a === 'string')) return null;
  if (allowed === 'any') return list[0];
  for (const candidate of list) if (allowed.includes(candidate)) return candidate;
  return undefined;
}

export function checkClaims(
  token: DecodedToken,
  config: GateConfig,
  nowMs: number,
): CheckedClaims | Deny {
  const { claims } = token;
  const iss = claims.iss;
  const policy = typeof iss === 'string' ? config.issuers.get(iss) : undefined;
  if (policy === undefined) {
    return deny(
      'untrusted_issuer',
      typeof iss === 'string'
        ? `iss ${JSON.stringify(iss.slice(0, 200))} is not trusted`
        : 'iss is missing',
    );
  }
  const issuer = policy.issuer;
  if (!policy.algorithms.has(token.alg)) {
    return deny(
      'disallowed_algorithm',
      `alg ${JSON.stringify(token.alg.slice(0, 20))} is not allowed for this issuer`,
      { issuer },
    );
  }
  const now = nowMs / 1000;
  const skew = config.clockSkewSeconds;
  const exp = numericDate(claims.exp);
  if (exp === undefined || exp === null)
    return deny('invalid_claims', 'exp must be a finite NumericDate', { issuer });
  if (exp <= now - skew)
    return deny('token_expired', `expired ${Math.round(now - exp)} s ago`, { issuer });
  const nbf = numericDate(claims.nbf);
  if (nbf === null) return deny('invalid_claims', 'nbf must be a finite NumericDate', { issuer });
  if (nbf !== undefined && nbf > now + skew)
    return deny('token_not_yet_valid', 'nbf is in the future', { issuer });
  const iat = numericDate(claims.iat);
  if (iat === null) return deny('invalid_claims', 'iat must be a finite NumericDate', { issuer });
  // OIDC Core §2: an ID token carries iat; an issuer of other JWTs may opt out.
  if (iat === undefined && policy.requireIssuedAt)
    return deny('invalid_claims', 'iat is required (OIDC Core §2)', { issuer });
  if (iat !== undefined && iat > now + skew)
    return deny('token_not_yet_valid', 'iat is in the future', { issuer });
  const lifetime = exp - (iat ?? now);
  if (lifetime > policy.maxTokenLifetimeSeconds + (iat === undefined ? skew : 0)) {
    return deny(
      'invalid_claims',
      `lifetime of ${Math.round(lifetime)} s exceeds maxTokenLifetimeSeconds ${policy.maxTokenLifetimeSeconds}`,
      { issuer },
    );
  }
  // auth_time (OIDC Core §2) is optional, but when present it is a date that has happened.
  const authTime = numericDate(claims.auth_time);
  if (authTime === null)
    return deny('invalid_claims', 'auth_time must be a finite NumericDate', { issuer });
  if (authTime !== undefined && authTime > now + skew)
    return deny('token_not_yet_valid', 'auth_time is in the future', { issuer });
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub.length > MAX_SUBJECT_LENGTH || !HEADER_SAFE.test(sub)) {
    return deny('invalid_claims', 'sub must be 1 to 255 printable ASCII characters', { issuer });
  }
  const audience = matchAudience(claims.aud, policy.audiences);
  if (audience === null)
    return deny('invalid_claims', 'aud must be a string or a non-empty array of strings', {
      issuer,
    });
  if (audience === undefined)
    return deny('invalid_audience', 'no audience of the token is allowed for its issuer', {
      issuer,
    });
  if (!HEADER_SAFE.test(audience) || audience.length > 512)
    return deny('invalid_claims', 'aud must be printable ASCII', { issuer });
  const rejected = checkTokenRules({
    rules: policy.rules,
    issuer,
    claims,
    issuedAt: iat,
    skewSeconds: skew,
    nowMs,
  });
  if (rejected !== undefined) return rejected;
  return {
    policy,
    subject: sub,
    audience,
    issuedAt: iat,
    validUntilMs: validUntil(policy, exp, iat, skew),
    validFromMs:
      (Math.max(nbf ?? -Infinity, iat ?? -Infinity, authTime ?? -Infinity) - skew) * 1000,
  };
}

function validUntil(
  policy: IssuerPolicy,
  exp: number,
  iat: number | undefined,
  skew: number,
): number {
  // exp passes while exp > now - skew, i.e. up to one millisecond before (exp + skew) s.
  const expLimit = Math.ceil((exp + skew) * 1000) - 1;
  const maxAge = policy.rules.maxTokenAgeSeconds;
  if (maxAge === undefined || iat === undefined) return expLimit;
  return Math.min(expLimit, Math.floor(tokenAgeLimitMs(iat, maxAge, skew)));
}
