#!/usr/bin/env node
// pps-gate's entry point: picks the command and exits with its status. Wiring only.
import { demoCommand } from './cli/demo.js';
import { serveCommand } from './cli/serve.js';

const USAGE = `usage: pps-gate <command>
  serve   run the ext_authz gRPC service, HTTP forward-auth and admin endpoints (serve --help)
  demo    run the whole flow locally: an OIDC issuer, the gate and an upstream, then webhooks`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serveCommand(rest, process.env);
    case 'demo':
      return demoCommand(rest);
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

process.on('uncaughtException', (error) => {
  process.stderr.write(`pps-gate: uncaught error: ${error.stack ?? error.message}\n`);
  process.exit(70);
});

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`pps-gate: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
