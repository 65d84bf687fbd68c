import { describe, expect, it } from 'vitest';
import { MemoryReplayStore } from '../replay/memory-replay-store.js';
import type { ReplayStore } from '../replay/replay-store.js';
import { checkReplay } from './check-replay.js';
import type { Deny } from './decision.js';

const NOW = 1_700_000_000_000;
const ID_A = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const ID_B = '16fd2706-8baf-433b-82eb-8c7fada847da';

/** The memory store answers synchronously, and so does the step. */
function now(result: ReturnType<typeof checkReplay>): Deny | undefined {
  if (result instanceof Promise) throw new Error('expected a synchronous answer');
  return result;
}

function input(store: ReplayStore, claims: Record<string, unknown>, webhookId = ID_A) {
  return { store, issuer: 'https://issuer', claims, webhookId, skewSeconds: 60 };
}

describe('checkReplay', () => {
  it('passes a first use and a redelivery, and denies another webhook id as token_replayed', () => {
    const store = new MemoryReplayStore({ maxEntries: 10, now: () => NOW });
    const claims = { jti: 'j1', exp: NOW / 1000 + 600 };
    expect(now(checkReplay(input(store, claims)))).toBeUndefined();
    expect(now(checkReplay(input(store, claims)))).toBeUndefined();
    expect(now(checkReplay(input(store, claims, ID_B)))).toMatchObject({
      reason: 'token_replayed',
    });
  });

  it('remembers the token until exp plus skew', () => {
    const clock = { now: NOW };
    const store = new MemoryReplayStore({ maxEntries: 10, now: () => clock.now });
    const claims = { jti: 'j1', exp: NOW / 1000 };
    expect(now(checkReplay(input(store, claims)))).toBeUndefined();
    clock.now = NOW + 59_999;
    expect(now(checkReplay(input(store, claims, ID_B)))?.reason).toBe('token_replayed');
    clock.now = NOW + 60_000;
    expect(now(checkReplay(input(store, claims, ID_B)))).toBeUndefined();
  });

  it.each([[undefined], [''], [7], ['j'.repeat(257)]])('denies jti %j as invalid_claims', (jti) => {
    const store = new MemoryReplayStore({ maxEntries: 10, now: () => NOW });
    expect(now(checkReplay(input(store, { jti, exp: NOW / 1000 + 60 })))?.reason).toBe(
      'invalid_claims',
    );
  });

  it('answers 503 replay_store_unavailable, retryable, when the store fails', async () => {
    const failing: ReplayStore = {
      kind: 'redis',
      check: () => Promise.reject(new Error('connection refused')),
      close: () => Promise.resolve(),
    };
    await expect(checkReplay(input(failing, { jti: 'j', exp: NOW / 1000 }))).resolves.toMatchObject(
      {
        reason: 'replay_store_unavailable',
        retryAfterSeconds: 1,
      },
    );
  });
});
