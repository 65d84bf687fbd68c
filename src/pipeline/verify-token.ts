// Step 6: signature and claims, verified by jose against the key the cache resolved, always with
// the issuer's exact iss, audiences and algorithm allow-list (jose checks none of them unless told).
import type { KeyObject } from 'node:crypto';
import { errors, jwtVerify, type JWTVerifyOptions } from 'jose';
import type { PublicKeyEntry } from '../issuers/parse-jwks.js';
import { deny, type Deny } from './decision.js';
import type { TokenUnderCheck } from './token-under-check.js';

const EC_CURVES: Readonly<Record<string, string>> = {
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
};

/** Whether the key's type can sign `alg` at all (RFC 7518 §3); a mismatch is a bad signature. */
function keyFitsAlgorithm(alg: string, key: KeyObject): boolean {
  const type = key.asymmetricKeyType;
  if (alg.startsWith('RS') || alg.startsWith('PS'))
    return type === 'rsa' || (alg.startsWith('PS') && type === 'rsa-pss');
  const curve = EC_CURVES[alg];
  if (curve !== undefined) return type === 'ec' && key.asymmetricKeyDetails?.namedCurve === curve;
  if (alg === 'EdDSA') return type === 'ed25519' || type === 'ed448';
  return false;
}

function mapJoseError(error: unknown, issuer: string): Deny {
  if (error instanceof errors.JWTExpired) return deny('token_expired', error.message, { issuer });
  if (error instanceof errors.JWTClaimValidationFailed) {
    const reason =
      error.claim === 'aud'
        ? 'invalid_audience'
        : error.claim === 'nbf' || error.claim === 'iat'
          ? 'token_not_yet_valid'
          : 'invalid_claims';
    return deny(reason, `${error.claim}: ${error.message}`, { issuer });
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return deny('invalid_signature', 'signature does not verify', { issuer });
  if (error instanceof errors.JOSEAlgNotAllowed)
    return deny('disallowed_algorithm', error.message, { issuer });
  if (error instanceof errors.JOSEError)
    return deny('malformed_token', `${error.code}: ${error.message}`, { issuer });
  // jose throws TypeError for keys it cannot use with the token's algorithm.
  if (error instanceof TypeError)
    return deny('invalid_signature', `key unusable: ${error.message}`, { issuer });
  throw error;
}

export async function verifyToken(
  token: TokenUnderCheck,
  key: PublicKeyEntry,
): Promise<Deny | undefined> {
  const { policy } = token.checked;
  const { alg } = token.decoded;
  // A JWK that pins its algorithm must only verify that algorithm (RFC 7517 §4.4); without this,
  // jose would verify PS256 against an RSA key published for RS256.
  if (key.alg !== undefined && key.alg !== alg) {
    return deny('disallowed_algorithm', `key ${key.kid} is for ${key.alg}, token uses ${alg}`, {
      issuer: policy.issuer,
    });
  }
  if (!keyFitsAlgorithm(alg, key.key)) {
    return deny('invalid_signature', `key ${key.kid} cannot verify ${alg}`, {
      issuer: policy.issuer,
    });
  }
  const options: JWTVerifyOptions = {
    issuer: policy.issuer,
    algorithms: [alg],
    clockTolerance: token.config.clockSkewSeconds,
    currentDate: new Date(token.now()),
    requiredClaims: policy.requireIssuedAt ? ['exp', 'iat', 'sub'] : ['exp', 'sub'],
  };
  if (policy.audiences !== 'any') options.audience = policy.audiences as string[];
  try {
    await jwtVerify(token.framed.token, key.key, options);
    return undefined;
  } catch (error) {
    return mapJoseError(error, policy.issuer);
  }
}
