// Step 6: the signature, checked synchronously by node:crypto against the key the cache resolved
// (verify-signature.ts). The claims jose would also check (iss, aud, exp, nbf, iat, sub) were
// judged by check-claims with the issuer's exact policy; the property test holds the two paths to
// the same decisions.
import type { PublicKeyEntry } from '../issuers/parse-jwks.js';
import type { Deny } from './decision.js';
import type { TokenUnderCheck } from './token-under-check.js';
import { verifySignature } from './verify-signature.js';

export function verifyToken(token: TokenUnderCheck, key: PublicKeyEntry): Deny | undefined {
  return verifySignature(token.framed, token.decoded.alg, key, token.checked.policy.issuer);
}
