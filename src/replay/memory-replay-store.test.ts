import { describe, expect, it } from 'vitest';
import { MemoryReplayStore } from './memory-replay-store.js';
import { replayTokenKey } from './replay-store.js';

function storeAt(start: number, maxEntries = 100) {
  const clock = { now: start };
  const store = new MemoryReplayStore({ maxEntries, now: () => clock.now });
  return { store, clock };
}

const ID_A = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const ID_B = '16fd2706-8baf-433b-82eb-8c7fada847da';

describe('MemoryReplayStore', () => {
  it('answers first, then redelivery for the same webhook id, then replayed for another', () => {
    const { store } = storeAt(1000);
    const key = replayTokenKey('https://issuer', 'jti-1');
    expect(store.check(key, ID_A, 10_000)).toBe('first');
    expect(store.check(key, ID_A, 10_000)).toBe('redelivery');
    expect(store.check(key, ID_B, 10_000)).toBe('replayed');
  });

  it('keeps the same jti of two issuers apart', () => {
    const { store } = storeAt(1000);
    expect(store.check(replayTokenKey('https://a', 'j'), ID_A, 10_000)).toBe('first');
    expect(store.check(replayTokenKey('https://b', 'j'), ID_B, 10_000)).toBe('first');
  });

  it('forgets a token once it expires, and not a millisecond before', () => {
    const { store, clock } = storeAt(1000);
    expect(store.check('k', ID_A, 5000)).toBe('first');
    clock.now = 4999;
    expect(store.check('k', ID_B, 5000)).toBe('replayed');
    clock.now = 5000;
    expect(store.check('k', ID_B, 9000)).toBe('first');
    expect(store.size).toBe(1);
  });

  it('stays within maxEntries by dropping the entry closest to expiry, and counts it', () => {
    const { store } = storeAt(0, 3);
    store.check('late', ID_A, 9000);
    store.check('soon', ID_A, 2000);
    store.check('mid', ID_A, 5000);
    expect(store.check('new', ID_A, 7000)).toBe('first');
    expect(store.size).toBe(3);
    expect(store.evictions).toBe(1);
    expect(store.check('soon', ID_B, 2000)).toBe('first');
    expect(store.check('late', ID_B, 9000)).toBe('replayed');
    expect(store.check('new', ID_B, 7000)).toBe('replayed');
  });

  it('holds a bounded number of entries under a stream of distinct tokens', () => {
    const { store, clock } = storeAt(0, 1000);
    let largest = 0;
    for (let i = 0; i < 20_000; i++) {
      clock.now = i;
      store.check(`t${i}`, ID_A, i + 5000 + ((i * 7919) % 3000));
      largest = Math.max(largest, store.size);
    }
    expect(largest).toBe(1000);
    // Entries expire in order; the most recent ones are still remembered.
    expect(store.check('t19999', ID_B, 30_000)).toBe('replayed');
  });

  it('refuses a maxEntries below 1', () => {
    expect(() => new MemoryReplayStore({ maxEntries: 0, now: () => 0 })).toThrow(RangeError);
  });
});
