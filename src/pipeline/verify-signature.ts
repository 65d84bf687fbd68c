// Step 6: the JWS signature, verified synchronously by node:crypto on the KeyObject imported once
// per JWK (no WebCrypto promise, no libuv pool hop). Everything jose's jwtVerify would also judge
// (iss, aud, exp, nbf, iat, sub, typ, crit, duplicate keys, canonical base64url) was judged by
// the earlier steps, more strictly; the property test in verify-signature.property.test.ts holds
// this path and jose.jwtVerify to the same decisions.
import { constants, verify, type KeyObject, type VerifyKeyObjectInput } from 'node:crypto';
import type { PublicKeyEntry } from '../issuers/parse-jwks.js';
import { deny, type Deny } from './decision.js';
import type { CompactToken } from './extract-token.js';

interface AlgorithmSpec {
  /** Digest for crypto.verify; null for EdDSA, which hashes internally (RFC 8037 §3.1). */
  readonly digest: string | null;
  readonly fits: (key: KeyObject) => boolean;
  readonly options: Omit<VerifyKeyObjectInput, 'key'>;
}

const isRsa = (key: KeyObject): boolean => key.asymmetricKeyType === 'rsa';
const onCurve =
  (curve: string) =>
  (key: KeyObject): boolean =>
    key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === curve;

const rsaPkcs1 = (digest: string): AlgorithmSpec => ({
  digest,
  fits: isRsa,
  options: { padding: constants.RSA_PKCS1_PADDING },
});
// RFC 7518 §3.5: PSS with MGF1 on the same hash and a salt as long as the hash (what jose and
// WebCrypto use); RSA_PSS_SALTLEN_DIGEST says exactly that.
const rsaPss = (digest: string): AlgorithmSpec => ({
  digest,
  fits: isRsa,
  options: {
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  },
});
// RFC 7518 §3.4: the JWS form is R || S, fixed length (IEEE P1363), never DER.
const ecdsa = (digest: string, curve: string): AlgorithmSpec => ({
  digest,
  fits: onCurve(curve),
  options: { dsaEncoding: 'ieee-p1363' },
});

/**
 * The algorithms pps-gate accepts and which key each needs (RFC 7518 §3.1). EdDSA is Ed25519 only:
 * jose (and WebCrypto in Node 20) cannot verify Ed448, so accepting it here would change decisions.
 */
const ALGORITHMS: Readonly<Record<string, AlgorithmSpec>> = {
  RS256: rsaPkcs1('sha256'),
  RS384: rsaPkcs1('sha384'),
  RS512: rsaPkcs1('sha512'),
  PS256: rsaPss('sha256'),
  PS384: rsaPss('sha384'),
  PS512: rsaPss('sha512'),
  ES256: ecdsa('sha256', 'prime256v1'),
  ES384: ecdsa('sha384', 'secp384r1'),
  ES512: ecdsa('sha512', 'secp521r1'),
  EdDSA: { digest: null, fits: (key) => key.asymmetricKeyType === 'ed25519', options: {} },
  // RFC 9864's fully-specified name for EdDSA on Ed25519 (node-oidc-provider 9 signs with it).
  Ed25519: { digest: null, fits: (key) => key.asymmetricKeyType === 'ed25519', options: {} },
};

// The {key, padding, ...} input per key object and algorithm, built once (keys live as long as
// their key set), so a check allocates nothing for it.
const inputs = new WeakMap<KeyObject, Map<string, VerifyKeyObjectInput>>();
function verifyInput(key: KeyObject, alg: string, spec: AlgorithmSpec): VerifyKeyObjectInput {
  let byAlg = inputs.get(key);
  if (byAlg === undefined) inputs.set(key, (byAlg = new Map<string, VerifyKeyObjectInput>()));
  let input = byAlg.get(alg);
  if (input === undefined) byAlg.set(alg, (input = { key, ...spec.options }));
  return input;
}

/** Whether `key` can verify `alg` at all (RFC 7518 §3); a mismatch is a bad signature. */
export function keyFitsAlgorithm(alg: string, key: KeyObject): boolean {
  return ALGORITHMS[alg]?.fits(key) ?? false;
}

/**
 * Undefined when `token`'s signature verifies with `key` under `alg`; else the Deny. `alg` is the
 * token's own header alg, already on the issuer's allow-list (check-claims).
 */
export function verifySignature(
  token: CompactToken,
  alg: string,
  key: PublicKeyEntry,
  issuer: string,
): Deny | undefined {
  // A JWK that pins its algorithm must only verify that algorithm (RFC 7517 §4.4); without this,
  // a PS256 token would verify against an RSA key published for RS256.
  if (key.alg !== undefined && key.alg !== alg) {
    return deny('disallowed_algorithm', `key ${key.kid} is for ${key.alg}, token uses ${alg}`, {
      issuer,
    });
  }
  const spec = ALGORITHMS[alg];
  if (spec === undefined || !spec.fits(key.key))
    return deny('invalid_signature', `key ${key.kid} cannot verify ${alg}`, { issuer });
  // The signing input is the ASCII of the first two segments as sent (RFC 7515 §5.2).
  const signingInput = Buffer.from(
    token.token.slice(0, token.header.length + token.payload.length + 1),
    'latin1',
  );
  const signature = Buffer.from(token.signature, 'base64url');
  let valid: boolean;
  try {
    // Wrong-length ECDSA or RSA signatures make crypto.verify return false, not throw; a throw
    // means the key cannot be used this way at all.
    valid = verify(spec.digest, signingInput, verifyInput(key.key, alg, spec), signature);
  } catch (error) {
    return deny('invalid_signature', `key unusable: ${(error as Error).message}`, { issuer });
  }
  return valid ? undefined : deny('invalid_signature', 'signature does not verify', { issuer });
}
