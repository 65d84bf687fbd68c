import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';

const base = { issuers: [{ issuer: 'https://issuer.test', audiences: ['aud'] }] };
const parse = (dedup: unknown) => parseConfig(JSON.stringify({ ...base, dedup }), 'dedup.yaml');

describe('the dedup config section', () => {
  it('defaults to annotate mode on the memory store with a 7-day window, even when absent', () => {
    expect(parseConfig(JSON.stringify(base), 'dedup.yaml').dedup).toEqual({
      mode: 'annotate',
      store: 'memory',
      windowMs: 7 * 86_400_000,
      leaseMs: 60_000,
      memoryMaxEntries: 100_000,
      redis: undefined,
    });
  });

  it('reads enforce mode on Redis with TLS from a rediss:// URL and the defaults filled in', () => {
    expect(
      parse({ mode: 'enforce', store: 'redis', redis: { url: 'rediss://redis.test:6380/1' } }),
    ).toMatchObject({
      dedup: {
        mode: 'enforce',
        store: 'redis',
        redis: {
          url: 'rediss://redis.test:6380/1',
          keyPrefix: 'pps-gate:delivery:',
          tls: {},
          connectTimeoutMs: 500,
          commandTimeoutMs: 400,
        },
      },
    });
    expect(
      parse({
        store: 'redis',
        redis: { url: 'redis://r:6379', tls: { caFile: '/ca.pem', serverName: 'r.internal' } },
      }).dedup.redis?.tls,
    ).toEqual({ caFile: '/ca.pem', serverName: 'r.internal' });
    expect(parse({ store: 'redis', redis: { url: 'redis://r:6379' } }).dedup.redis?.tls).toBe(
      undefined,
    );
  });

  it.each([
    [{ mode: 'block' }, /dedup\.mode/],
    [{ store: 'redis' }, /dedup\.redis: store "redis" needs a redis section with a url/],
    [{ store: 'redis', redis: { url: 'redis://:s3cret@r:6379' } }, /PPS_GATE_REDIS_PASSWORD/],
    [
      { store: 'redis', redis: { url: 'http://r:6379' } },
      /dedup\.redis\.url: must start with redis:\/\//,
    ],
    [
      { store: 'redis', redis: { url: 'redis://r:6379', commandTimeoutMs: 5000 } },
      /commandTimeoutMs/,
    ],
    [
      { leaseSeconds: 120, windowSeconds: 60 },
      /dedup\.windowSeconds: must be longer than leaseSeconds/,
    ],
    [{ leaseSeconds: 1 }, /dedup\.leaseSeconds/],
    [{ memory: { maxEntries: 0 } }, /dedup\.memory\.maxEntries/],
    [{ windowsSeconds: 60 }, /unknown key "windowsSeconds" in dedup/],
  ])('rejects %j, naming the field and the file', (dedup, message) => {
    expect(() => parse(dedup)).toThrow(message);
    expect(() => parse(dedup)).toThrow(/dedup\.yaml/);
  });
});
