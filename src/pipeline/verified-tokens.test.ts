// The verified-token cache never changes a decision: through the whole flow (authorize) against a
// real loopback issuer and key cache, with the clock injected.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigSnapshot } from '../config/config-snapshot.js';
import type { GateConfig } from '../config/gate-config.js';
import { parseConfig } from '../config/parse-config.js';
import { startLocalIssuer, type LocalIssuer } from '../dev/local-issuer.js';
import { KeyStore } from '../issuers/key-store.js';
import { silentLogger } from '../telemetry/logger.js';
import { authorize, type AuthorizeDeps } from './authorize.js';
import type { Allow, Decision } from './decision.js';
import { VerifiedTokens } from './verified-tokens.js';
import type { WebhookRequest } from './webhook-request.js';

const HOOK = {
  'x-pps-topic': 'orders/placed',
  'x-pps-tenant-id': 'OU1243',
  'x-pps-webhook-id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
  'x-pps-triggered-at': '2024-01-01T10:00:00Z',
};
const SKEW_S = 60;

let issuer: LocalIssuer;
let store: KeyStore;
let tokens: VerifiedTokens;
let snapshot: ConfigSnapshot;
let deps: AuthorizeDeps;
const clock = { ms: 0 };

function configWith(audiences: string[], global: Record<string, unknown> = {}): GateConfig {
  return parseConfig(
    JSON.stringify({
      allowInsecureHttp: true,
      clockSkewSeconds: SKEW_S,
      issuers: [{ issuer: issuer.issuer, audiences }],
      ...global,
    }),
    'verified-tokens-test.json',
  );
}

function check(
  token: string,
  headers: Record<string, string> = HOOK,
  authorization = `Bearer ${token}`,
): Decision | Promise<Decision> {
  const request: WebhookRequest = {
    id: undefined,
    method: 'POST',
    path: '/hooks',
    headers: { ...headers, authorization },
    receivedAtMs: clock.ms,
  };
  return authorize(request, deps);
}

beforeAll(async () => {
  issuer = await startLocalIssuer({ project: 'pps-token-cache' });
});

beforeEach(async () => {
  clock.ms = Date.now();
  store?.close();
  const config = configWith([issuer.audience]);
  tokens = new VerifiedTokens(config.tokenCache);
  // As the gate wires it: key-set changes sweep the tokens whose key left.
  store = new KeyStore({
    logger: silentLogger,
    now: () => clock.ms,
    events: {
      onFetch: () => undefined,
      onKeysChanged: (iss, _added, removed) => tokens.forgetKeys(iss, removed),
    },
  });
  await Promise.all(store.applyConfig(config));
  snapshot = new ConfigSnapshot(config);
  snapshot.onSwap((next) => tokens.applyConfig(next));
  deps = { config: snapshot, keys: store, now: () => clock.ms, verifiedTokens: tokens };
});

afterAll(async () => {
  store.close();
  await issuer.close();
});

describe('verified-token cache in the flow', () => {
  it('verifies a reused token once; later checks are synchronous cache hits that still allow', async () => {
    const token = await issuer.sign();
    const first = check(token);
    const second = check(token);
    const third = check(token);
    expect(second).not.toBeInstanceOf(Promise);
    for (const decision of [first, second, third])
      expect(decision).toMatchObject({ allowed: true });
    expect((second as Allow).identity).toBe((third as Allow).identity);
    expect(tokens.counts()).toMatchObject({ misses: 1, hits: 2, entries: 1 });
  });

  it('checks webhook headers and computes headers_to_remove from each request on a hit', async () => {
    const token = await issuer.sign();
    expect(check(token)).toMatchObject({ allowed: true, headersToRemove: ['authorization'] });
    expect(check(token, { ...HOOK, 'x-pps-auth-role': 'admin' })).toMatchObject({
      allowed: true,
      headersToRemove: ['authorization', 'x-pps-auth-role'],
    });
    expect(check(token, { ...HOOK, 'x-pps-webhook-id': 'not-a-uuid' })).toMatchObject({
      allowed: false,
      reason: 'invalid_webhook_headers',
    });
    expect(tokens.counts()).toMatchObject({ misses: 1, hits: 2 });
  });

  it('never caches a deny: a forged signature is checked, and denied, every time', async () => {
    const token = await issuer.sign();
    const forged = `${token.slice(0, -6)}AAAAAA`;
    expect(check(forged)).toMatchObject({ allowed: false, reason: 'invalid_signature' });
    expect(check(forged)).toMatchObject({ allowed: false, reason: 'invalid_signature' });
    expect(tokens.counts()).toMatchObject({ entries: 0, hits: 0 });
  });

  it('lets an entry die at exp plus the clock skew, whatever the cache holds', async () => {
    const nowS = Math.floor(clock.ms / 1000);
    const token = await issuer.sign({ claims: { iat: nowS, exp: nowS + 120 } });
    expect(check(token)).toMatchObject({ allowed: true });
    clock.ms = (nowS + 120 + SKEW_S) * 1000 - 1;
    expect(check(token)).toMatchObject({ allowed: true });
    expect(tokens.counts()).toMatchObject({ hits: 1 });
    clock.ms = (nowS + 120 + SKEW_S) * 1000;
    expect(check(token)).toMatchObject({ allowed: false, reason: 'token_expired' });
    expect(tokens.counts()).toMatchObject({ entries: 0, hits: 1 });
  });

  it('keeps entries across a reload that leaves the issuer as it was, drops them when it is edited', async () => {
    const token = await issuer.sign();
    expect(check(token)).toMatchObject({ allowed: true });
    snapshot.swap(configWith([issuer.audience]));
    expect(tokens.counts().entries).toBe(1);
    expect(check(token)).toMatchObject({ allowed: true });
    expect(tokens.counts()).toMatchObject({ hits: 1 });
    snapshot.swap(configWith(['another-audience']));
    expect(tokens.counts().entries).toBe(0);
    expect(check(token)).toMatchObject({ allowed: false, reason: 'invalid_audience' });
  });

  it('drops an issuer’s entries when a reload removes it; its tokens are then untrusted', async () => {
    const token = await issuer.sign();
    expect(check(token)).toMatchObject({ allowed: true });
    const stranger = parseConfig(
      JSON.stringify({
        allowInsecureHttp: true,
        issuers: [{ issuer: 'https://elsewhere.example', audiences: ['x'] }],
      }),
      'verified-tokens-test.json',
    );
    snapshot.swap(stranger);
    expect(tokens.counts().entries).toBe(0);
    expect(check(token)).toMatchObject({ allowed: false, reason: 'untrusted_issuer' });
  });

  it('keeps a hit across a refetch that republishes the key, and drops it once the key leaves', async () => {
    const old = await issuer.sign();
    expect(check(old)).toMatchObject({ allowed: true });
    const oldKid = issuer.publishedKids.at(-1)!;
    // A rotation: a token under a new kid makes the key cache refetch (past the refresh interval).
    await issuer.rotate('RS256');
    clock.ms += 31_000;
    expect(await check(await issuer.sign())).toMatchObject({ allowed: true });
    expect(check(old)).toMatchObject({ allowed: true });
    expect(tokens.counts()).toMatchObject({ hits: 1, misses: 2 });
    // The old key is withdrawn; the next refetch drops it, and its token with it.
    issuer.unpublish(oldKid);
    await issuer.rotate('RS256');
    clock.ms += 31_000;
    expect(await check(await issuer.sign())).toMatchObject({ allowed: true });
    expect(tokens.counts().entries).toBe(2);
    expect(check(old)).toMatchObject({ allowed: false, reason: 'unknown_key' });
  });

  it('finds a token written any other way (scheme case, extra spaces, OWS) after framing it', async () => {
    const token = await issuer.sign();
    expect(check(token)).toMatchObject({ allowed: true });
    for (const spelling of [`bearer ${token}`, `Bearer   ${token}`, `Bearer ${token} \t`])
      expect(check(token, HOOK, spelling)).toMatchObject({ allowed: true });
    expect(tokens.counts()).toMatchObject({ misses: 1, hits: 3, entries: 1 });
    // Framing still refuses what it always refused, cached token or not.
    expect(check(token, HOOK, `Bearer ${token}.x`)).toMatchObject({
      allowed: false,
      reason: 'malformed_token',
    });
  });

  it('judges a hit against a reload that changes no issuer: the claim checks run again', async () => {
    // Expired 30 s ago: allowed under the 60 s skew, refused once a reload sets the skew to 0,
    // although the entry (alive until exp + 60 s) and the issuer's policy are untouched.
    const nowS = Math.floor(clock.ms / 1000);
    const token = await issuer.sign({ claims: { iat: nowS - 600, exp: nowS - 30 } });
    expect(check(token)).toMatchObject({ allowed: true });
    expect(check(token)).toMatchObject({ allowed: true });
    snapshot.swap(configWith([issuer.audience], { clockSkewSeconds: 0 }));
    expect(check(token)).toMatchObject({ allowed: false, reason: 'token_expired' });
  });

  it('refuses a cached token that a reload makes longer than maxTokenBytes', async () => {
    const token = await issuer.sign({ claims: { pad: 'x'.repeat(1024) } });
    expect(check(token)).toMatchObject({ allowed: true });
    snapshot.swap(configWith([issuer.audience], { maxTokenBytes: 1024 }));
    expect(token.length).toBeGreaterThan(1024);
    expect(check(token)).toMatchObject({ allowed: false, reason: 'malformed_token' });
  });

  it('never answers a hit before the token is valid: nbf moved past by a clock step back', async () => {
    const nowS = Math.floor(clock.ms / 1000);
    const token = await issuer.sign({ claims: { iat: nowS, nbf: nowS + 30, exp: nowS + 600 } });
    expect(check(token)).toMatchObject({ allowed: true }); // nbf within the 60 s skew
    clock.ms -= 120_000; // the host clock steps back two minutes
    expect(check(token)).toMatchObject({ allowed: false, reason: 'token_not_yet_valid' });
  });

  it('judges later hits by the clock bounds of the config the claims last passed under', async () => {
    // nbf 30 s ahead: fine under a 60 s skew, and under 45 s after a reload (which re-runs the
    // checks and keeps their result). A clock step back of 20 s then puts nbf 50 s ahead: past
    // the current 45 s skew, though it would still pass the original 60.
    const nowS = Math.floor(clock.ms / 1000);
    clock.ms = nowS * 1000;
    const token = await issuer.sign({
      claims: { iat: nowS - 10, nbf: nowS + 30, exp: nowS + 600 },
    });
    expect(check(token)).toMatchObject({ allowed: true });
    snapshot.swap(configWith([issuer.audience], { clockSkewSeconds: 45 }));
    expect(check(token)).toMatchObject({ allowed: true });
    expect(tokens.counts()).toMatchObject({ hits: 1, entries: 1 });
    clock.ms -= 20_000;
    expect(check(token)).toMatchObject({ allowed: false, reason: 'token_not_yet_valid' });
  });
});
