// The per-issuer key cache while the issuer is up: synchronous hits, kid storms, rotation, when an
// unknown kid is permanent, and background refresh after the TTL. The clock is injected.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSnapshot } from '../config/config-snapshot.js';
import { parseConfig } from '../config/parse-config.js';
import type { IssuerPolicy } from '../config/gate-config.js';
import { startLocalIssuer, type LocalIssuer } from '../dev/local-issuer.js';
import { authorize, type AuthorizeDeps } from '../pipeline/authorize.js';
import { silentLogger } from '../telemetry/logger.js';
import { KeyStore } from './key-store.js';

const T = Math.floor(Date.now() / 1000) * 1000;
const SKEW_MS = 60_000;
const HOOK = {
  'x-pps-topic': 'orders/placed',
  'x-pps-tenant-id': 'OU1243',
  'x-pps-webhook-id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
  'x-pps-triggered-at': '2024-01-01T10:00:00Z',
};

interface Setup {
  issuer: LocalIssuer;
  store: KeyStore;
  policy: IssuerPolicy;
  clock: { ms: number };
  deps: AuthorizeDeps;
  fetches: string[];
  nextFetch: () => Promise<string>;
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

async function setup(jwks: Record<string, number> = {}): Promise<Setup> {
  const issuer = await startLocalIssuer({ project: 'pps-keys' });
  const clock = { ms: T };
  const fetches: string[] = [];
  let waiters: ((result: string) => void)[] = [];
  const events = {
    onFetch: (_issuer: string, result: string) => {
      fetches.push(result);
      for (const wake of waiters.splice(0)) wake(result);
    },
    onKeysChanged: () => undefined,
  };
  const config = parseConfig(
    JSON.stringify({
      allowInsecureHttp: true,
      // Loopback fetches on a loaded CI box can take longer than the 150 ms default wait budget;
      // these tests are about the cache, the budget has its own (issuer-keys-answers.test.ts).
      jwks: { requestWaitMs: 10_000, ...jwks },
      issuers: [
        {
          issuer: issuer.issuer,
          audiences: [issuer.audience],
          jwksUri: issuer.jwksUri,
          // The tokens below live three days, so the clock can move hours without expiring them.
          maxTokenLifetimeSeconds: 4 * 86_400,
        },
      ],
    }),
    'issuer-keys-test.json',
  );
  const store = new KeyStore({ logger: silentLogger, now: () => clock.ms, events });
  cleanup.push(async () => {
    store.close();
    await issuer.close();
  });
  await Promise.all(store.applyConfig(config));
  const deps: AuthorizeDeps = {
    config: new ConfigSnapshot(config),
    keys: store,
    now: () => clock.ms,
  };
  const nextFetch = (): Promise<string> => new Promise((resolve) => waiters.push(resolve));
  waiters = [];
  return {
    issuer,
    store,
    policy: config.issuers.get(issuer.issuer)!,
    clock,
    deps,
    fetches,
    nextFetch,
  };
}

const claimsAt = (ms: number): Record<string, unknown> => ({
  iat: Math.floor(ms / 1000),
  exp: Math.floor(ms / 1000) + 86_400 * 3,
});

function request(token: string, receivedAtMs: number) {
  return {
    id: undefined,
    method: 'POST',
    path: '/',
    headers: { ...HOOK, authorization: `Bearer ${token}` },
    receivedAtMs,
  };
}

describe('IssuerKeys while the issuer is up', () => {
  it('prefetches the key set and resolves a cached kid synchronously', async () => {
    const { issuer, store, policy } = await setup();
    expect(issuer.fetches.jwks).toBe(1);
    const kid = issuer.publishedKids[0]!;
    const result = store.resolve({
      issuer: policy.issuer,
      kid,
      issuedAt: T / 1000,
      receivedAtMs: T,
      skewMs: SKEW_MS,
    });
    expect(result instanceof Promise).toBe(false);
    expect(result).toMatchObject({ kind: 'key', key: { kid, alg: 'RS256' } });
    expect(issuer.fetches.jwks).toBe(1);
  });

  it('answers a storm of 200 random kids with one shared refetch and a 403 for each', async () => {
    const { issuer, clock, deps } = await setup();
    clock.ms = T + 31_000; // past the minimum refresh interval
    const tokens = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        issuer.sign({
          kid: `random-${i}-${Math.random().toString(36).slice(2)}`,
          claims: claimsAt(clock.ms),
        }),
      ),
    );
    const decisions = await Promise.all(
      tokens.map(async (token) => authorize(request(token, clock.ms), deps)),
    );
    expect(decisions.every((d) => !d.allowed && d.reason === 'unknown_key')).toBe(true);
    // One prefetch plus exactly one refetch for the whole storm.
    expect(issuer.fetches.jwks).toBe(2);
    expect(issuer.fetches.discovery).toBe(0);
  });

  it('answers random kids inside the refresh interval with 503 and no fetch at all', async () => {
    const { issuer, store, policy, clock } = await setup();
    clock.ms = T + 1000;
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) =>
        store.resolve({
          issuer: policy.issuer,
          kid: `random-${i}`,
          issuedAt: clock.ms / 1000,
          receivedAtMs: clock.ms,
          skewMs: SKEW_MS,
        }),
      ),
    );
    for (const result of results)
      expect(result).toMatchObject({ kind: 'unavailable', retryAfterSeconds: 29 });
    expect(issuer.fetches.jwks).toBe(1);
  });

  it('accepts a rotated-in key after one refetch, without a restart', async () => {
    const { issuer, clock, deps } = await setup();
    const rotated = await issuer.rotate('ES256');
    clock.ms = T + 31_000;
    const token = await issuer.sign({ key: rotated, claims: claimsAt(clock.ms) });
    expect(await authorize(request(token, clock.ms), deps)).toMatchObject({ allowed: true });
    expect(issuer.fetches.jwks).toBe(2);
    expect(await authorize(request(token, clock.ms + 1), deps)).toMatchObject({ allowed: true });
    expect(issuer.fetches.jwks).toBe(2);
  });

  it('answers an unknown kid with 403 only when the set provably postdates the token or request', async () => {
    const { store, policy, clock } = await setup();
    clock.ms = T + 5000; // inside the refresh interval: no refetch can settle the question
    const resolve = (issuedAt: number | undefined, receivedAtMs: number) =>
      store.resolve({
        issuer: policy.issuer,
        kid: 'unknown',
        issuedAt,
        receivedAtMs,
        skewMs: SKEW_MS,
      });
    // The set was fetched at T, once the request had arrived: the kid is not published.
    expect(resolve(T / 1000, T)).toMatchObject({ kind: 'absent', kid: 'unknown' });
    expect(resolve(T / 1000 - 1, T - 1000)).toMatchObject({ kind: 'absent' });
    // Fetched more than iat + 1 s + skew after the token was issued.
    expect(resolve(T / 1000 - 62, T + 5000)).toMatchObject({ kind: 'absent' });
    // Exactly iat + 1 s + skew: the key could have been published in between.
    expect(resolve(T / 1000 - 61, T + 5000)).toMatchObject({ kind: 'unavailable' });
    // A fresh token arriving after the fetch: its key may be newer than the cached set.
    expect(resolve(T / 1000 + 4, T + 5000)).toMatchObject({ kind: 'unavailable' });
    const noIat = resolve(undefined, T + 5000);
    expect(noIat).toMatchObject({ kind: 'unavailable' });
    expect((noIat as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('refreshes in the background after the TTL while the old keys keep serving', async () => {
    const { issuer, store, policy, clock, fetches, nextFetch } = await setup({
      cacheTtlSeconds: 60,
    });
    const oldKid = issuer.publishedKids[0]!;
    const rotated = await issuer.rotate('EdDSA');
    issuer.mode = 'slow';
    issuer.slowMs = 300;
    clock.ms = T + 61_000;
    const refreshed = nextFetch();
    const hit = store.resolve({
      issuer: policy.issuer,
      kid: oldKid,
      issuedAt: T / 1000,
      receivedAtMs: clock.ms,
      skewMs: SKEW_MS,
    });
    expect(hit instanceof Promise).toBe(false);
    expect(hit).toMatchObject({ kind: 'key', key: { kid: oldKid } });
    expect(store.describe()[0]).toMatchObject({ stale: true, usable: true });
    expect(fetches).toEqual(['success']); // only the prefetch has finished: the refresh is in flight
    expect(await refreshed).toBe('success');
    expect(issuer.fetches.jwks).toBe(2);
    expect(store.describe()[0]!.keys.map((k) => k.kid)).toContain(rotated.kid);
    expect(
      store.resolve({
        issuer: policy.issuer,
        kid: rotated.kid,
        issuedAt: clock.ms / 1000,
        receivedAtMs: clock.ms,
        skewMs: SKEW_MS,
      }) instanceof Promise,
    ).toBe(false);
  });
});
