// Freshness windows, judged against the injected clock. Both tolerate the configured clock skew
// (the times come from another machine's clock, RFC 7519 §4.1.4) and hold exactly at the
// boundary: an age equal to the window (plus skew) passes, one millisecond more does not.
import { violation, type PolicyViolation } from './policy-violation.js';

/** maxTokenAgeSeconds: the token's `iat` (seconds) no older than the window. */
export function checkTokenAge(
  issuedAtSeconds: number | undefined,
  maxAgeSeconds: number,
  skewSeconds: number,
  nowMs: number,
): PolicyViolation | undefined {
  if (issuedAtSeconds === undefined)
    return violation('invalid_claims', 'iat is required when maxTokenAgeSeconds is set');
  const ageMs = nowMs - issuedAtSeconds * 1000;
  if (ageMs > (maxAgeSeconds + skewSeconds) * 1000)
    return violation('token_too_old', `issued ${Math.floor(ageMs / 1000)} s ago`);
  return undefined;
}

/** The last instant (epoch ms) at which a token issued at `issuedAtSeconds` is young enough. */
export function tokenAgeLimitMs(
  issuedAtSeconds: number,
  maxAgeSeconds: number,
  skewSeconds: number,
): number {
  return issuedAtSeconds * 1000 + (maxAgeSeconds + skewSeconds) * 1000;
}

/** triggeredAtWindowSeconds: X-Pps-Triggered-At (epoch ms) no older than the window. */
export function checkWebhookAge(
  triggeredAtMs: number,
  windowSeconds: number,
  skewSeconds: number,
  nowMs: number,
): PolicyViolation | undefined {
  const ageMs = nowMs - triggeredAtMs;
  if (ageMs > (windowSeconds + skewSeconds) * 1000)
    return violation('webhook_too_old', `triggered ${Math.floor(ageMs / 1000)} s ago`);
  return undefined;
}
