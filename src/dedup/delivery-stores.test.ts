// The same state-machine contract for both stores: the memory store directly, the Redis store
// against a real redis-server on a loopback port. The clock is the `nowMs` each call passes.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../test/support/redis-server.js';
import type { DeliveryStore, DeliveryTimes } from './delivery-store.js';
import { MemoryDeliveryStore } from './memory-delivery-store.js';
import { createRedisClient } from './redis-connection.js';
import { RedisDeliveryStore } from './redis-delivery-store.js';

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);
const LEASE_MS = 30_000;
const WINDOW_MS = 7 * 86_400_000;
const at = (offsetMs: number): DeliveryTimes => ({
  nowMs: T0 + offsetMs,
  leaseMs: LEASE_MS,
  windowMs: WINDOW_MS,
});

let redisServer: RedisServer;
const stores: DeliveryStore[] = [];
let keySeq = 0;
const ignore = (): void => undefined;
const freshKey = (): string => `${process.pid}-${Date.now()}-${keySeq++}`.padEnd(64, '0');

function redisSettings(prefix: string) {
  return {
    url: redisServer.url,
    keyPrefix: prefix,
    tls: undefined,
    connectTimeoutMs: 500,
    commandTimeoutMs: 400,
  };
}

async function redisStore(prefix = 'test:delivery:'): Promise<RedisDeliveryStore> {
  const client = createRedisClient(redisSettings(prefix), ignore, {});
  await client.connect();
  const store = new RedisDeliveryStore(client, prefix);
  stores.push(store);
  return store;
}

beforeAll(async () => {
  redisServer = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await redisServer?.stop();
});

const makers: [string, () => Promise<DeliveryStore>][] = [
  ['memory', () => Promise.resolve(new MemoryDeliveryStore({ maxEntries: 1000 }))],
  ['redis', () => redisStore()],
];

describe.each(makers)('%s delivery store', (_name, makeStore) => {
  it('leases a first delivery and answers a repeat in flight with in_progress until the lease ends', async () => {
    const store = await makeStore();
    const key = freshKey();
    expect(await store.claim(key, at(0))).toEqual({
      outcome: 'first',
      count: 1,
      firstSeenAtMs: T0,
    });
    expect(await store.claim(key, at(1000))).toEqual({
      outcome: 'in_progress',
      count: 2,
      firstSeenAtMs: T0,
      leaseEndsAtMs: T0 + LEASE_MS,
    });
  });

  it('answers every repeat after a 2xx confirmation as a duplicate, counting them', async () => {
    const store = await makeStore();
    const key = freshKey();
    await store.claim(key, at(0));
    expect(await store.confirm(key, 204, T0 + 500)).toBe('delivered');
    expect(await store.claim(key, at(1000))).toMatchObject({ outcome: 'duplicate', count: 2 });
    expect(await store.claim(key, at(2000))).toMatchObject({ outcome: 'duplicate', count: 3 });
    // A late failure report for a delivered event changes nothing: it is never forwarded again.
    expect(await store.confirm(key, 503, T0 + 3000)).toBe('ignored');
    expect(await store.claim(key, at(4000))).toMatchObject({ outcome: 'duplicate', count: 4 });
  });

  it('lets the next delivery through after a non-2xx answer, and holds it as in flight again', async () => {
    const store = await makeStore();
    const key = freshKey();
    await store.claim(key, at(0));
    expect(await store.confirm(key, 502, T0 + 100)).toBe('failed');
    expect(await store.claim(key, at(5000))).toEqual({
      outcome: 'redelivered_after_failure',
      count: 2,
      firstSeenAtMs: T0,
    });
    expect(await store.claim(key, at(6000))).toMatchObject({
      outcome: 'in_progress',
      leaseEndsAtMs: T0 + 5000 + LEASE_MS,
    });
    expect(await store.confirm(key, 200, T0 + 7000)).toBe('delivered');
    expect(await store.claim(key, at(8000))).toMatchObject({ outcome: 'duplicate', count: 4 });
  });

  it('lets a delivery through again once the lease has expired without an answer', async () => {
    const store = await makeStore();
    const key = freshKey();
    await store.claim(key, at(0));
    expect(await store.claim(key, at(LEASE_MS - 1))).toMatchObject({ outcome: 'in_progress' });
    expect(await store.claim(key, at(LEASE_MS))).toMatchObject({
      outcome: 'redelivered_after_failure',
      count: 3,
    });
  });

  it('forgets a delivery once its window has passed', async () => {
    const store = await makeStore();
    const key = freshKey();
    await store.claim(key, at(0));
    await store.confirm(key, 200, T0 + 10);
    expect(await store.claim(key, at(WINDOW_MS - 1))).toMatchObject({ outcome: 'duplicate' });
    expect(await store.claim(key, at(WINDOW_MS))).toEqual({
      outcome: 'first',
      count: 1,
      firstSeenAtMs: T0 + WINDOW_MS,
    });
    expect(await store.confirm(key, 200, T0 + 2 * WINDOW_MS + LEASE_MS)).toBe('ignored');
  });

  it('counts deliveries in annotate mode without ever leasing', async () => {
    const store = await makeStore();
    const key = freshKey();
    expect(await store.record(key, at(0))).toEqual({
      outcome: 'first',
      count: 1,
      firstSeenAtMs: T0,
    });
    expect(await store.record(key, at(10))).toEqual({
      outcome: 'duplicate',
      count: 2,
      firstSeenAtMs: T0,
    });
    expect(await store.record(key, at(WINDOW_MS))).toMatchObject({ outcome: 'first', count: 1 });
  });

  it('ignores a confirmation for a key it has never seen', async () => {
    const store = await makeStore();
    expect(await store.confirm(freshKey(), 200, T0)).toBe('ignored');
    expect(await store.confirm(freshKey(), 500, T0)).toBe('ignored');
  });

  it('leases a delivery to exactly one of 200 concurrent claims', async () => {
    const store = await makeStore();
    const key = freshKey();
    const outcomes = await Promise.all(
      // Each claim starts at once (the memory store answers synchronously, Redis by promise).
      Array.from({ length: 200 }, (_, i) => Promise.resolve(store.claim(key, at(i % 3)))),
    );
    const counts = outcomes.map((o) => o.count).sort((a, b) => a - b);
    expect(outcomes.filter((o) => o.outcome === 'first')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'in_progress')).toHaveLength(199);
    expect(counts).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });
});

describe('memory delivery store', () => {
  it('evicts the oldest live record when full and reports it', () => {
    const evictions: number[] = [];
    const store = new MemoryDeliveryStore({ maxEntries: 2, onEvict: (n) => evictions.push(n) });
    store.claim('a', at(0));
    store.claim('b', at(1));
    store.claim('c', at(2));
    expect(evictions).toEqual([1]);
    expect(store.size).toBe(2);
    expect(store.claim('a', at(3))).toMatchObject({ outcome: 'first' });
  });

  it('drops expired records to make room without reporting an eviction', () => {
    const evictions: number[] = [];
    const store = new MemoryDeliveryStore({ maxEntries: 2, onEvict: (n) => evictions.push(n) });
    store.record('a', at(0));
    store.record('b', at(1));
    store.record('c', at(WINDOW_MS + 5));
    expect(evictions).toEqual([]);
    expect(store.size).toBe(1);
  });

  it('rejects a bound that is not a positive integer', () => {
    expect(() => new MemoryDeliveryStore({ maxEntries: 0 })).toThrow(/maxEntries/);
  });
});

describe('redis delivery store', () => {
  it('shares records between two clients (two replicas) under its key prefix, storing only the hash', async () => {
    const a = await redisStore('pps:shared:');
    const b = await redisStore('pps:shared:');
    const key = freshKey();
    await a.claim(key, at(0));
    expect(await b.claim(key, at(1))).toMatchObject({ outcome: 'in_progress' });
    expect(await b.confirm(key, 200, T0 + 2)).toBe('delivered');
    expect(await a.claim(key, at(3))).toMatchObject({ outcome: 'duplicate', count: 3 });
    const raw = new Redis(redisServer.url);
    try {
      expect(await raw.get(`pps:shared:${key}`)).toMatch(/^d,3,\d+,\d+,\d+$/);
      const ttlMs = await raw.pttl(`pps:shared:${key}`);
      expect(ttlMs).toBeGreaterThan(WINDOW_MS - 60_000);
      expect(ttlMs).toBeLessThanOrEqual(WINDOW_MS);
    } finally {
      raw.disconnect();
    }
  });

  it('fails a claim within a second while Redis is down, and works again once it is back, on the same client', async () => {
    const server = await startRedisServer();
    const client = createRedisClient({ ...redisSettings('outage:'), url: server.url }, ignore, {});
    await client.connect();
    const store = new RedisDeliveryStore(client, 'outage:');
    try {
      const key = freshKey();
      await store.claim(key, at(0));
      await server.stop();
      const started = performance.now();
      await expect(store.claim(key, at(1))).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(1000);
      await server.start();
      await expect
        .poll(
          () =>
            store.claim(freshKey(), at(2)).then(
              (r) => r.outcome,
              () => 'error',
            ),
          {
            timeout: 5000,
            interval: 50,
          },
        )
        .toBe('first');
    } finally {
      await store.close();
      await server.stop();
    }
  });

  it('authenticates with the password from PPS_GATE_REDIS_PASSWORD', async () => {
    const server = await startRedisServer(['--requirepass', 'pps-test-secret']);
    const settings = { ...redisSettings('auth:'), url: server.url };
    const withPassword = createRedisClient(settings, ignore, {
      PPS_GATE_REDIS_PASSWORD: 'pps-test-secret',
    });
    const without = createRedisClient(settings, ignore, {});
    try {
      await withPassword.connect();
      const store = new RedisDeliveryStore(withPassword, 'auth:');
      expect(await store.claim(freshKey(), at(0))).toMatchObject({ outcome: 'first' });
      await expect(without.connect().then(() => without.set('k', 'v'))).rejects.toThrow(
        /NOAUTH|AUTH|writeable|Connection/i,
      );
    } finally {
      withPassword.disconnect();
      without.disconnect();
      await server.stop();
    }
  });
});
