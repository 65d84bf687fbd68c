// Property test: for random valid and mutated tokens, pps-gate's synchronous node:crypto verifier
// decides exactly as jose.jwtVerify does with the same options (the verifier it replaced), after
// the same framing, strict decode and claim steps; and whatever it allows, bare jose allows too.
import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { errors, jwtVerify, type JWTVerifyOptions } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/parse-config.js';
import { parseJwks, type PublicKeyEntry } from '../issuers/parse-jwks.js';
import { checkClaims } from './check-claims.js';
import { decodeToken, type DecodedToken } from './decode-token.js';
import { isDeny, type Deny } from './decision.js';
import { extractToken, type CompactToken } from './extract-token.js';
import { keyFitsAlgorithm, verifySignature } from './verify-signature.js';

const ISSUER = 'https://issuer.example/pps';
const AUDIENCE = 'pps-audience';
const SKEW_S = 60;
const NOW_MS = 1_800_000_000_000;
const NOW = NOW_MS / 1000;

const config = parseConfig(
  JSON.stringify({
    issuers: [
      {
        issuer: ISSUER,
        audiences: [AUDIENCE],
        jwksUri: 'https://issuer.example/jwks',
        algorithms: ['RS256', 'RS384', 'PS256', 'PS512', 'ES256', 'ES384', 'EdDSA', 'Ed25519'],
      },
    ],
    clockSkewSeconds: SKEW_S,
  }),
  'property-test',
);
const policy = config.issuers.get(ISSUER)!;

interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** What the JWK publishes as `alg`, if anything. */
  readonly pinned?: string;
}

function makeKey(kid: string, pinned?: string): TestKey {
  const [type, options] = kid.startsWith('rsa')
    ? (['rsa', { modulusLength: 2048 }] as const)
    : kid.startsWith('p256')
      ? (['ec', { namedCurve: 'prime256v1' }] as const)
      : kid.startsWith('p384')
        ? (['ec', { namedCurve: 'secp384r1' }] as const)
        : (['ed25519', {}] as const);
  const pair = generateKeyPairSync(type as 'rsa', options as never) as unknown as {
    privateKey: KeyObject;
    publicKey: KeyObject;
  };
  const { privateKey, publicKey } = pair;
  return { kid, privateKey, publicKey, ...(pinned === undefined ? {} : { pinned }) };
}

const published = [
  makeKey('rsa-pinned', 'RS256'),
  makeKey('rsa-open'),
  makeKey('p256', 'ES256'),
  makeKey('p384-open'),
  makeKey('ed25519', 'EdDSA'),
  makeKey('ed25519-open'),
];
// Same kid as a published key, different key material: a forgery.
const forger = makeKey('rsa-open');
const jwks = parseJwks(
  {
    keys: published.map((k) => ({
      ...k.publicKey.export({ format: 'jwk' }),
      kid: k.kid,
      use: 'sig',
      ...(k.pinned === undefined ? {} : { alg: k.pinned }),
    })),
  },
  'property-test',
);

const DIGEST: Record<string, string | null> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  PS256: 'sha256',
  PS384: 'sha384',
  PS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  EdDSA: null,
  Ed25519: null,
};

function signWith(alg: string, key: KeyObject, data: Buffer, der: boolean): Buffer {
  const digest = DIGEST[alg] ?? 'sha256';
  if (key.asymmetricKeyType === 'ed25519') return sign(null, data, key);
  if (key.asymmetricKeyType === 'ec')
    return sign(digest, data, { key, dsaEncoding: der ? 'der' : 'ieee-p1363' });
  if (alg.startsWith('PS'))
    return sign(digest, data, {
      key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
    });
  return sign(digest, data, key);
}

const b64 = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

interface TokenPlan {
  readonly signer: number; // index into published, or -1 for the forger
  readonly headerAlg: string;
  readonly signAlg: string;
  readonly kid: string | undefined;
  readonly claims: Record<string, unknown>;
  readonly der: boolean;
  readonly mutation: { segment: 0 | 1 | 2; at: number; char: string } | undefined;
  readonly truncateSignature: number;
}

function buildToken(plan: TokenPlan): string {
  const key = plan.signer < 0 ? forger : published[plan.signer]!;
  const header = { alg: plan.headerAlg, typ: 'JWT', kid: plan.kid ?? key.kid };
  const data = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(plan.claims))}`;
  let signature = signWith(plan.signAlg, key.privateKey, Buffer.from(data), plan.der);
  if (plan.truncateSignature > 0)
    signature = signature.subarray(0, Math.max(0, signature.length - plan.truncateSignature));
  const segments = [...data.split('.'), b64(signature)];
  if (plan.mutation !== undefined) {
    const { segment, at, char } = plan.mutation;
    const text = segments[segment]!;
    const i = at % Math.max(1, text.length);
    segments[segment] = `${text.slice(0, i)}${char}${text.slice(i + 1)}`;
  }
  return segments.join('.');
}

const ALGS = Object.keys(DIGEST);
const numericDate = fc.oneof(
  fc.integer({ min: -7200, max: 7200 }).map((d) => NOW + d),
  fc.constantFrom(NOW - SKEW_S, NOW + SKEW_S, NOW - SKEW_S - 1, NOW + SKEW_S + 1, NOW),
);
const claimsArb = fc.record(
  {
    iss: fc.constantFrom(ISSUER, ISSUER, ISSUER, `${ISSUER}/`),
    aud: fc.constantFrom<unknown>(AUDIENCE, AUDIENCE, [AUDIENCE, 'other'], 'other', []),
    sub: fc.constantFrom<unknown>('pps-webhook-sender', 'pps-webhook-sender', 42),
    // Past maxTokenLifetimeSeconds (one day by default) from iat, or from now without one.
    exp: fc.oneof(numericDate, fc.constant(NOW + 3600), fc.constant(NOW + 86_400 + SKEW_S + 1)),
    nbf: numericDate,
    // The issuer requires iat (requireIssuedAt defaults to true): mostly present, sometimes not.
    iat: fc.option(numericDate, { freq: 6, nil: undefined }),
    auth_time: numericDate,
  },
  { requiredKeys: ['iss', 'aud', 'sub', 'exp', 'iat'] },
);
const planArb: fc.Arbitrary<TokenPlan> = fc.record({
  signer: fc.integer({ min: -1, max: published.length - 1 }),
  headerAlg: fc.constantFrom(...ALGS),
  signAlg: fc.constantFrom(...ALGS),
  kid: fc.option(fc.constantFrom(...published.map((k) => k.kid)), { nil: undefined }),
  claims: claimsArb,
  der: fc.boolean(),
  mutation: fc.option(
    fc.record({
      segment: fc.constantFrom<0 | 1 | 2>(0, 1, 2, 2, 2),
      at: fc.nat(),
      char: fc.constantFrom('A', 'B', 'Q', 'g', '-', '_', '0'),
    }),
    { nil: undefined },
  ),
  truncateSignature: fc.constantFrom(0, 0, 0, 1, 2),
});
// Most plans should be honest tokens, so the signature step is really exercised.
const honestPlanArb: fc.Arbitrary<TokenPlan> = fc
  .record({
    signer: fc.integer({ min: 0, max: published.length - 1 }),
    claims: claimsArb,
  })
  .map(({ signer, claims }) => {
    const key = published[signer]!;
    const alg =
      key.pinned ??
      (key.kid.startsWith('rsa') ? 'PS256' : key.kid.startsWith('p384') ? 'ES384' : 'Ed25519');
    return {
      signer,
      headerAlg: alg,
      signAlg: alg,
      kid: undefined,
      claims,
      der: false,
      mutation: undefined,
      truncateSignature: 0,
    };
  });

const validClaims = {
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'pps-webhook-sender',
  iat: NOW - 60,
  exp: NOW + 3600,
};
// Honest claims, tampered signature: the cases only the signature step can catch.
const tamperedPlanArb: fc.Arbitrary<TokenPlan> = fc
  .tuple(
    honestPlanArb,
    fc.constantFrom('forger', 'flip', 'truncate', 'der', 'sign-alg') as fc.Arbitrary<string>,
    fc.nat(),
    fc.constantFrom(...ALGS),
  )
  .map(([plan, how, at, signAlg]) => ({
    ...plan,
    claims: validClaims,
    signer: how === 'forger' && plan.signer === 1 ? -1 : plan.signer,
    kid: how === 'forger' ? 'rsa-open' : plan.kid,
    headerAlg: how === 'forger' ? 'RS256' : plan.headerAlg,
    signAlg: how === 'sign-alg' ? signAlg : how === 'forger' ? 'RS256' : plan.signAlg,
    mutation: how === 'flip' ? { segment: 2 as const, at, char: 'A' } : undefined,
    truncateSignature: how === 'truncate' ? 1 + (at % 3) : 0,
    der: how === 'der',
  }));

/** The steps before the signature, shared by both paths; a Deny or what the signature step needs. */
type PreSteps =
  | { readonly denied: string }
  | { readonly framed: CompactToken; readonly decoded: DecodedToken; readonly key: PublicKeyEntry };

function preSteps(token: string): PreSteps {
  const framed = extractToken(`Bearer ${token}`, config.maxTokenBytes);
  if (isDeny(framed)) return { denied: framed.reason };
  const decoded = decodeToken(framed);
  if (isDeny(decoded)) return { denied: decoded.reason };
  const checked = checkClaims(decoded, config, NOW_MS);
  if (isDeny(checked)) return { denied: checked.reason };
  const key = jwks.keys.get(decoded.kid);
  if (key === undefined) return { denied: 'unknown_key' };
  return { framed, decoded, key };
}

function newPath(token: string): string {
  const pre = preSteps(token);
  if ('denied' in pre) return pre.denied;
  return verifySignature(pre.framed, pre.decoded.alg, pre.key, ISSUER)?.reason ?? 'allow';
}

/** What pps-gate did before: the same pins, then jose.jwtVerify with the issuer's options. */
async function josePath(token: string): Promise<string> {
  const pre = preSteps(token);
  if ('denied' in pre) return pre.denied;
  const { alg } = pre.decoded;
  const key: PublicKeyEntry = pre.key;
  if (key.alg !== undefined && key.alg !== alg) return 'disallowed_algorithm';
  if (!keyFitsAlgorithm(alg, key.key)) return 'invalid_signature';
  try {
    await jwtVerify(token, key.key, joseOptions([alg]));
    return 'allow';
  } catch (error) {
    return mapJoseError(error).reason;
  }
}

function joseOptions(algorithms: string[]): JWTVerifyOptions {
  return {
    issuer: ISSUER,
    audience: [AUDIENCE],
    algorithms,
    clockTolerance: SKEW_S,
    currentDate: new Date(NOW_MS),
    // The claims the issuer's policy requires: iat too unless it sets requireIssuedAt: false.
    requiredClaims: policy.requireIssuedAt ? ['exp', 'sub', 'iat'] : ['exp', 'sub'],
    ...(policy.rules.maxTokenAgeSeconds === undefined
      ? {}
      : { maxTokenAge: policy.rules.maxTokenAgeSeconds }),
  };
}

function mapJoseError(error: unknown): Pick<Deny, 'reason'> {
  if (error instanceof errors.JWTExpired) return { reason: 'token_expired' };
  if (error instanceof errors.JWTClaimValidationFailed)
    return {
      reason:
        error.claim === 'aud'
          ? 'invalid_audience'
          : error.claim === 'nbf' || error.claim === 'iat'
            ? 'token_not_yet_valid'
            : 'invalid_claims',
    };
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return { reason: 'invalid_signature' };
  if (error instanceof errors.JOSEAlgNotAllowed) return { reason: 'disallowed_algorithm' };
  if (error instanceof errors.JOSEError) return { reason: 'malformed_token' };
  if (error instanceof TypeError) return { reason: 'invalid_signature' };
  throw error;
}

describe('synchronous signature verification', () => {
  it('decides every random valid or mutated token exactly as jose.jwtVerify with the same options', async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(honestPlanArb, tamperedPlanArb, planArb), async (plan) => {
        const token = buildToken(plan);
        const expected = await josePath(token);
        const actual = newPath(token);
        seen.set(actual, (seen.get(actual) ?? 0) + 1);
        expect(actual).toBe(expected);
      }),
      { seed: 20261130, numRuns: 1500 },
    );
    // The runs reached the signature step both ways, not only the cheap early denies.
    expect(seen.get('allow') ?? 0).toBeGreaterThan(50);
    expect(seen.get('invalid_signature') ?? 0).toBeGreaterThan(50);
  });

  it('allows only tokens bare jose.jwtVerify also accepts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(honestPlanArb, planArb), async (plan) => {
        const token = buildToken(plan);
        if (newPath(token) !== 'allow') return;
        const kid = (
          JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as {
            kid: string;
          }
        ).kid;
        await expect(
          jwtVerify(token, jwks.keys.get(kid)!.key, joseOptions([...policy.algorithms])),
        ).resolves.toBeDefined();
      }),
      { seed: 20261130, numRuns: 500 },
    );
  });

  it('rejects an ECDSA signature in DER form, as JWS requires R || S (RFC 7518 §3.4)', () => {
    const token = buildToken({
      signer: 2,
      headerAlg: 'ES256',
      signAlg: 'ES256',
      kid: undefined,
      claims: { iss: ISSUER, aud: AUDIENCE, sub: 's', iat: NOW, exp: NOW + 60 },
      der: true,
      mutation: undefined,
      truncateSignature: 0,
    });
    expect(newPath(token)).toBe('invalid_signature');
  });

  it('refuses an Ed448 key for EdDSA, which jose cannot verify either', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed448');
    const data = `${b64(JSON.stringify({ alg: 'EdDSA', kid: 'ed448' }))}.${b64('{"sub":"s"}')}`;
    const token = `${data}.${b64(sign(null, Buffer.from(data), privateKey))}`;
    const framed = extractToken(`Bearer ${token}`, 8192);
    if (isDeny(framed)) throw new Error('framing failed');
    const verdict = verifySignature(
      framed,
      'EdDSA',
      { kid: 'ed448', alg: undefined, key: publicKey },
      ISSUER,
    );
    expect(verdict?.reason).toBe('invalid_signature');
  });
});
