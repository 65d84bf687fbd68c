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

  it('skips keys without kid, for encryption, of unknown type, or RSA under 2048 bits', async () => {
    const a = await publicJwk('RS256', 'a');
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
          { ...small, kid: 'small' },
        ],
      },
      URL,
    );
    expect([...parsed.keys.keys()]).toEqual(['a']);
    expect(parsed.keys.get('a')!.key.asymmetricKeyType).toBe('rsa');
    expect(parsed.skipped).toHaveLength(4);
    expect(parsed.skipped.join('\n')).toMatch(/RSA key of 1024 bits/);
    expect(parsed.ambiguous.size).toBe(0);
  });

  it('keeps no key for a kid published twice (ambiguous, as jose refuses it), and keeps the others', async () => {
    const a = await publicJwk('RS256', 'a');
    const impostor = await publicJwk('RS256', 'a');
    const c = await publicJwk('ES256', 'c');
    const parsed = parseJwks({ keys: [a.pub, c.pub, impostor.pub, { ...a.pub }] }, URL);
    expect([...parsed.keys.keys()]).toEqual(['c']);
    expect([...parsed.ambiguous]).toEqual(['a']);
    expect(parsed.skipped.join('\n')).toContain('a: kid published 3 times');
  });

  it('counts only usable signing keys as duplicates (an encryption key may share a kid)', async () => {
    const a = await publicJwk('RS256', 'a');
    const parsed = parseJwks({ keys: [a.pub, { ...a.pub, use: 'enc' }] }, URL);
    expect([...parsed.keys.keys()]).toEqual(['a']);
    expect(parsed.ambiguous.size).toBe(0);
  });

  it('refuses a set of more than 100 keys whole', async () => {
    const a = await publicJwk('ES256', 'a');
    const keys = Array.from({ length: 101 }, (_, i) => ({ ...a.pub, kid: `k${i}` }));
    expect(() => parseJwks({ keys }, URL)).toThrow('101 keys, more than 100');
    expect(parseJwks({ keys: keys.slice(0, 100) }, URL).keys.size).toBe(100);
  });

  it('refuses a document that is not a JWK Set', () => {
    expect(() => parseJwks({ foo: 1 }, URL)).toThrow('no "keys" array');
    expect(() => parseJwks(null, URL)).toThrow(KeyFetchError);
    expect(() => parseJwks({ keys: ['x'] }, URL)).toThrow('keys[0] is not an object');
  });
});
