// Which client headers must never reach upstream: the token (unless the issuer forwards it) and
// any client-sent header under a name reserved for pps-gate (reserved-headers.ts) that pps-gate
// does not itself set on this allow (those it sets are overwritten; Envoy applies removals after
// additions, so removing them would drop ours too). Decided here, once, so every transport
// encodes the same Allow.
import { isReservedHeader } from './reserved-headers.js';

export const IDENTITY_HEADERS = [
  'x-pps-auth-issuer',
  'x-pps-auth-subject',
  'x-pps-auth-audience',
  'x-pps-auth-claims',
] as const;

/** The dedup marks an annotate allow may carry to the app (x-pps-delivery-key is Envoy-only). */
export const DEDUP_MARK_HEADERS = [
  'x-pps-delivery-count',
  'x-pps-first-seen-at',
  'x-pps-duplicate',
  'x-pps-dedup',
] as const;

/** `alsoSet`: reserved names this allow sets besides the identity (claim and dedup headers). */
export function headersToRemove(
  requestHeaders: Readonly<Record<string, string>>,
  forwardToken: boolean,
  alsoSet: readonly string[] = [],
): string[] {
  const remove = forwardToken ? [] : ['authorization'];
  for (const name in requestHeaders) {
    if (
      isReservedHeader(name) &&
      !(IDENTITY_HEADERS as readonly string[]).includes(name) &&
      !alsoSet.includes(name)
    )
      remove.push(name);
  }
  return remove;
}
