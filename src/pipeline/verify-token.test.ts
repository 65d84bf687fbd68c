// Algorithm and signature attacks through the whole flow, with hand-crafted tokens signed by
// node:crypto and real keys published by loopback issuers.
import { constants, createHmac, createPublicKey, KeyObject, sign, type KeyLike } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSnapshot } from '../config/config-snapshot.js';
import { parseConfig } from '../config/parse-config.js';
import { startLocalIssuer, type LocalIssuer, type SigningKey } from '../dev/local-issuer.js';
import { KeyStore } from '../issuers/key-store.js';
import { silentLogger } from '../telemetry/logger.js';
import { authorize, type AuthorizeDeps } from './authorize.js';
import { decodeToken } from './decode-token.js';
import { isDeny, type Decision } from './decision.js';
import { extractToken } from './extract-token.js';
import { verifyToken } from './verify-token.js';

const HOOK = {
  'x-pps-topic': 'orders/placed',
  'x-pps-tenant-id': 'OU1243',
  'x-pps-webhook-id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
  'x-pps-triggered-at': '2024-01-01T10:00:00Z',
};
const T0 = Date.now();
const NOW = Math.floor(T0 / 1000);

let a: LocalIssuer; // algorithms: [RS256]
let b: LocalIssuer; // algorithms: [RS256, PS256, ES256, EdDSA]
let aNoAlg: SigningKey; // RSA key A publishes without `alg`
let bNoAlg: SigningKey;
let bEs: SigningKey;
let bEd: SigningKey;
let bRsa: SigningKey; // B's first key, published with alg RS256
let aRsa: SigningKey;
let store: KeyStore;
let deps: AuthorizeDeps;

const b64 = (data: string | Buffer): string => Buffer.from(data).toString('base64url');
const nodeKey = (key: SigningKey): KeyObject => KeyObject.from(key.privateKey);

function craft(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  signer: (data: Buffer) => Buffer,
): string {
  const data = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  return `${data}.${b64(signer(Buffer.from(data)))}`;
}

const claimsOf = (
  issuer: LocalIssuer,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  iss: issuer.issuer,
  aud: issuer.audience,
  sub: 'pps-webhook-sender',
  iat: NOW,
  exp: NOW + 3600,
  ...extra,
});

const rs256 = (key: KeyLike) => (data: Buffer) => sign('sha256', data, key);
const ps256 = (key: KeyLike) => (data: Buffer) =>
  sign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } as never);

async function check(token: string): Promise<Decision> {
  return authorize(
    {
      id: undefined,
      method: 'POST',
      path: '/',
      headers: { ...HOOK, authorization: `Bearer ${token}` },
      receivedAtMs: T0,
    },
    deps,
  );
}

beforeAll(async () => {
  [a, b] = await Promise.all([
    startLocalIssuer({ project: 'pps-a' }),
    startLocalIssuer({ project: 'pps-b' }),
  ]);
  aRsa = await a.rotate('RS256');
  aNoAlg = await a.rotate('RS256', false);
  bRsa = await b.rotate('RS256');
  bNoAlg = await b.rotate('RS256', false);
  bEs = await b.rotate('ES256');
  bEd = await b.rotate('EdDSA');
  const config = parseConfig(
    JSON.stringify({
      allowInsecureHttp: true,
      issuers: [
        { issuer: a.issuer, audiences: [a.audience], algorithms: ['RS256'] },
        {
          issuer: b.issuer,
          audiences: [b.audience],
          algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
        },
      ],
    }),
    'verify-test.json',
  );
  store = new KeyStore({ logger: silentLogger, now: () => T0 });
  await Promise.all(store.applyConfig(config));
  deps = { config: new ConfigSnapshot(config), keys: store, now: () => T0 };
});

afterAll(async () => {
  store.close();
  await Promise.all([a.close(), b.close()]);
});

describe('algorithms', () => {
  it('allows a hand-crafted RS256 token (the crafting itself is sound)', async () => {
    const token = craft(
      { alg: 'RS256', kid: aRsa.kid, typ: 'JWT' },
      claimsOf(a),
      rs256(nodeKey(aRsa)),
    );
    expect(await check(token)).toMatchObject({ allowed: true });
  });

  it('rejects an unsigned alg none token in framing, and one with a junk signature as disallowed_algorithm', async () => {
    const unsigned = `${b64('{"alg":"none","kid":"x"}')}.${b64(JSON.stringify(claimsOf(a)))}.`;
    expect(await check(unsigned)).toMatchObject({ reason: 'malformed_token' });
    for (const alg of ['none', 'NONE', 'None']) {
      const junk = craft({ alg, kid: aRsa.kid }, claimsOf(a), () => Buffer.from('junk'));
      expect(await check(junk), alg).toMatchObject({
        allowed: false,
        reason: 'disallowed_algorithm',
      });
    }
  });

  it('rejects HS256 keyed with the RSA public key (PEM bytes or JWK n) as disallowed_algorithm', async () => {
    const pem = createPublicKey({ key: aRsa.publicJwk as never, format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    });
    for (const secret of [
      Buffer.from(pem),
      Buffer.from(aRsa.publicJwk.n!),
      Buffer.from(aRsa.publicJwk.n!, 'base64url'),
    ]) {
      const token = craft({ alg: 'HS256', kid: aRsa.kid, typ: 'JWT' }, claimsOf(a), (data) =>
        createHmac('sha256', secret).update(data).digest(),
      );
      expect(await check(token)).toMatchObject({ allowed: false, reason: 'disallowed_algorithm' });
    }
  });

  it('refuses an RSA key for HS256 in the verifier itself, even under a policy that listed HS256', () => {
    const pem = createPublicKey({ key: aRsa.publicJwk as never, format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    });
    const token = craft({ alg: 'HS256', kid: aRsa.kid }, claimsOf(a), (data) =>
      createHmac('sha256', pem).update(data).digest(),
    );
    const config = deps.config.current()!;
    const answer = store.resolve({
      issuer: a.issuer,
      kid: aRsa.kid,
      issuedAt: NOW,
      receivedAtMs: T0,
      skewMs: 60_000,
    });
    if (answer instanceof Promise || answer.kind !== 'key') throw new Error('key not cached');
    const policy = { ...config.issuers.get(a.issuer)!, algorithms: new Set(['HS256']) };
    const entry = { ...answer.key, alg: undefined };
    const framed = extractToken(`Bearer ${token}`, config.maxTokenBytes);
    if (isDeny(framed)) throw new Error(framed.detail);
    const decoded = decodeToken(framed);
    if (isDeny(decoded)) throw new Error(decoded.detail);
    const result = verifyToken(
      {
        request: { id: undefined, method: 'POST', path: '/', headers: {}, receivedAtMs: T0 },
        config,
        framed,
        decoded,
        checked: {
          policy,
          subject: 's',
          audience: a.audience,
          issuedAt: NOW,
          validUntilMs: T0 + 3_600_000,
          validFromMs: T0,
        },
        now: () => T0,
      },
      entry,
    );
    expect(result).toMatchObject({ reason: 'invalid_signature' });
  });

  it('rejects PS256 against an RSA JWK without alg when the issuer allows only RS256', async () => {
    const token = craft({ alg: 'PS256', kid: aNoAlg.kid }, claimsOf(a), ps256(nodeKey(aNoAlg)));
    expect(await check(token)).toMatchObject({ allowed: false, reason: 'disallowed_algorithm' });
  });

  it('rejects PS256 against a JWK pinned to RS256 even when the issuer allows PS256', async () => {
    const token = craft({ alg: 'PS256', kid: bRsa.kid }, claimsOf(b), ps256(nodeKey(bRsa)));
    const decision = await check(token);
    expect(decision).toMatchObject({ allowed: false, reason: 'disallowed_algorithm' });
    expect((decision as { detail: string }).detail).toContain('is for RS256');
    // Control: the same signature scheme verifies against a key that does not pin its algorithm.
    const unpinned = craft({ alg: 'PS256', kid: bNoAlg.kid }, claimsOf(b), ps256(nodeKey(bNoAlg)));
    expect(await check(unpinned)).toMatchObject({ allowed: true });
  });

  it('verifies ES256 and EdDSA tokens when the issuer allows them, and not when it does not', async () => {
    expect(await check(await b.sign({ key: bEs }))).toMatchObject({ allowed: true });
    expect(await check(await b.sign({ key: bEd }))).toMatchObject({ allowed: true });
    const es = craft({ alg: 'ES256', kid: bEs.kid }, claimsOf(b), (d) =>
      sign('sha256', d, { key: nodeKey(bEs), dsaEncoding: 'ieee-p1363' }),
    );
    expect(await check(es)).toMatchObject({ allowed: true });
    expect(
      await check(await a.sign({ key: bEs, claims: { iss: a.issuer, aud: a.audience } })),
    ).toMatchObject({ reason: 'disallowed_algorithm' });
  });

  it('rejects an ES256 token naming an RSA key without alg as invalid_signature, and one naming a pinned key as disallowed_algorithm', async () => {
    const token = craft({ alg: 'ES256', kid: bNoAlg.kid }, claimsOf(b), (d) =>
      sign('sha256', d, { key: nodeKey(bEs), dsaEncoding: 'ieee-p1363' }),
    );
    expect(await check(token)).toMatchObject({ allowed: false, reason: 'invalid_signature' });
    const pinned = craft({ alg: 'ES256', kid: bEd.kid }, claimsOf(b), (d) =>
      sign('sha256', d, { key: nodeKey(bEs), dsaEncoding: 'ieee-p1363' }),
    );
    expect(await check(pinned)).toMatchObject({ allowed: false, reason: 'disallowed_algorithm' });
  });
});

describe('signatures', () => {
  it('rejects a tampered payload as invalid_signature', async () => {
    const [h, , s] = (await a.sign({ key: aRsa })).split('.');
    const tampered = `${h}.${b64(JSON.stringify(claimsOf(a, { sub: 'admin' })))}.${s}`;
    expect(await check(tampered)).toMatchObject({ allowed: false, reason: 'invalid_signature' });
  });

  it("rejects A's claims signed with B's key under A's kid as invalid_signature", async () => {
    const token = craft({ alg: 'RS256', kid: aRsa.kid }, claimsOf(a), rs256(nodeKey(bRsa)));
    expect(await check(token)).toMatchObject({
      allowed: false,
      reason: 'invalid_signature',
      issuer: a.issuer,
    });
  });

  it("rejects A's claims signed with B's key under B's kid as unknown_key, without a fetch", async () => {
    const before = a.fetches.jwks + b.fetches.jwks;
    // iat well before A's set was fetched: that set proves B's kid is not A's.
    const token = craft(
      { alg: 'RS256', kid: bRsa.kid },
      claimsOf(a, { iat: NOW - 120 }),
      rs256(nodeKey(bRsa)),
    );
    expect(await check(token)).toMatchObject({
      allowed: false,
      reason: 'unknown_key',
      issuer: a.issuer,
    });
    expect(a.fetches.jwks + b.fetches.jwks).toBe(before);
  });
});
