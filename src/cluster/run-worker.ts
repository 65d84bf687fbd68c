// One worker of `--workers N`: the gate's gRPC and HTTP servers on the ports all workers share,
// no admin server (the primary serves it), config from the primary, and answers to its asks.
import type { ServeOptions } from '../cli/serve-options.js';
import { startGate } from '../cli/start-gate.js';
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
  const gate = await startGate({
    ...options,
    adminPort: undefined,
    config: undefined,
    logger,
    metrics,
    decisionLog: { allowSampleRate: options.logAllowSampleRate },
  });
  let drain: Promise<number> | undefined;
  const drained = new Promise<number>((resolve) => {
    process.on('message', (message: unknown) => {
      if (!isPrimaryMessage(message)) return;
      switch (message.type) {
        case 'pps-gate:config':
          gate.swapConfig(message.config);
          return;
        case 'pps-gate:ask':
          void (message.what === 'metrics'
            ? metrics.registry.getMetricsAsJSON()
            : Promise.resolve(gate.keys.describe())
          ).then((value) => tell({ type: 'pps-gate:answer', id: message.id, value }));
          return;
        case 'pps-gate:drain':
          drain ??= gate.close(message.drainTimeoutMs).then(() => 0);
          void drain.then(resolve);
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
    close: (ms) => (drain ??= gate.close(ms).then(() => 0)).then(() => undefined),
  });
  return Promise.race([drained, signalled]);
}
