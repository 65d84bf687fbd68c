// Webhook requests for tests: the PPS headers a sender attaches, and tokens that are wrong in
// one specific way (alg none, a payload changed after signing).

export { webhookHeaders } from '../../src/dev/webhook-headers.js';

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsecured JWS (RFC 7515 §A.5 style, alg "none") with the given claims and kid. */
export function algNoneToken(
  claims: Record<string, unknown>,
  kid: string,
  signature = 'AAAA',
): string {
  return `${encode({ alg: 'none', kid, typ: 'JWT' })}.${encode(claims)}.${signature}`;
}

/** Replaces the claims of a signed token, keeping its header and signature (so it no longer verifies). */
export function withClaimsReplaced(
  token: string,
  change: (claims: Record<string, unknown>) => void,
): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  change(claims);
  return `${header}.${encode(claims)}.${signature}`;
}

/** The claims of a compact JWS, decoded without verification. */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}
