// The per-issuer key cache when the issuer fails: cooldown with backoff, stale-if-error up to
// the maximum staleness, 503 before any keys, and each refused response. The clock is injected.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSnapshot } from '../config/config-snapshot.js';
import { parseConfig } from '../config/parse-config.js';
import { startLocalIssuer, type IssuerMode } from '../dev/local-issuer.js';
import { authorize, type AuthorizeDeps } from '../pipeline/authorize.js';
import type { Decision } from '../pipeline/decision.js';
import { KeyStore } from './key-store.js';

const T = Math.floor(Date.now() / 1000) * 1000;
const HOOK = {
  'x-pps-topic': 'orders/placed',
  'x-pps-tenant-id': 'OU1243',
  'x-pps-webhook-id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
  'x-pps-triggered-at': '2024-01-01T10:00:00Z',
};

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

async function setup(
  options: { jwks?: Record<string, number>; mode?: IssuerMode; slowMs?: number } = {},
) {
  const issuer = await startLocalIssuer({ project: 'pps-outage' });
  issuer.mode = options.mode ?? 'up';
  issuer.slowMs = options.slowMs ?? 0;
  const clock = { ms: T };
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino(
    { level: 'debug', formatters: { level: (label) => ({ level: label }) } },
    sink,
  );
  let waiters: ((result: string) => void)[] = [];
  const events = {
    onFetch: (_i: string, result: string) => void waiters.splice(0).forEach((wake) => wake(result)),
    onKeysChanged: () => undefined,
  };
  const config = parseConfig(
    JSON.stringify({
      allowInsecureHttp: true,
      // Loopback fetches on a loaded CI box can take longer than the 150 ms default wait budget;
      // these tests are about the cache, the budget has its own (issuer-keys-answers.test.ts).
      jwks: { requestWaitMs: 10_000, ...options.jwks },
      issuers: [
        {
          issuer: issuer.issuer,
          audiences: [issuer.audience],
          jwksUri: issuer.jwksUri,
          // The token below lives ten days of injected time, so only the keys decide.
          maxTokenLifetimeSeconds: 11 * 86_400,
        },
      ],
    }),
    'outage-test.json',
  );
  const store = new KeyStore({ logger, now: () => clock.ms, events });
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
  const policy = config.issuers.get(issuer.issuer)!;
  const nextFetch = (): Promise<string> =>
    new Promise((resolve) => (waiters = [...waiters, resolve]));
  // A token valid for days of injected time, so only the keys decide.
  const goodToken = await issuer.sign({ claims: { iat: T / 1000, exp: T / 1000 + 10 * 86_400 } });
  const check = (token = goodToken): Promise<Decision> | Decision =>
    authorize(
      {
        id: undefined,
        method: 'POST',
        path: '/',
        headers: { ...HOOK, authorization: `Bearer ${token}` },
        receivedAtMs: clock.ms,
      },
      deps,
    );
  return { issuer, store, policy, clock, logs, nextFetch, check, goodToken };
}

describe('IssuerKeys when the issuer fails', () => {
  it('counts failed fetches and backs off, doubling the wait, until the issuer recovers', async () => {
    const { issuer, store, policy, clock } = await setup(); // minRefreshIntervalSeconds: 30
    issuer.mode = 'down';
    const probe = async () =>
      store.resolve({
        issuer: policy.issuer,
        kid: 'rotated-in',
        issuedAt: undefined,
        receivedAtMs: clock.ms,
        skewMs: 60_000,
      });
    const steps: [number, number, number][] = [
      // [seconds after T, JWKS requests so far, retry-after]
      [30, 2, 30], // refetch allowed, fails: wait 30 s
      [59, 2, 1], // inside the wait: no request
      [60, 3, 60], // fails again: wait 60 s
      [119, 3, 1],
      [120, 4, 120], // and 120 s
      [239, 4, 1],
      [240, 5, 240],
    ];
    for (const [seconds, requests, retryAfter] of steps) {
      clock.ms = T + seconds * 1000;
      expect(await probe(), `t+${seconds}s`).toMatchObject({
        kind: 'unavailable',
        retryAfterSeconds: retryAfter,
      });
      expect(issuer.fetches.jwks, `t+${seconds}s`).toBe(requests);
    }
    // What the status page shows: the failed fetch and when the backed-off retry is due.
    expect(store.describe()[0]).toMatchObject({
      consecutiveFailures: 4,
      usable: true,
      lastFetch: { result: 'failure', atMs: T + 240_000 },
      nextRefreshAtMs: T + 480_000,
    });
    issuer.mode = 'up';
    clock.ms = T + 479_000;
    await probe();
    expect(issuer.fetches.jwks).toBe(5);
    clock.ms = T + 480_000;
    expect(await probe()).toMatchObject({ kind: 'absent', kid: 'rotated-in' });
    expect(issuer.fetches.jwks).toBe(6);
    expect(store.describe()[0]).toMatchObject({
      consecutiveFailures: 0,
      lastFetch: { result: 'success', atMs: T + 480_000 },
    });
  });

  it('answers keys_unavailable (503) when the issuer is down before any keys were fetched', async () => {
    const { store, check, logs } = await setup({ mode: 'down' });
    const decision = await check();
    expect(decision).toMatchObject({ allowed: false, reason: 'keys_unavailable' });
    expect((decision as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(store.describe()[0]).toMatchObject({ usable: false, keys: [] });
    expect(logs.some((l) => l.msg === 'key set fetch failed' && l.servingLastGood === false)).toBe(
      true,
    );
  });

  it('keeps verifying cached kids through an outage past the TTL, and logs a warning', async () => {
    const { issuer, clock, check, logs, nextFetch, goodToken } = await setup();
    issuer.mode = 'down';
    clock.ms = T + 3_601_000; // past cacheTtlSeconds 3600
    const failed = nextFetch();
    expect(await check()).toMatchObject({ allowed: true });
    expect(await failed).toBe('failure');
    const warning = logs.find((l) => l.msg === 'key set fetch failed');
    expect(warning).toMatchObject({
      level: 'warn',
      issuer: issuer.issuer,
      servingLastGood: true,
      consecutiveFailures: 1,
    });
    expect(String(warning?.error)).toContain('HTTP 503');
    expect(JSON.stringify(logs)).not.toContain(goodToken.split('.')[2]);
    expect(await check()).toMatchObject({ allowed: true });
  });

  it('answers 503 once the last good keys are older than the maximum staleness', async () => {
    const { issuer, clock, check } = await setup({
      jwks: { cacheTtlSeconds: 60, maxStalenessSeconds: 120 },
    });
    issuer.mode = 'down';
    clock.ms = T + 119_000;
    expect(await check()).toMatchObject({ allowed: true });
    clock.ms = T + 121_000;
    const decision = await check();
    expect(decision).toMatchObject({ allowed: false, reason: 'keys_unavailable' });
    expect((decision as { detail: string }).detail).toContain('beyond the maximum staleness');
  });

  it.each([
    ['redirect', 'redirects are refused'],
    ['huge', 'exceeds'],
    ['garbage', 'not JSON'],
    ['slow', 'timed out after 100 ms'],
  ] as const)('refuses a %s response as a failed fetch', async (mode, message) => {
    const { store, check, logs } = await setup({
      mode,
      slowMs: 1000,
      // Only the slow case needs the short timeout; a loaded CI box can take longer than 100 ms
      // to deliver the others' answers.
      jwks: { fetchTimeoutMs: mode === 'slow' ? 100 : 5000 },
    });
    expect(store.describe()[0]).toMatchObject({ usable: false, consecutiveFailures: 1 });
    expect(String(logs.find((l) => l.msg === 'key set fetch failed')?.error)).toContain(message);
    expect(await check()).toMatchObject({ reason: 'keys_unavailable' });
  });
});
