// A verified claims set made safe for a debug log line: every claim name is kept, but only the
// registered, non-personal claims (RFC 7519 section 4.1, OIDC Core section 2) keep their values;
// anything else (email, name, custom claims) is masked, since a log is not a place for PII.
const VISIBLE_CLAIMS = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'auth_time',
  'azp',
  'jti',
  'typ',
]);

export const MASK = '[redacted]';

export function redactClaims(claims: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(claims))
    out[name] = VISIBLE_CLAIMS.has(name) ? value : MASK;
  return out;
}
