// Tokens for the benchmark: RS256 ID tokens from the loopback issuer's current key, signed with
// node:crypto so thousands of distinct ones take seconds, shaped like the issuer's own.
import { KeyObject, sign } from 'node:crypto';

const b64 = (value) => Buffer.from(value).toString('base64url');

export function tokenSigner(issuer, signingKey) {
  const privateKey = KeyObject.from(signingKey.privateKey);
  const header = b64(JSON.stringify({ alg: 'RS256', kid: signingKey.kid, typ: 'JWT' }));
  return (subject) => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer.issuer,
      aud: issuer.audience,
      sub: subject,
      iat: now,
      exp: now + 3600,
      auth_time: now,
    };
    const data = `${header}.${b64(JSON.stringify(claims))}`;
    return `${data}.${b64(sign('sha256', Buffer.from(data), privateKey))}`;
  };
}
