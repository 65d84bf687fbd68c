// The identity headers both transports set on allow. Names under x-pps-auth- are reserved for
// pps-gate; which client-sent ones must go is decided in the pipeline (headers-to-remove.ts).
import type { Allow } from '../pipeline/decision.js';

export function allowHeaders(allow: Allow): [string, string][] {
  const { identity } = allow;
  return [
    ['x-pps-auth-issuer', identity.issuer],
    ['x-pps-auth-subject', identity.subject],
    ['x-pps-auth-audience', identity.audience],
    ['x-pps-auth-claims', identity.encodedClaims],
  ];
}
