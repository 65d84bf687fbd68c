// Signed tokens for the whole-CheckRequest fuzz property, made once (signing is slow next to a
// property run): good ones for each key type, and ones wrong in exactly one way, including
// payload bytes jose itself would accept (a byte-order mark) and claims it does not check.
import { CompactSign, type JWK } from 'jose';
import { createSigningKey, type SigningKey } from '../../src/dev/local-issuer.js';

export const ISSUER = 'https://issuer.fuzz.example/project';
export const AUDIENCE = 'project';
/** The instant every property run judges at (an injected clock). */
export const NOW_SEC = 1_900_000_000;

export interface TokenPool {
  readonly keys: readonly SigningKey[];
  readonly jwks: { keys: JWK[] };
  readonly tokens: readonly string[];
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

async function signBytes(
  key: SigningKey,
  header: Record<string, unknown>,
  payload: Uint8Array,
): Promise<string> {
  return new CompactSign(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })
    .sign(key.privateKey);
}

export async function makeTokenPool(): Promise<TokenPool> {
  const keys = await Promise.all([
    createSigningKey('RS256'),
    createSigningKey('ES256'),
    createSigningKey('EdDSA'),
    createSigningKey('PS256', false),
  ]);
  const stranger = await createSigningKey('ES256');
  const base = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'pps-webhook-sender',
    iat: NOW_SEC - 30,
    exp: NOW_SEC + 3600,
    auth_time: NOW_SEC - 60,
  };
  const variants: Record<string, unknown>[] = [
    base,
    { ...base, aud: ['other', AUDIENCE] },
    { ...base, sub: 'x'.repeat(255) },
    { ...base, nbf: NOW_SEC - 10, jti: 'j-1' },
    { ...base, exp: NOW_SEC - 120 },
    { ...base, iat: NOW_SEC + 3600 },
    { ...base, iat: undefined },
    { ...base, exp: NOW_SEC + 10 * 365 * 86_400 },
    { ...base, auth_time: NOW_SEC + 3600 },
    { ...base, auth_time: 'yesterday' },
    { ...base, aud: 'someone-else' },
    { ...base, iss: `${ISSUER}/` },
    { ...base, sub: 7 },
    { ...base, exp: '2030-01-01' },
  ];
  const tokens: string[] = [];
  for (const key of keys) {
    for (const claims of variants)
      tokens.push(await signBytes(key, {}, utf8(JSON.stringify(claims))));
  }
  const rs = keys[0];
  tokens.push(
    // Bytes jose decodes leniently: a BOM before the JSON, in the payload and in the header.
    await signBytes(rs, {}, utf8(`\uFEFF${JSON.stringify(base)}`)),
    // Duplicate member names: JSON.parse keeps the last.
    await signBytes(rs, {}, utf8(`{"sub":"admin",${JSON.stringify(base).slice(1)}`)),
    await signBytes(rs, { typ: 'at+jwt' }, utf8(JSON.stringify(base))),
    await signBytes(rs, { kid: 'unknown-kid' }, utf8(JSON.stringify(base))),
    await signBytes(stranger, {}, utf8(JSON.stringify(base))),
    await signBytes({ ...stranger, kid: rs.kid }, {}, utf8(JSON.stringify(base))),
  );
  const bomHeader = `${Buffer.from(`\uFEFF${JSON.stringify({ alg: 'RS256', kid: rs.kid, typ: 'JWT' })}`).toString('base64url')}`;
  const bomSigned = await new CompactSign(utf8(JSON.stringify(base)))
    .setProtectedHeader({ alg: 'RS256', kid: rs.kid, typ: 'JWT' })
    .sign(rs.privateKey);
  tokens.push(`${bomHeader}.${bomSigned.split('.')[1]}.${bomSigned.split('.')[2]}`);
  return { keys, jwks: { keys: keys.map((k) => k.publicJwk) }, tokens };
}
