// claimHeaders: verified claims handed upstream as plain headers (`email` -> x-pps-auth-email).
// Names live under pps-gate's reserved x-pps-auth- prefix (checked at load), so the proxy strips
// a client's copy whether or not the token carries the claim. Values that are strings of
// printable ASCII go as they are; anything else is JSON, with non-ASCII escaped (\uXXXX), as a
// header value must be visible ASCII (RFC 9110 §5.5) for every proxy to pass it on.
import { lookupClaim, type ClaimPath } from './claim-path.js';

export interface ClaimHeader {
  readonly path: ClaimPath;
  /** Lower-case header name under x-pps-auth-. */
  readonly name: string;
}

export const CLAIM_HEADER_PREFIX = 'x-pps-auth-';
// The gate's own identity headers; a claim header must not shadow them.
const IDENTITY_NAMES = new Set([
  'x-pps-auth-issuer',
  'x-pps-auth-subject',
  'x-pps-auth-audience',
  'x-pps-auth-claims',
]);
// RFC 9110 §5.6.2 token characters, narrowed to what every proxy accepts in a header name.
const HEADER_NAME = /^[a-z0-9-]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** The lower-cased name, or a message saying why it cannot be a claim header. */
export function parseClaimHeaderName(text: string): string | { error: string } {
  const name = text.toLowerCase();
  if (!name.startsWith(CLAIM_HEADER_PREFIX) || name.length === CLAIM_HEADER_PREFIX.length)
    return {
      error: `"${text}" must be a header name under the reserved ${CLAIM_HEADER_PREFIX} prefix`,
    };
  if (!HEADER_NAME.test(name)) return { error: `"${text}" may hold only letters, digits and "-"` };
  if (IDENTITY_NAMES.has(name))
    return { error: `"${text}" is one of pps-gate's own identity headers` };
  return name;
}

const asciiJson = (value: unknown): string =>
  JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

export function claimHeaderValue(value: unknown): string {
  return typeof value === 'string' && PRINTABLE_ASCII.test(value) ? value : asciiJson(value);
}

/** [name, value] for each configured claim the token carries; a missing claim sets nothing. */
export function claimHeaders(
  claims: Readonly<Record<string, unknown>>,
  headers: readonly ClaimHeader[],
): [string, string][] {
  const out: [string, string][] = [];
  for (const header of headers) {
    const value = lookupClaim(claims, header.path);
    if (value !== undefined) out.push([header.name, claimHeaderValue(value)]);
  }
  return out;
}
