// Which client headers must never reach upstream: the token (unless the issuer forwards it) and
// every client-sent copy of a header pps-gate owns. pps-gate owns the x-pps-auth- and
// x-pps-delivery- prefixes and a few exact names, in either spelling: some backends (CGI, WSGI,
// PHP, ...) fold '_' into '-', so x_pps_auth_subject would reach them as x-pps-auth-subject.
// Those it sets itself are overwritten instead (Envoy applies removals after additions, so
// removing them would drop ours too). Decided here, once, so every transport encodes the same
// Allow. This module is the one list of reserved names.

export const RESERVED_PREFIX = 'x-pps-auth-';

/** Prefixes and exact names reserved for pps-gate's own headers (dash spelling). */
export const RESERVED_PREFIXES = [RESERVED_PREFIX, 'x-pps-delivery-'] as const;
export const RESERVED_NAMES = ['x-pps-duplicate', 'x-pps-first-seen-at', 'x-pps-dedup'] as const;

export const IDENTITY_HEADERS = [
  'x-pps-auth-issuer',
  'x-pps-auth-subject',
  'x-pps-auth-audience',
  'x-pps-auth-claims',
] as const;

/** Whether a (lower-cased) header name is reserved, in its dash or underscore spelling. */
export function isReservedHeader(name: string): boolean {
  if (!name.startsWith('x')) return false;
  const dashed = name.includes('_') ? name.replaceAll('_', '-') : name;
  for (const prefix of RESERVED_PREFIXES) if (dashed.startsWith(prefix)) return true;
  return (RESERVED_NAMES as readonly string[]).includes(dashed);
}

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
