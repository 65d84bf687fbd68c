// Which client headers must never reach upstream: the token (unless the issuer forwards it) and
// any client-sent header with a reserved name that pps-gate does not itself set on this allow
// (those it sets are overwritten; Envoy applies removals after additions, so removing them would
// drop ours too). Decided here, once, so every transport encodes the same Allow.
// The one list of reserved names: the x-pps-auth- identity and x-pps-delivery- prefixes and the
// dedup headers, in their dash and underscore spellings (many app servers fold `x_pps_auth_role`
// into the same variable as `x-pps-auth-role`, so a spoofed underscore copy is just as harmful).

export const RESERVED_PREFIXES = ['x-pps-auth-', 'x-pps-delivery-'] as const;
export const RESERVED_NAMES = ['x-pps-duplicate', 'x-pps-first-seen-at', 'x-pps-dedup'] as const;

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

/** Whether a (lower-case) header name is reserved for pps-gate, in either spelling. */
export function isReservedHeader(name: string): boolean {
  if (!name.startsWith('x-pps') && !name.startsWith('x_pps')) return false;
  const dashed = name.includes('_') ? name.replaceAll('_', '-') : name;
  return (
    RESERVED_PREFIXES.some((prefix) => dashed.startsWith(prefix)) ||
    (RESERVED_NAMES as readonly string[]).includes(dashed)
  );
}

/** `alsoSet`: reserved names this allow sets besides the identity headers (the dedup headers). */
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
