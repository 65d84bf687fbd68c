// `pps-gate serve`: load and validate the config (fatal when invalid), start the gate, and drain
// gracefully on SIGTERM/SIGINT.
import { ConfigError } from '../config/parse-config.js';
import { loadConfigFile } from '../config/load-config.js';
import { createLogger } from '../telemetry/logger.js';
import { GateMetrics } from '../telemetry/metrics.js';
import { parseServeOptions, SERVE_USAGE, UsageError } from './serve-options.js';
import { startGate } from './start-gate.js';

export async function serveCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
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
  const logger = createLogger(options.logLevel);
  let config;
  try {
    config = loadConfigFile(options.configPath);
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal({ error: error.message }, 'cannot start: invalid config');
      process.stderr.write(`pps-gate: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const metrics = new GateMetrics();
  const gate = await startGate({ ...options, config, logger, metrics });
  logger.info(
    { grpcPort: gate.grpcPort, httpPort: gate.httpPort, adminPort: gate.adminPort, issuers: [...config.issuers.keys()], configHash: config.hash },
    'pps-gate serving',
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, drainTimeoutMs: options.drainTimeoutMs }, 'draining');
      void gate.close(options.drainTimeoutMs).then(() => {
        logger.info('stopped');
        resolve(0);
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
