// Header names reserved for pps-gate's own answers: the verified identity (x-pps-auth-*) and the
// delivery record (x-pps-delivery-*, x-pps-duplicate, x-pps-first-seen-at, x-pps-dedup). An
// upstream trusts every header under these names, so a client's copy must never reach it,
// whichever proxy is in front. Underscore spellings count too: CGI-style frameworks (PHP, Rack,
// WSGI) fold `X_Pps_Auth_Role` and `X-Pps-Auth-Role` into the same HTTP_X_PPS_AUTH_ROLE.
import { deny, type Deny } from './decision.js';

export const RESERVED_HEADER_PREFIXES = ['x-pps-auth-', 'x-pps-delivery-'] as const;
export const RESERVED_HEADER_NAMES = [
  'x-pps-duplicate',
  'x-pps-first-seen-at',
  'x-pps-dedup',
] as const;

const EXACT: ReadonlySet<string> = new Set(RESERVED_HEADER_NAMES);

/** Whether a lower-case header name is reserved, in its dash or underscore spelling. */
export function isReservedHeader(name: string): boolean {
  // Nearly every header fails this first test, so the common case allocates nothing.
  if (name.length < 11 || name.charCodeAt(0) !== 0x78 /* x */) return false;
  const dashed = name.includes('_') ? name.replaceAll('_', '-') : name;
  if (!dashed.startsWith('x-pps-')) return false;
  for (const prefix of RESERVED_HEADER_PREFIXES) if (dashed.startsWith(prefix)) return true;
  return EXACT.has(dashed);
}

/**
 * Refuses a request carrying a reserved header. The HTTP forward-auth port uses this: most
 * proxies in front of it (nginx, ingress-nginx, Traefik, Caddy, HAProxy) ignore headers-to-remove,
 * so a client copy that reached pps-gate could also reach the upstream. Envoy over gRPC honours
 * headers_to_remove, so that transport removes them instead (headers-to-remove.ts).
 */
export function refuseReservedHeaders(headers: Readonly<Record<string, string>>): Deny | undefined {
  for (const name in headers) {
    if (isReservedHeader(name))
      return deny('reserved_header', `the request carries the reserved header ${name}`, {
        publicDetail: `${name} is reserved for pps-gate and must not come from the client`,
      });
  }
  return undefined;
}
