// Graceful shutdown: on SIGTERM (Kubernetes) or SIGINT (a terminal) report not-ready, stop
// accepting, answer every check already received, then exit 0. A second SIGINT means "now";
// a backstop timer turns a drain that never ends into exit 1 rather than a hang until SIGKILL.
import type { Logger } from '../telemetry/logger.js';

export interface ShutdownOptions {
  readonly logger: Logger;
  readonly drainTimeoutMs: number;
  /** Marks not-ready, closes the servers within the timeout, releases timers. */
  readonly close: (drainTimeoutMs: number) => Promise<void>;
  /** How long past the drain timeout before giving up on close(). */
  readonly backstopMs?: number;
  /** Injected for tests; `process` otherwise. */
  readonly signals?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
}

/** Resolves with the exit code once a signal arrived and the drain finished. */
export function shutdownOnSignals(options: ShutdownOptions): Promise<number> {
  const { logger, drainTimeoutMs } = options;
  const signals = options.signals ?? process;
  return new Promise<number>((resolve) => {
    let draining = false;
    const finish = (code: number): void => {
      signals.off('SIGTERM', onSignal);
      signals.off('SIGINT', onSignal);
      resolve(code);
    };
    function onSignal(signal: NodeJS.Signals): void {
      if (draining) {
        if (signal === 'SIGINT') {
          logger.warn({ signal }, 'second interrupt: exiting without finishing the drain');
          finish(130);
        } else logger.info({ signal }, 'already draining');
        return;
      }
      draining = true;
      const startedAt = performance.now();
      logger.info({ signal, drainTimeoutMs }, 'draining: not ready, answering in-flight checks');
      const backstop = setTimeout(
        () => {
          logger.error({ drainTimeoutMs }, 'drain did not finish in time; exiting');
          finish(1);
        },
        drainTimeoutMs + (options.backstopMs ?? 5000),
      );
      options.close(drainTimeoutMs).then(
        () => {
          clearTimeout(backstop);
          logger.info({ drainMs: Math.round(performance.now() - startedAt) }, 'stopped');
          finish(0);
        },
        (error: unknown) => {
          clearTimeout(backstop);
          logger.error({ err: { message: (error as Error).message } }, 'drain failed');
          finish(1);
        },
      );
    }
    signals.on('SIGTERM', onSignal);
    signals.on('SIGINT', onSignal);
  });
}
