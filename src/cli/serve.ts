// `pps-gate serve`: load and validate the config (fatal when invalid), start the gate, follow
// config changes (file or Kubernetes API), and drain gracefully on SIGTERM/SIGINT.
import { ConfigError } from '../config/parse-config.js';
import { prepareConfigReload } from '../config/start-config-reload.js';
import { handleFatalErrors } from '../lifecycle/fatal-errors.js';
import { shutdownOnSignals } from '../lifecycle/shutdown-on-signals.js';
import { createLogger } from '../telemetry/logger.js';
import { GateMetrics } from '../telemetry/metrics.js';
import { parseServeOptions, SERVE_USAGE, UsageError } from './serve-options.js';
import { startGate } from './start-gate.js';

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
  let prepared;
  try {
    prepared = await prepareConfigReload(options.configSource, { logger, metrics });
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal({ error: error.message }, 'cannot start: invalid config');
      process.stderr.write(`pps-gate: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const config = prepared.initial;
  const gate = await startGate({
    ...options,
    config,
    logger,
    metrics,
    decisionLog: { allowSampleRate: options.logAllowSampleRate },
  });
  const reloader = prepared.follow((next) => gate.swapConfig(next));
  // An API source whose first ConfigMap is invalid: as fatal as an invalid file at start-up.
  const invalidAtStart = reloader.configured.then(
    () => new Promise<never>(() => undefined),
    async (error: unknown) => {
      process.stderr.write(`pps-gate: ${(error as Error).message}\n`);
      await reloader.close();
      await gate.close(0);
      return 1;
    },
  );
  const stopped = shutdownOnSignals({
    logger,
    drainTimeoutMs: options.drainTimeoutMs,
    close: async (ms) => {
      await reloader.close();
      await gate.close(ms);
    },
  });
  // Announced only once SIGTERM is handled: a signal before then would kill the process outright.
  logger.info(
    {
      grpcPort: gate.grpcPort,
      httpPort: gate.httpPort,
      adminPort: gate.adminPort,
      config: prepared.description,
      issuers: config === undefined ? [] : [...config.issuers.keys()],
      configHash: config?.hash ?? null,
      // The API source may still be waiting for its ConfigMap: /readyz says 503 until it arrives.
      waitingForConfig: config === undefined,
    },
    'pps-gate serving',
  );
  return Promise.race([stopped, invalidAtStart]);
}
