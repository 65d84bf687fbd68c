// `pps-gate serve`: load and validate the config (fatal when invalid), start the gate, follow
// config changes (file or Kubernetes API), and drain gracefully on SIGTERM/SIGINT.
import cluster from 'node:cluster';
import { runPrimary } from '../cluster/run-primary.js';
import { runWorker } from '../cluster/run-worker.js';
import { ConfigSnapshot } from '../config/config-snapshot.js';
import { startConfigReloader } from '../config/config-reloader.js';
import { openConfigSource, type OpenedConfigSource } from '../config/open-config-source.js';
import { ConfigError } from '../config/parse-config.js';
import { gateVersion } from '../gate/gate-version.js';
import { ListenError } from '../gate/listen-error.js';
import { startGate } from '../gate/start-gate.js';
import { workerStoreMisfit } from '../gate/worker-store-fit.js';
import { handleFatalErrors } from '../lifecycle/fatal-errors.js';
import { shutdownOnSignals } from '../lifecycle/shutdown-on-signals.js';
import { createLogger } from '../telemetry/logger.js';
import { GateMetrics } from '../telemetry/metrics.js';
import { startTracing } from '../telemetry/tracing.js';
import type { ReloadStatus } from '../status/status-view.js';
import { parseServeOptions, SERVE_USAGE, UsageError } from './serve-options.js';

export async function serveCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  let options;
  try {
    options = parseServeOptions(argv, env);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`pps-gate: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger(options.logLevel, { format: options.logFormat });
  handleFatalErrors(logger);
  const metrics = new GateMetrics();
  // A --workers worker gets its config from the primary, which read and validated it.
  if (cluster.isWorker) return runWorker(options, logger.child({ worker: process.pid }), metrics);
  let opened: OpenedConfigSource;
  try {
    opened = await openConfigSource(options.configSource);
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal({ error: error.message }, 'cannot start: invalid config');
      process.stderr.write(`pps-gate: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const misfit =
    opened.initial === undefined
      ? undefined
      : workerStoreMisfit(opened.initial.config, options.workers);
  if (misfit !== undefined) {
    logger.fatal({ error: misfit }, 'cannot start: config does not fit --workers');
    process.stderr.write(`pps-gate: ${misfit}\n`);
    await opened.source.close();
    return 1;
  }
  if (options.workers > 1) return runPrimary({ options, opened, logger, metrics });
  const config = opened.initial?.config;
  const snapshot = new ConfigSnapshot(config);
  // Tracing loads OpenTelemetry only when an endpoint is given; otherwise nothing of it runs.
  const tracer =
    options.otlpEndpoint === undefined
      ? undefined
      : await startTracing({
          endpoint: options.otlpEndpoint,
          serviceVersion: gateVersion(),
          sampleRatio: options.traceSampleRatio,
        });
  let lastReload: ReloadStatus | undefined;
  let gate;
  try {
    gate = await startGate({
      ...options,
      snapshot,
      logger,
      metrics,
      decisionLog: { allowSampleRate: options.logAllowSampleRate },
      ...(tracer === undefined ? {} : { tracer }),
      status: { lastReload: () => lastReload, sourceDescription: opened.description },
    });
  } catch (error) {
    if (!(error instanceof ListenError)) throw error;
    // One line naming the address and the flag, no stack: it is not a bug.
    logger.fatal({ error: error.message }, 'cannot start: a port cannot be bound');
    process.stderr.write(`pps-gate: ${error.message}\n`);
    await opened.source.close();
    await tracer?.shutdown();
    return 1;
  }
  // The exit code: 0 after a drain on a signal, or 1 when the API source's very first ConfigMap
  // is invalid (as fatal as an invalid file at start-up).
  const exitCode = new Promise<number>((resolve) => {
    const reloader = startConfigReloader({
      source: opened.source,
      snapshot,
      initialText: opened.initial?.text,
      logger,
      metrics,
      onResult: (result, atMs) => (lastReload = { result, atMs }),
      onInvalidAtStart: (error) => {
        process.stderr.write(`pps-gate: ${error.message}\n`);
        // Deferred: a source may report during startConfigReloader, before `reloader` is bound.
        void Promise.resolve()
          .then(() => reloader.close())
          .then(() => gate.close(0))
          .then(() => resolve(1));
      },
    });
    void shutdownOnSignals({
      logger,
      drainTimeoutMs: options.drainTimeoutMs,
      close: async (ms) => {
        await reloader.close();
        await gate.close(ms);
        await tracer?.shutdown();
      },
    }).then(resolve);
  });
  // Announced only once SIGTERM is handled: a signal before then would kill the process outright.
  logger.info(
    {
      grpcPort: gate.grpcPort,
      httpPort: gate.httpPort,
      adminPort: gate.adminPort,
      config: opened.description,
      issuers: config === undefined ? [] : [...config.issuers.keys()],
      configHash: config?.hash ?? null,
      // The API source may still be waiting for its ConfigMap: /readyz says 503 until it arrives.
      waitingForConfig: config === undefined,
    },
    'pps-gate serving',
  );
  return exitCode;
}
