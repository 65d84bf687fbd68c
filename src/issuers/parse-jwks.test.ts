// JWK Set parsing: public signing keys kept, the rest skipped, a private key refuses the set.
import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { KeyFetchError } from './fetch-json.js';
import { parseJwks } from './parse-jwks.js';

const URL = 'https://issuer.example/jwks.json';

async function publicJwk(alg: 'RS256' | 'ES256' | 'EdDSA', kid: string) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return {
    pub: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
    priv: { ...(await exportJWK(privateKey)), kid, alg },
  };
}

describe('parseJwks', () => {
  it('imports RSA, EC and OKP signing keys by kid, with their pinned alg', async () => {
    const keys = await Promise.all([
      publicJwk('RS256', 'r'),
      publicJwk('ES256', 'e'),
      publicJwk('EdDSA', 'o'),
    ]);
    const parsed = parseJwks({ keys: keys.map((k) => k.pub) }, URL);
    expect([...parsed.keys.keys()]).toEqual(['r', 'e', 'o']);
    expect(parsed.keys.get('e')).toMatchObject({ alg: 'ES256' });
    expect(parsed.keys.get('r')!.key.type).toBe('public');
    expect(parsed.skipped).toEqual([]);
  });

  it('refuses the whole set when any key carries private material (d)', async () => {
    const good = await publicJwk('RS256', 'good');
    const leaked = await publicJwk('ES256', 'leaked');
    expect(leaked.priv).toHaveProperty('d');
    expect(() => parseJwks({ keys: [good.pub, leaked.priv] }, URL)).toThrow(KeyFetchError);
    expect(() => parseJwks({ keys: [good.pub, leaked.priv] }, URL)).toThrow(
      'keys[1] contains private key material',
    );
  });

  it('skips keys without kid, for encryption, of unknown type, duplicated, or RSA under 2048 bits', async () => {
    const a = await publicJwk('RS256', 'a');
    const b = await publicJwk('ES256', 'a');
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      format: 'jwk',
    });
    const parsed = parseJwks(
      {
        keys: [
          a.pub,
          { ...a.pub, kid: undefined },
          { ...a.pub, kid: 'enc', use: 'enc' },
          { kty: 'oct', kid: 'sym', k: 'c2VjcmV0' },
          b.pub,
          { ...small, kid: 'small' },
        ],
      },
      URL,
    );
    expect([...parsed.keys.keys()]).toEqual(['a']);
    expect(parsed.keys.get('a')!.key.asymmetricKeyType).toBe('rsa');
    expect(parsed.skipped).toHaveLength(5);
    expect(parsed.skipped.join('\n')).toMatch(/RSA key of 1024 bits/);
  });

  it('refuses a document that is not a JWK Set', () => {
    expect(() => parseJwks({ foo: 1 }, URL)).toThrow('no "keys" array');
    expect(() => parseJwks(null, URL)).toThrow(KeyFetchError);
    expect(() => parseJwks({ keys: ['x'] }, URL)).toThrow('keys[0] is not an object');
  });
});
