// The headers both transports set on allow: the identity, the issuer's claim headers, and the
// dedup headers when dedup ran. These names are reserved for pps-gate; which client-sent ones
// must go is decided in the pipeline (headers-to-remove.ts). The identity part depends on the
// verified token only, so encoders may build it once per identity; the rest is per request.
import type { Allow, VerifiedIdentity } from '../pipeline/decision.js';
import { deliveryHeaders } from '../pipeline/delivery-headers.js';

export function identityHeaders(identity: VerifiedIdentity): [string, string][] {
  return [
    ['x-pps-auth-issuer', identity.issuer],
    ['x-pps-auth-subject', identity.subject],
    ['x-pps-auth-audience', identity.audience],
    ['x-pps-auth-claims', identity.encodedClaims],
  ];
}

/** The allow's headers that depend on this request (claim headers, dedup marks), in order. */
export function requestAllowHeaders(allow: Allow): [string, string][] {
  const headers: [string, string][] = [];
  for (const [name, value] of allow.claimHeaders) headers.push([name, value]);
  if (allow.delivery !== undefined) headers.push(...deliveryHeaders(allow.delivery));
  return headers;
}

export function allowHeaders(allow: Allow): [string, string][] {
  return [...identityHeaders(allow.identity), ...requestAllowHeaders(allow)];
}
