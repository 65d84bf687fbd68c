// OpenID Connect Discovery 1.0 §4: the jwks_uri of a configured issuer. Only configured issuers
// are ever discovered (never an `iss` read from an unverified token), and the document must name
// exactly that issuer (§4.3), or an attacker-controlled document could redirect our key source.
import { fetchJson, KeyFetchError, type FetchLimits } from './fetch-json.js';

export function discoveryUrl(issuer: string): string {
  return `${issuer.endsWith('/') ? issuer.slice(0, -1) : issuer}/.well-known/openid-configuration`;
}

export async function discoverJwksUri(issuer: string, limits: FetchLimits): Promise<string> {
  const url = discoveryUrl(issuer);
  const doc = await fetchJson(url, limits);
  if (doc === null || typeof doc !== 'object') throw new KeyFetchError(`${url}: not a JSON object`);
  const { issuer: named, jwks_uri: jwksUri } = doc as Record<string, unknown>;
  if (named !== issuer) {
    throw new KeyFetchError(
      `${url}: document names issuer ${JSON.stringify(named)}, not the configured one`,
    );
  }
  if (typeof jwksUri !== 'string') throw new KeyFetchError(`${url}: jwks_uri is missing`);
  return jwksUri;
}
