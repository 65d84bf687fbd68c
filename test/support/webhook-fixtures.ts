// Webhook requests for tests: the PPS headers a sender attaches, and tokens that are wrong in
// one specific way (alg none, a payload changed after signing).
import { randomUUID } from 'node:crypto';

/** The headers of a well-formed PPS webhook carrying `token`; `undefined` in overrides removes one. */
export function webhookHeaders(
  token: string | undefined,
  overrides: Readonly<Record<string, string | undefined>> = {},
): Record<string, string> {
  const headers: Record<string, string | undefined> = {
    authorization: token === undefined ? undefined : `Bearer ${token}`,
    'content-type': 'application/json',
    'x-pps-topic': 'orders/placed',
    'x-pps-tenant-id': 'OU1243',
    'x-pps-webhook-id': randomUUID(),
    // The PPS guide's own example value: one-digit day, seven fraction digits.
    'x-pps-triggered-at': '2024-01-1T10:00:00.7777748Z',
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

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
