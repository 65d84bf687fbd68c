// What both transports send: identity headers on allow, the JSON deny body, and which client
// headers must never reach upstream. Names under x-pps-auth- are reserved for pps-gate.
import { REASONS } from '../errors/reasons.js';
import type { Allow, Deny } from '../pipeline/decision.js';

export const RESERVED_PREFIX = 'x-pps-auth-';

export const IDENTITY_HEADERS = [
  'x-pps-auth-issuer',
  'x-pps-auth-subject',
  'x-pps-auth-audience',
  'x-pps-auth-claims',
] as const;

export function identityHeaders(allow: Allow): [string, string][] {
  const { identity } = allow;
  return [
    ['x-pps-auth-issuer', identity.issuer],
    ['x-pps-auth-subject', identity.subject],
    ['x-pps-auth-audience', identity.audience],
    ['x-pps-auth-claims', identity.encodedClaims],
  ];
}

/**
 * Headers the proxy must strip from the upstream request: the token (unless the issuer forwards
 * it) and any client-sent reserved header pps-gate does not itself set (those are overwritten;
 * Envoy applies removals after additions, so removing them would drop ours too).
 */
export function headersToRemove(
  allow: Allow,
  requestHeaders: Readonly<Record<string, string>>,
): string[] {
  const remove = allow.forwardToken ? [] : ['authorization'];
  for (const name in requestHeaders) {
    if (name.startsWith(RESERVED_PREFIX) && !(IDENTITY_HEADERS as readonly string[]).includes(name))
      remove.push(name);
  }
  return remove;
}

export function denyBody(decision: Deny): string {
  const error = decision.publicDetail ?? REASONS[decision.reason].message;
  return JSON.stringify({ error, reason: decision.reason });
}
