import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../telemetry/logger.js';
import { shutdownOnSignals } from './shutdown-on-signals.js';

function deferred(): {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
} {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('shutdownOnSignals', () => {
  it('drains once on SIGTERM with the configured timeout, then resolves 0 and lets go of the signals', async () => {
    const signals = new EventEmitter();
    const drain = deferred();
    const close = vi.fn((_ms: number) => drain.promise);
    const exit = shutdownOnSignals({ logger: silentLogger, drainTimeoutMs: 7000, close, signals });
    signals.emit('SIGTERM', 'SIGTERM');
    signals.emit('SIGTERM', 'SIGTERM'); // a repeat is ignored, not a second drain
    expect(close.mock.calls).toEqual([[7000]]);
    drain.resolve();
    expect(await exit).toBe(0);
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0);
  });

  it('treats SIGINT like SIGTERM, and a second SIGINT as "exit now" (130)', async () => {
    const signals = new EventEmitter();
    const close = vi.fn(() => new Promise<void>(() => undefined));
    const exit = shutdownOnSignals({ logger: silentLogger, drainTimeoutMs: 7000, close, signals });
    signals.emit('SIGINT', 'SIGINT');
    expect(close).toHaveBeenCalledTimes(1);
    signals.emit('SIGINT', 'SIGINT');
    expect(await exit).toBe(130);
  });

  it('exits 1 when the drain fails', async () => {
    const signals = new EventEmitter();
    const exit = shutdownOnSignals({
      logger: silentLogger,
      drainTimeoutMs: 10,
      close: () => Promise.reject(new Error('boom')),
      signals,
    });
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await exit).toBe(1);
  });

  it('exits 1 when close() outlives the drain timeout plus the backstop', async () => {
    vi.useFakeTimers();
    const signals = new EventEmitter();
    const exit = shutdownOnSignals({
      logger: silentLogger,
      drainTimeoutMs: 1000,
      backstopMs: 500,
      close: () => new Promise(() => undefined),
      signals,
    });
    let code: number | undefined;
    void exit.then((c) => (code = c));
    signals.emit('SIGTERM', 'SIGTERM');
    await vi.advanceTimersByTimeAsync(1499);
    expect(code).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(code).toBe(1);
  });
});
