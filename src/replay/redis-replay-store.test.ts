// Against a real redis-server on a loopback port, started by the test.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../test/support/redis-server.js';
import { RedisReplayStore } from './redis-replay-store.js';
import { replayTokenKey } from './replay-store.js';

const ID_A = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const ID_B = '16fd2706-8baf-433b-82eb-8c7fada847da';

let redis: RedisServer;
let clients: Redis[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
  clients = [];
  await redis?.stop();
});

function client(): Redis {
  const c = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: false });
  clients.push(c);
  return c;
}

describe('RedisReplayStore on a real redis-server', () => {
  it('answers first, redelivery and replayed, across two stores sharing one Redis', async () => {
    const now = Date.now();
    const one = new RedisReplayStore({ client: client(), keyPrefix: 'test1:', now: () => now });
    const two = new RedisReplayStore({ client: client(), keyPrefix: 'test1:', now: () => now });
    const key = replayTokenKey('https://issuer', `jti-${now}`);
    expect(await one.check(key, ID_A, now + 60_000)).toBe('first');
    expect(await two.check(key, ID_A, now + 60_000)).toBe('redelivery');
    expect(await two.check(key, ID_B, now + 60_000)).toBe('replayed');
    expect(await one.check(key, ID_B, now + 60_000)).toBe('replayed');
  });

  it('lets exactly one of many concurrent first uses win', async () => {
    const now = Date.now();
    const stores = [client(), client(), client()].map(
      (c) => new RedisReplayStore({ client: c, keyPrefix: 'race:', now: () => now }),
    );
    const key = replayTokenKey('https://issuer', `race-${now}`);
    const ids = Array.from(
      { length: 30 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const verdicts = await Promise.all(
      ids.map((id, i) => stores[i % 3]!.check(key, id, now + 60_000)),
    );
    expect(verdicts.filter((v) => v === 'first')).toHaveLength(1);
    expect(verdicts.filter((v) => v === 'replayed')).toHaveLength(29);
  });

  it('stores a hashed key under the prefix, with a TTL that ends when the token does', async () => {
    const c = client();
    const now = Date.now();
    const store = new RedisReplayStore({ client: c, keyPrefix: 'pps-gate:', now: () => now });
    const key = replayTokenKey('https://issuer', `ttl-${now}`);
    await store.check(key, ID_A, now + 30_000);
    const redisKey = store.redisKey(key);
    expect(redisKey).toMatch(/^pps-gate:replay:[A-Za-z0-9_-]{43}$/);
    expect(await c.get(redisKey)).toBe(ID_A);
    const ttl = await c.pttl(redisKey);
    expect(ttl).toBeGreaterThan(29_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it('forgets a token when its record expires in Redis', async () => {
    const c = client();
    const clock = { now: Date.now() };
    const store = new RedisReplayStore({ client: c, keyPrefix: 'exp:', now: () => clock.now });
    const key = replayTokenKey('https://issuer', `exp-${clock.now}`);
    expect(await store.check(key, ID_A, clock.now + 60_000)).toBe('first');
    // Expire the record as Redis would at the token's exp, rather than sleeping on the clock.
    await c.pexpire(store.redisKey(key), 1);
    for (let i = 0; i < 100 && (await c.exists(store.redisKey(key))) === 1; i++)
      await new Promise((resolve) => setTimeout(resolve, 2));
    expect(await store.check(key, ID_B, clock.now + 60_000)).toBe('first');
  });

  it('reads again when the record expires between a lost SET and its GET', async () => {
    const calls: string[] = [];
    let stored: string | null = ID_A;
    const flaky = {
      set: (_k: string, v: string) => {
        calls.push('set');
        if (calls.length === 1) return Promise.resolve(null);
        stored = v;
        return Promise.resolve('OK' as const);
      },
      get: () => {
        calls.push('get');
        const value = stored;
        stored = null;
        return Promise.resolve(calls.length === 2 ? null : value);
      },
      quit: () => Promise.resolve('OK'),
    };
    const store = new RedisReplayStore({ client: flaky, keyPrefix: 'x:', now: () => 0 });
    expect(await store.check('k', ID_B, 60_000)).toBe('first');
    expect(calls).toEqual(['set', 'get', 'set']);
  });

  it('rejects when Redis is unreachable, so the pipeline can answer 503', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    dead.on('error', () => undefined);
    const store = new RedisReplayStore({ client: dead, keyPrefix: 'x:', now: () => Date.now() });
    await expect(store.check('k', ID_A, Date.now() + 60_000)).rejects.toThrow();
    dead.disconnect();
  });
});
