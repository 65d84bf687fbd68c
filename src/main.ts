#!/usr/bin/env node
// pps-gate's entry point: picks the command and exits with its status. Wiring only.
import { demoCommand } from './cli/demo.js';
import { explainCommand } from './cli/explain.js';
import { probeCommand } from './cli/probe.js';
import { serveCommand } from './cli/serve.js';
import { handleFatalErrors, reportFatal } from './lifecycle/fatal-errors.js';
import { createLogger } from './telemetry/logger.js';

const USAGE = `usage: pps-gate <command>
  serve   run the ext_authz gRPC service, HTTP forward-auth and admin endpoints (serve --help)
  demo    run the whole flow locally: an OIDC issuer, the gate and an upstream, then webhooks
  probe   check a gate's grpc.health.v1 status, exit 0 if SERVING (probe --help)
  explain run one webhook through every step of the decision and say why (explain --help)`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serveCommand(rest, process.env);
    case 'demo':
      return demoCommand(rest);
    case 'probe':
      return probeCommand(rest);
    case 'explain':
      return explainCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`pps-gate: unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}

// Until a command sets up its own logger, uncaught errors go to a default one; either way they
// are logged as JSON (or pretty on a TTY) at fatal, and the process exits 70.
const fallbackLogger = createLogger('info');
handleFatalErrors(fallbackLogger);

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  // A command that fails to start (a port in use, say) is not a bug: exit 1, still logged.
  (error: unknown) =>
    reportFatal(
      { logger: fallbackLogger, exit: (code) => process.exit(code), code: 1 },
      'commandFailed',
      error,
    ),
);
