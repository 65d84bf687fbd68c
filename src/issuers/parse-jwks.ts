// Turns a JWK Set (RFC 7517 §5) into ready-to-use public keys, imported once per fetch (not per
// request) as Node KeyObjects, which jose verifies against synchronously-obtained keys.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { KeyFetchError } from './fetch-json.js';

export interface PublicKeyEntry {
  readonly kid: string;
  /** The JWK's own `alg`, when it pins one (RFC 7517 §4.4). */
  readonly alg: string | undefined;
  readonly key: KeyObject;
}

export interface ParsedJwks {
  readonly keys: ReadonlyMap<string, PublicKeyEntry>;
  /** Keys left out and why (no kid, encryption-only, unsupported type): for logs. */
  readonly skipped: readonly string[];
  /**
   * Kids published more than once among the usable signing keys. Which key is meant is unknown,
   * so none of them verifies anything (jose refuses it too: ERR_JWKS_MULTIPLE_MATCHING_KEYS).
   */
  readonly ambiguous: ReadonlySet<string>;
}

const MIN_RSA_BITS = 2048;
// Real issuers publish two or three keys; a set of hundreds is broken or hostile, and each key is
// imported (and kept) per fetch.
export const MAX_KEYS_PER_SET = 100;

export function parseJwks(doc: unknown, url: string): ParsedJwks {
  const list = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new KeyFetchError(`${url}: not a JWK Set (no "keys" array)`);
  if (list.length > MAX_KEYS_PER_SET)
    throw new KeyFetchError(`${url}: ${list.length} keys, more than ${MAX_KEYS_PER_SET}`);
  const keys = new Map<string, PublicKeyEntry>();
  const skipped: string[] = [];
  const published = new Map<string, number>();
  for (const [index, jwk] of list.entries()) {
    if (jwk === null || typeof jwk !== 'object')
      throw new KeyFetchError(`${url}: keys[${index}] is not an object`);
    const { kid, kty, use, alg, d } = jwk as Record<string, unknown>;
    // A published private key means the set is broken (or hostile): trust none of it.
    if (d !== undefined)
      throw new KeyFetchError(`${url}: keys[${index}] contains private key material`);
    if (typeof kid !== 'string' || kid === '') {
      skipped.push(`keys[${index}]: no kid`);
      continue;
    }
    if (use !== undefined && use !== 'sig') {
      skipped.push(`${kid}: use ${JSON.stringify(use)}`);
      continue;
    }
    if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') {
      skipped.push(`${kid}: kty ${JSON.stringify(kty)}`);
      continue;
    }
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch (error) {
      skipped.push(`${kid}: ${(error as Error).message}`);
      continue;
    }
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (bits !== undefined && bits < MIN_RSA_BITS) {
      skipped.push(`${kid}: RSA key of ${bits} bits`);
      continue;
    }
    published.set(kid, (published.get(kid) ?? 0) + 1);
    keys.set(kid, { kid, alg: typeof alg === 'string' ? alg : undefined, key });
  }
  const ambiguous = new Set<string>();
  for (const [kid, count] of published) {
    if (count < 2) continue;
    keys.delete(kid);
    ambiguous.add(kid);
    skipped.push(`${kid}: kid published ${count} times (ambiguous, none of them is used)`);
  }
  return { keys, skipped, ambiguous };
}
