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

const REMOVE_TOKEN: readonly string[] = Object.freeze(['authorization']);
const REMOVE_NOTHING: readonly string[] = Object.freeze([]);
const setsNothingElse = (): boolean => false;

/**
 * `alsoSets`: whether this allow sets a reserved name besides the identity (a claim or dedup
 * header); asked only for reserved names the client sent, which is rare, so the common answer is
 * a shared list and costs no allocation.
 */
export function headersToRemove(
  requestHeaders: Readonly<Record<string, string>>,
  forwardToken: boolean,
  alsoSets: (name: string) => boolean = setsNothingElse,
): readonly string[] {
  let remove: string[] | undefined;
  for (const name in requestHeaders) {
    if (
      isReservedHeader(name) &&
      !(IDENTITY_HEADERS as readonly string[]).includes(name) &&
      !alsoSets(name)
    )
      (remove ??= forwardToken ? [] : ['authorization']).push(name);
  }
  return remove ?? (forwardToken ? REMOVE_NOTHING : REMOVE_TOKEN);
}
