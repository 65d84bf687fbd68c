import { describe, expect, it } from 'vitest';
import { replayStoreMisfit } from './replay-store-fit.js';

describe('replayStoreMisfit', () => {
  it('refuses replay: jti with the memory store and several workers, naming the issuers and the ways out', () => {
    const message = replayStoreMisfit({
      replayIssuers: ['https://a.example'],
      storeKind: 'memory',
      workers: 4,
    });
    expect(message).toMatch(/https:\/\/a\.example/);
    expect(message).toMatch(/--workers 4/);
    expect(message).toMatch(/dedup\.redis.*--workers 1/);
  });

  it.each([
    [{ replayIssuers: [], storeKind: 'memory' as const, workers: 4 }],
    [{ replayIssuers: ['https://a'], storeKind: 'redis' as const, workers: 4 }],
    [{ replayIssuers: ['https://a'], storeKind: 'memory' as const, workers: 1 }],
  ])('accepts %j', (use) => {
    expect(replayStoreMisfit(use)).toBeUndefined();
  });
});
