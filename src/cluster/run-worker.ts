// One worker of `--workers N`: the gate's gRPC and HTTP servers on the ports all workers share,
// no admin server (the primary serves it), config from the primary, and answers to its asks.
import { ConfigSnapshot } from '../config/config-snapshot.js';
import type { ServeOptions } from '../cli/serve-options.js';
import { startGate } from '../gate/start-gate.js';
import { shutdownOnSignals } from '../lifecycle/shutdown-on-signals.js';
import type { Logger } from '../telemetry/logger.js';
import type { GateMetrics } from '../telemetry/metrics.js';
import { isPrimaryMessage, type WorkerMessage } from './worker-messages.js';

function tell(message: WorkerMessage): void {
  if (process.connected) process.send?.(message);
}

export async function runWorker(
  options: ServeOptions,
  logger: Logger,
  metrics: GateMetrics,
): Promise<number> {
  const snapshot = new ConfigSnapshot();
  const gate = await startGate({
    ...options,
    adminPort: undefined,
    snapshot,
    logger,
    metrics,
    decisionLog: { allowSampleRate: options.logAllowSampleRate },
  });
  let drain: Promise<number> | undefined;
  const drainOnce = (ms: number): Promise<number> => (drain ??= gate.close(ms).then(() => 0));
  const drained = new Promise<number>((resolve) => {
    process.on('message', (message: unknown) => {
      if (!isPrimaryMessage(message)) return;
      switch (message.type) {
        case 'pps-gate:config':
          snapshot.swap(message.config);
          return;
        case 'pps-gate:ask':
          void (
            message.what === 'metrics'
              ? metrics.registry.getMetricsAsJSON()
              : Promise.resolve(gate.keys.describe())
          ).then((value) => tell({ type: 'pps-gate:answer', id: message.id, value }));
          return;
        case 'pps-gate:drain':
          void drainOnce(message.drainTimeoutMs).then(resolve);
      }
    });
  });
  gate.readiness.on('change', () =>
    tell({ type: 'pps-gate:readiness', ready: gate.readiness.ready }),
  );
  tell({ type: 'pps-gate:hello' });
  tell({ type: 'pps-gate:listening', grpcPort: gate.grpcPort, httpPort: gate.httpPort });
  // A signal sent to the whole process group (not only the primary) drains this worker too.
  const signalled = shutdownOnSignals({
    logger,
    drainTimeoutMs: options.drainTimeoutMs,
    close: (ms) => drainOnce(ms).then(() => undefined),
  });
  return Promise.race([drained, signalled]);
}
