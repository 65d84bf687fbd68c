import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache, type CachedToken } from './verified-token-cache.js';

const always = (): boolean => true;

function entry(value: string, over: Partial<CachedToken<string>> = {}): CachedToken<string> {
  return { issuer: 'https://a', kid: 'k1', deadAtMs: 10_000, bytes: 100, value, ...over };
}

describe('VerifiedTokenCache', () => {
  it('answers a stored token until its deadline and misses from the deadline on', () => {
    const cache = new VerifiedTokenCache<string>({ maxEntries: 10, maxBytes: 10_000 });
    cache.set('t1', entry('v1', { deadAtMs: 5000 }));
    expect(cache.get('t1', 4999, undefined, always)?.value).toBe('v1');
    expect(cache.get('t1', 5000, undefined, always)).toBeUndefined();
    // The dead entry is gone, not merely hidden.
    expect(cache.counts()).toMatchObject({ entries: 0, bytes: 0, hits: 1, misses: 1 });
  });

  it('keys by the exact token string', () => {
    const cache = new VerifiedTokenCache<string>({ maxEntries: 10, maxBytes: 10_000 });
    cache.set('aaa.bbb.ccc', entry('v'));
    expect(cache.get('aaa.bbb.ccd', 0, undefined, always)).toBeUndefined();
    expect(cache.get('aaa.bbb.cc', 0, undefined, always)).toBeUndefined();
    expect(cache.get('aaa.bbb.ccc', 0, undefined, always)?.value).toBe('v');
  });

  it('hits only on the whole token, even when a long one shares the indexed tail with another', () => {
    const cache = new VerifiedTokenCache<string>({ maxEntries: 10, maxBytes: 10_000 });
    const tail = 'S'.repeat(40);
    const original = `h1.p1.${tail}`;
    const forged = `h1.p2.${tail}`;
    cache.set(original, entry('original'));
    expect(cache.get(forged, 0, undefined, always)).toBeUndefined();
    expect(cache.get(original, 0, undefined, always)?.value).toBe('original');
    // A second verified token with the same tail replaces the first instead of shadowing it.
    cache.set(forged, entry('second'));
    expect(cache.get(original, 0, undefined, always)).toBeUndefined();
    expect(cache.get(forged, 0, undefined, always)?.value).toBe('second');
    expect(cache.counts()).toMatchObject({ entries: 1, bytes: 100 });
  });

  it('drops an entry the validity check rejects and counts it as a miss', () => {
    const cache = new VerifiedTokenCache<string>({ maxEntries: 10, maxBytes: 10_000 });
    cache.set('t1', entry('v1', { kid: 'gone' }));
    const keyStillPublished = (e: CachedToken<string>, kids: Set<string>): boolean =>
      kids.has(e.kid);
    expect(cache.get('t1', 0, new Set(['k1']), keyStillPublished)).toBeUndefined();
    expect(cache.get('t1', 0, new Set(['gone']), keyStillPublished)).toBeUndefined();
    expect(cache.counts()).toMatchObject({ entries: 0, misses: 2, evictions: 1 });
  });

  it('evicts the least recently used entry when over maxEntries', () => {
    const cache = new VerifiedTokenCache<string>({ maxEntries: 2, maxBytes: 10_000 });
    cache.set('t1', entry('v1'));
    cache.set('t2', entry('v2'));
    cache.get('t1', 0, undefined, always); // t2 is now the least recently used
    cache.set('t3', entry('v3'));
    expect(cache.get('t2', 0, undefined, always)).toBeUndefined();
    expect(cache.get('t1', 0, undefined, always)?.value).toBe('v1');
    expect(cache.get('t3', 0, undefined, always)?.value).toBe('v3');
    expect(cache.counts()).toMatchObject({ entries: 2, evictions: 1 });
  });

  it('evicts oldest entries until the byte estimate fits maxBytes', () => {
    const cache = new VerifiedTokenCache<string>({ maxEntries: 100, maxBytes: 1000 });
    for (let i = 0; i < 5; i++) cache.set(`t${i}`, entry(`v${i}`, { bytes: 300 }));
    expect(cache.counts()).toMatchObject({ entries: 3, bytes: 900, evictions: 2 });
    expect(cache.get('t0', 0, undefined, always)).toBeUndefined();
    expect(cache.get('t4', 0, undefined, always)?.value).toBe('v4');
  });

  it('never stores an entry larger than maxBytes, and stores nothing when maxEntries is 0', () => {
    const small = new VerifiedTokenCache<string>({ maxEntries: 10, maxBytes: 100 });
    small.set('big', entry('v', { bytes: 101 }));
    expect(small.counts().entries).toBe(0);
    const off = new VerifiedTokenCache<string>({ maxEntries: 0, maxBytes: 10_000 });
    off.set('t', entry('v'));
    expect(off.get('t', 0, undefined, always)).toBeUndefined();
  });

  it('replaces an entry stored twice without double-counting its bytes', () => {
    const cache = new VerifiedTokenCache<string>({ maxEntries: 10, maxBytes: 10_000 });
    cache.set('t', entry('v1'));
    cache.set('t', entry('v2'));
    expect(cache.counts()).toMatchObject({ entries: 1, bytes: 100 });
    expect(cache.get('t', 0, undefined, always)?.value).toBe('v2');
  });

  it('sweeps the entries of one issuer or key and keeps the rest', () => {
    const cache = new VerifiedTokenCache<string>({ maxEntries: 10, maxBytes: 10_000 });
    cache.set('a1', entry('a1', { issuer: 'https://a', kid: 'k1' }));
    cache.set('a2', entry('a2', { issuer: 'https://a', kid: 'k2' }));
    cache.set('b1', entry('b1', { issuer: 'https://b', kid: 'k1' }));
    expect(cache.sweep((e) => e.issuer === 'https://a' && e.kid === 'k1')).toBe(1);
    expect(cache.sweep((e) => e.issuer === 'https://b')).toBe(1);
    expect(cache.get('a2', 0, undefined, always)?.value).toBe('a2');
    expect(cache.counts()).toMatchObject({ entries: 1, bytes: 100, evictions: 2 });
  });

  it('shrinks at once when resized below its contents', () => {
    const cache = new VerifiedTokenCache<string>({ maxEntries: 10, maxBytes: 10_000 });
    for (let i = 0; i < 6; i++) cache.set(`t${i}`, entry(`v${i}`));
    cache.resize({ maxEntries: 2, maxBytes: 10_000 });
    expect(cache.counts().entries).toBe(2);
    expect(cache.get('t5', 0, undefined, always)?.value).toBe('v5');
  });

  it('keeps LRU order right when the most recent entry is removed and re-added', () => {
    const cache = new VerifiedTokenCache<string>({ maxEntries: 2, maxBytes: 10_000 });
    cache.set('t1', entry('v1'));
    cache.set('t2', entry('v2'));
    cache.sweep((e) => e.value === 'v2');
    cache.set('t3', entry('v3'));
    cache.get('t1', 0, undefined, always); // t3 least recent now
    cache.set('t4', entry('v4'));
    expect(cache.get('t3', 0, undefined, always)).toBeUndefined();
    expect(cache.get('t1', 0, undefined, always)?.value).toBe('v1');
  });
});
