// The headers both transports set on allow: the identity, the issuer's claim headers, and the
// dedup headers when dedup ran. These names are reserved for pps-gate; which client-sent ones
// must go is decided in the pipeline (headers-to-remove.ts).
import type { Allow } from '../pipeline/decision.js';
import { deliveryHeaders } from '../pipeline/delivery-headers.js';

export function allowHeaders(allow: Allow): [string, string][] {
  const { identity } = allow;
  const headers: [string, string][] = [
    ['x-pps-auth-issuer', identity.issuer],
    ['x-pps-auth-subject', identity.subject],
    ['x-pps-auth-audience', identity.audience],
    ['x-pps-auth-claims', identity.encodedClaims],
  ];
  for (const [name, value] of allow.claimHeaders) headers.push([name, value]);
  if (allow.delivery !== undefined) headers.push(...deliveryHeaders(allow.delivery));
  return headers;
}
