// Which client headers must never reach upstream: the token (unless the issuer forwards it) and
// any client-sent header under a name reserved for pps-gate (reserved-headers.ts) that pps-gate
// does not itself set (those it sets are overwritten; Envoy applies removals after additions, so
// removing them would drop ours too). Decided here, once, so every transport encodes the same
// Allow.
import { isReservedHeader } from './reserved-headers.js';

export const IDENTITY_HEADERS = [
  'x-pps-auth-issuer',
  'x-pps-auth-subject',
  'x-pps-auth-audience',
  'x-pps-auth-claims',
] as const;

export function headersToRemove(
  requestHeaders: Readonly<Record<string, string>>,
  forwardToken: boolean,
): string[] {
  const remove = forwardToken ? [] : ['authorization'];
  for (const name in requestHeaders) {
    if (isReservedHeader(name) && !(IDENTITY_HEADERS as readonly string[]).includes(name))
      remove.push(name);
  }
  return remove;
}
