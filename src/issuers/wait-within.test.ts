// The request wait budget: a fetch that settles in time decides; one that does not gets the
// fallback at the budget, and its later result changes nothing for that request.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { waitWithin } from './wait-within.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('waitWithin', () => {
  it('answers with the fetch when it settles within the budget', async () => {
    const fetch = deferred<string>();
    const answer = waitWithin(fetch.promise, 150, () => 'too late');
    await vi.advanceTimersByTimeAsync(100);
    fetch.resolve('keys');
    await expect(answer).resolves.toBe('keys');
  });

  it('answers with the fallback at the budget while the fetch carries on', async () => {
    const fetch = deferred<string>();
    const answer = waitWithin(fetch.promise, 150, () => 'retry later');
    await vi.advanceTimersByTimeAsync(150);
    await expect(answer).resolves.toBe('retry later');
    fetch.resolve('keys');
    await expect(fetch.promise).resolves.toBe('keys');
  });

  it('answers the fallback at once when no budget is left', async () => {
    let fallbacks = 0;
    await expect(
      waitWithin(new Promise<string>(() => {}), 0, () => `fallback ${++fallbacks}`),
    ).resolves.toBe('fallback 1');
  });

  it('passes a failed fetch on as a rejection, leaving no timer behind', async () => {
    const answer = waitWithin(Promise.reject(new Error('boom')), 150, () => 'x');
    await expect(answer).rejects.toThrow('boom');
    expect(vi.getTimerCount()).toBe(0);
  });
});
