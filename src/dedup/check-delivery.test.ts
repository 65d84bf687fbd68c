import { describe, expect, it } from 'vitest';
import { checkDelivery } from './check-delivery.js';
import type { DedupSettings } from '../config/dedup-settings.js';
import { deliveryKey } from './delivery-key.js';
import type { DeliveryStore } from './delivery-store.js';
import { MemoryDeliveryStore } from './memory-delivery-store.js';

const principal = {
  issuer: 'https://issuer.example',
  subject: 'sender',
  tenantId: 'OU1',
  webhookId: '0B7C6F43-6A55-4F0E-9A55-1B2C3D4E5F60',
};
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

function settings(mode: DedupSettings['mode']): DedupSettings {
  return {
    mode,
    store: 'memory',
    windowMs: 86_400_000,
    leaseMs: 60_000,
    memoryMaxEntries: 100,
    redis: undefined,
  };
}

describe('checkDelivery', () => {
  it('forwards every delivery in annotate mode, flagging repeats, without a delivery key', async () => {
    const deps = {
      store: new MemoryDeliveryStore({ maxEntries: 10 }),
      settings: settings('annotate'),
      deadlineMs: 900,
    };
    expect(await checkDelivery(principal, T0, deps)).toEqual({
      kind: 'forward',
      delivery: { count: 1, firstSeenAt: '2026-01-02T03:04:05.678Z', duplicate: false },
    });
    expect(await checkDelivery(principal, T0 + 5, deps)).toEqual({
      kind: 'forward',
      delivery: { count: 2, firstSeenAt: '2026-01-02T03:04:05.678Z', duplicate: true },
    });
  });

  it('forwards the first delivery in enforce mode with its key, and asks a repeat in flight to retry within 10 s', async () => {
    const deps = {
      store: new MemoryDeliveryStore({ maxEntries: 10 }),
      settings: settings('enforce'),
      deadlineMs: 900,
    };
    expect(await checkDelivery(principal, T0, deps)).toEqual({
      kind: 'forward',
      delivery: {
        count: 1,
        firstSeenAt: '2026-01-02T03:04:05.678Z',
        duplicate: false,
        deliveryKey: deliveryKey(principal),
      },
    });
    expect(await checkDelivery(principal, T0 + 1000, deps)).toMatchObject({
      kind: 'in_progress',
      retryAfterSeconds: 10,
    });
    expect(await checkDelivery(principal, T0 + 59_500, deps)).toMatchObject({
      kind: 'in_progress',
      retryAfterSeconds: 1,
    });
  });

  it('answers a repeat after a 2xx as already delivered', async () => {
    const store = new MemoryDeliveryStore({ maxEntries: 10 });
    const deps = { store, settings: settings('enforce'), deadlineMs: 900 };
    await checkDelivery(principal, T0, deps);
    await store.confirm(deliveryKey(principal), 200, T0 + 10);
    expect(await checkDelivery(principal, T0 + 20, deps)).toMatchObject({
      kind: 'already_delivered',
      delivery: { count: 2, duplicate: true },
    });
  });

  it('is unavailable when the store fails or does not answer within the deadline', async () => {
    const failing: DeliveryStore = {
      kind: 'redis',
      record: () => Promise.reject(new Error('Connection is closed.')),
      claim: () => new Promise(() => undefined),
      confirm: () => Promise.resolve('ignored'),
      close: () => Promise.resolve(),
    };
    expect(
      await checkDelivery(principal, T0, {
        store: failing,
        settings: settings('annotate'),
        deadlineMs: 50,
      }),
    ).toEqual({ kind: 'unavailable', detail: 'redis delivery store: Connection is closed.' });
    const started = performance.now();
    expect(
      await checkDelivery(principal, T0, {
        store: failing,
        settings: settings('enforce'),
        deadlineMs: 50,
      }),
    ).toMatchObject({ kind: 'unavailable', detail: expect.stringContaining('within 50 ms') });
    expect(performance.now() - started).toBeLessThan(500);
  });
});
