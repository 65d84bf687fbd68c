// What the key cache answers when the issuer's answer is hostile or revoking, how long a request
// waits on a fetch, and the on-demand refresh: an empty well-formed set revokes (loudly), a kid
// published twice verifies nothing, a request waits at most jwks.requestWaitMs, and refreshNow
// bypasses the cooldown. The clock for cache ages is injected; waits are real (short) timers.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/parse-config.js';
import { startLocalIssuer, type LocalIssuer } from '../dev/local-issuer.js';
import type { KeyAnswer, KeyQuery } from './key-lookup.js';
import { KeyStore } from './key-store.js';

const T = Math.floor(Date.now() / 1000) * 1000;

interface Setup {
  issuer: LocalIssuer;
  store: KeyStore;
  clock: { ms: number };
  emptySets: string[];
  fetches: () => number;
  logs: () => { level: number; msg: string }[];
  query: (kid: string, extra?: Partial<KeyQuery>) => KeyQuery;
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

async function setup(jwks: Record<string, number> = {}): Promise<Setup> {
  const issuer = await startLocalIssuer({ project: 'pps-answers' });
  const clock = { ms: T };
  const emptySets: string[] = [];
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const config = parseConfig(
    JSON.stringify({
      allowInsecureHttp: true,
      jwks,
      issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience], jwksUri: issuer.jwksUri }],
    }),
    'issuer-keys-answers-test.json',
  );
  const store = new KeyStore({
    logger,
    now: () => clock.ms,
    events: {
      onFetch: () => undefined,
      onKeysChanged: () => undefined,
      onEmptySet: (name) => emptySets.push(name),
    },
  });
  cleanup.push(async () => {
    store.close();
    await issuer.close();
  });
  await Promise.all(store.applyConfig(config));
  return {
    issuer,
    store,
    clock,
    emptySets,
    fetches: () => issuer.fetches.jwks,
    logs: () => lines,
    query: (kid, extra = {}) => ({
      issuer: issuer.issuer,
      kid,
      issuedAt: clock.ms / 1000,
      receivedAtMs: clock.ms,
      skewMs: 60_000,
      ...extra,
    }),
  };
}

const kindOf = async (answer: KeyAnswer | Promise<KeyAnswer>): Promise<string> => {
  const settled = await answer;
  return settled.kind === 'unavailable' ? `unavailable: ${settled.why}` : settled.kind;
};

describe('IssuerKeys answers', () => {
  it('takes a well-formed empty key set as authoritative: cached keys stop verifying, logged and counted', async () => {
    const s = await setup({ minRefreshIntervalSeconds: 1 });
    const kid = s.issuer.publishedKids[0]!;
    expect(await kindOf(s.store.resolve(s.query(kid)))).toBe('key');
    s.issuer.mode = 'empty-set';
    s.clock.ms += 2000;
    expect(await s.store.refreshNow()).toEqual([
      { issuer: s.issuer.issuer, error: undefined, kids: [] },
    ]);
    // A request that arrived after the fetch began: the set proves the kid absent (403).
    expect(await kindOf(s.store.resolve(s.query(kid, { receivedAtMs: s.clock.ms - 1000 })))).toBe(
      'absent',
    );
    expect(await kindOf(s.store.resolve(s.query(kid, { issuedAt: (T - 120_000) / 1000 })))).toBe(
      'absent',
    );
    expect(s.emptySets).toEqual([s.issuer.issuer]);
    expect(s.logs()).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: 'issuer published no usable signing keys: every token of this issuer is refused',
      }),
    );
    expect(s.store.describe()[0]).toMatchObject({ usable: true, keys: [] });
  });

  it('verifies nothing with a kid the set publishes twice, and keeps the other keys', async () => {
    const s = await setup({ minRefreshIntervalSeconds: 1 });
    const original = s.issuer.publishedKids[0]!;
    const second = await s.issuer.rotate();
    s.issuer.mode = 'duplicate-kids'; // the current key (second) is published twice
    s.clock.ms += 2000;
    await s.store.refreshNow();
    expect(await kindOf(s.store.resolve(s.query(second.kid)))).toMatch(
      /^unavailable: kid ".*" is published more than once \(ambiguous\)$/,
    );
    expect(await kindOf(s.store.resolve(s.query(original)))).toBe('key');
    expect(s.logs().map((l) => l.msg)).toContain(
      'issuer publishes a kid more than once: tokens with it are refused until it is fixed',
    );
  });

  it('answers 503 at the wait budget while a slow fetch carries on, then the key once it lands', async () => {
    const s = await setup({ minRefreshIntervalSeconds: 1, requestWaitMs: 100 });
    const rotated = await s.issuer.rotate();
    s.issuer.mode = 'slow';
    s.issuer.slowMs = 600;
    s.clock.ms += 2000;
    const startedAt = performance.now();
    const answer = await s.store.resolve(s.query(rotated.kid));
    const waitedMs = performance.now() - startedAt;
    expect(answer).toMatchObject({ kind: 'unavailable', why: 'still fetching after 100 ms' });
    expect(answer.kind === 'unavailable' && answer.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(waitedMs).toBeGreaterThanOrEqual(95);
    expect(waitedMs).toBeLessThan(500);
    // A second request joins the same fetch (no new one) and waits its own budget.
    expect(await kindOf(s.store.resolve(s.query(rotated.kid)))).toMatch(/^unavailable/);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(s.fetches()).toBe(2);
    expect(await kindOf(s.store.resolve(s.query(rotated.kid)))).toBe('key');
  });

  it('lets a request that arrived late use only what is left of its budget', async () => {
    const s = await setup({ minRefreshIntervalSeconds: 1, requestWaitMs: 100 });
    s.issuer.mode = 'blackhole';
    s.clock.ms += 2000;
    const startedAt = performance.now();
    const answer = await s.store.resolve(s.query('new-kid', { receivedAtMs: s.clock.ms - 100 }));
    expect(answer.kind).toBe('unavailable');
    expect(performance.now() - startedAt).toBeLessThan(50);
  });

  it('joins a fetch already in flight for a rotated-in kid and allows on its result', async () => {
    const s = await setup({ minRefreshIntervalSeconds: 1, requestWaitMs: 10_000 });
    const rotated = await s.issuer.rotate();
    s.clock.ms += 2000;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => kindOf(s.store.resolve(s.query(rotated.kid)))),
    );
    expect(answers).toEqual(['key', 'key', 'key', 'key', 'key']);
    expect(s.fetches()).toBe(2);
  });
});

describe('IssuerKeys.refreshNow (POST /keys/refresh)', () => {
  it('refetches inside the cooldown, and a key gone from the answer stops verifying at once', async () => {
    const s = await setup({ minRefreshIntervalSeconds: 3600 });
    const compromised = s.issuer.publishedKids[0]!;
    const replacement = await s.issuer.rotate();
    s.issuer.unpublish(compromised);
    // The first call fetches; the two arriving while it runs cannot trust a fetch that began
    // before them, so they share one more (never one each).
    const outcomes = await Promise.all([
      s.store.refreshNow(),
      s.store.refreshNow(),
      s.store.refreshNow(),
    ]);
    expect(s.fetches()).toBe(3);
    expect(outcomes[0]).toEqual([
      { issuer: s.issuer.issuer, error: undefined, kids: [replacement.kid] },
    ]);
    expect(
      await kindOf(s.store.resolve(s.query(compromised, { receivedAtMs: s.clock.ms - 1 }))),
    ).toBe('absent');
    expect(await kindOf(s.store.resolve(s.query(replacement.kid)))).toBe('key');
  });

  it('reports a failed refetch and keeps serving the last good keys', async () => {
    const s = await setup({ minRefreshIntervalSeconds: 3600 });
    const kid = s.issuer.publishedKids[0]!;
    s.issuer.mode = 'down';
    const outcome = (await s.store.refreshNow())?.[0];
    expect(outcome?.error).toContain('HTTP 503');
    expect(outcome?.kids).toEqual([kid]);
    expect(await kindOf(s.store.resolve(s.query(kid)))).toBe('key');
  });

  it('refreshes one issuer by name, and says so when the issuer is not configured', async () => {
    const s = await setup({ minRefreshIntervalSeconds: 3600 });
    expect(await s.store.refreshNow(s.issuer.issuer)).toHaveLength(1);
    expect(await s.store.refreshNow('https://not-configured.example')).toBeUndefined();
    expect(s.fetches()).toBe(2);
  });
});
