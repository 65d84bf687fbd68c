// All issuers' caches kept in step with the config, and the guards that apply to every fetch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/parse-config.js';
import { startLocalIssuer, type LocalIssuer } from '../dev/local-issuer.js';
import { silentLogger } from '../telemetry/logger.js';
import { IssuerKeys } from './issuer-keys.js';
import { noKeyStoreEvents } from './key-store-events.js';
import { KeyStore } from './key-store.js';

const T = Math.floor(Date.now() / 1000) * 1000;
let a: LocalIssuer;
let b: LocalIssuer;
let c: LocalIssuer;

beforeAll(async () => {
  [a, b, c] = await Promise.all([
    startLocalIssuer({ project: 'pps-a' }),
    startLocalIssuer({ project: 'pps-b' }),
    startLocalIssuer({ project: 'pps-c' }),
  ]);
});
afterAll(() => Promise.all([a, b, c].map((issuer) => issuer.close())));

const configOf = (issuers: LocalIssuer[], jwks: Record<string, number> = {}) =>
  parseConfig(
    JSON.stringify({
      allowInsecureHttp: true,
      jwks,
      issuers: issuers.map((i) => ({ issuer: i.issuer, audiences: '*' })),
    }),
    'store-test.json',
  );
const fetchesOf = (issuer: LocalIssuer) => issuer.fetches.discovery + issuer.fetches.jwks;

describe('KeyStore.applyConfig', () => {
  it('prefetches every issuer by discovery, then keeps stayers, drops removed and prefetches added', async () => {
    const clock = { ms: T };
    const store = new KeyStore({ logger: silentLogger, now: () => clock.ms });
    const [a0, b0, c0] = [a, b, c].map(fetchesOf);
    const first = store.applyConfig(configOf([a, b]));
    expect(first).toHaveLength(2);
    await Promise.all(first);
    expect([fetchesOf(a) - a0!, fetchesOf(b) - b0!]).toEqual([2, 2]); // discovery + JWKS each
    expect(store.describe().map((d) => d.issuer)).toEqual([a.issuer, b.issuer]);
    expect(store.describe().every((d) => d.usable && d.jwksUri !== undefined)).toBe(true);

    clock.ms = T + 10 * 60_000;
    const next = configOf([b, c], { cacheTtlSeconds: 7200 });
    const second = store.applyConfig(next);
    expect(second).toHaveLength(1);
    await Promise.all(second);
    expect(fetchesOf(b) - b0!).toBe(2); // kept, not refetched
    expect(fetchesOf(c) - c0!).toBe(2); // added, prefetched
    expect(store.describe().map((d) => d.issuer)).toEqual([b.issuer, c.issuer]);
    // The new TTL applies to the kept cache: 10 minutes old is not stale under either TTL,
    // but 70 minutes is stale only under the old one.
    clock.ms = T + 70 * 60_000;
    expect(store.describe()[0]).toMatchObject({ stale: false });

    const kid = b.publishedKids[0]!;
    expect(
      store.resolve({
        issuer: next.issuers.get(b.issuer)!.issuer,
        kid,
        issuedAt: T / 1000,
        receivedAtMs: clock.ms,
        skewMs: 60_000,
      }),
    ).toMatchObject({ kind: 'key', key: { kid } });
    const removed = configOf([a]).issuers.get(a.issuer)!;
    expect(
      store.resolve({
        issuer: removed.issuer,
        kid: a.publishedKids[0]!,
        issuedAt: T / 1000,
        receivedAtMs: clock.ms,
        skewMs: 60_000,
      }),
    ).toMatchObject({
      kind: 'unavailable',
      why: 'issuer was removed by a config reload',
      retryAfterSeconds: 1,
    });
    store.close();
    expect(store.describe()).toEqual([]);
  });
});

describe('IssuerKeys fetch guards', () => {
  const settings = parseConfig(
    '{"issuers":[{"issuer":"https://x.example/p","audiences":"*"}]}',
    'defaults',
  ).jwks;
  const make = (issuer: string, jwksUri: string | undefined, allowInsecureHttp: boolean) =>
    new IssuerKeys({
      issuer,
      jwksUri,
      settings,
      allowInsecureHttp,
      now: () => T,
      logger: silentLogger,
      events: noKeyStoreEvents,
    });

  it('refuses an http:// key source at fetch time when allowInsecureHttp is false', async () => {
    const before = fetchesOf(a);
    const keys = make(a.issuer, a.jwksUri, false);
    await keys.refresh();
    expect(keys.describe()).toMatchObject({ usable: false, consecutiveFailures: 1 });
    expect(fetchesOf(a)).toBe(before);
    expect(
      keys.resolve({
        issuer: a.issuer,
        kid: a.publishedKids[0]!,
        issuedAt: T / 1000,
        receivedAtMs: T,
        skewMs: 60_000,
      }),
    ).toMatchObject({
      kind: 'unavailable',
    });
    keys.dispose();
  });

  it('refuses keys when the discovery document names another issuer, never fetching its jwks_uri', async () => {
    const before = a.fetches.jwks;
    const keys = make(`${a.issuer}/`, undefined, true);
    await keys.refresh();
    expect(keys.describe()).toMatchObject({ usable: false, consecutiveFailures: 1 });
    expect(a.fetches.jwks).toBe(before);
    keys.dispose();
  });
});
