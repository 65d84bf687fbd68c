// `pps-gate serve` options: flags first, then PPS_GATE_* environment variables, then defaults.
// Every bad value is an error naming the flag and its variable.
import { parseArgs } from 'node:util';
import { LOG_LEVELS, type LogLevel } from '../telemetry/logger.js';

export interface ServeOptions {
  readonly configPath: string;
  readonly host: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly adminPort: number;
  readonly logLevel: LogLevel;
  readonly drainTimeoutMs: number;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const FLAGS = {
  config: { type: 'string', env: 'PPS_GATE_CONFIG' },
  host: { type: 'string', env: 'PPS_GATE_HOST', default: '0.0.0.0' },
  'grpc-port': { type: 'string', env: 'PPS_GATE_GRPC_PORT', default: '9191' },
  'http-port': { type: 'string', env: 'PPS_GATE_HTTP_PORT', default: '9292' },
  'admin-port': { type: 'string', env: 'PPS_GATE_ADMIN_PORT', default: '9090' },
  'log-level': { type: 'string', env: 'PPS_GATE_LOG_LEVEL', default: 'info' },
  'drain-timeout-ms': { type: 'string', env: 'PPS_GATE_DRAIN_TIMEOUT_MS', default: '10000' },
} as const;

type Flag = keyof typeof FLAGS;

export const SERVE_USAGE = `usage: pps-gate serve --config FILE [options]
  --config FILE           trusted issuers config, YAML or JSON     (PPS_GATE_CONFIG)
  --host ADDR             address to bind, default 0.0.0.0         (PPS_GATE_HOST)
  --grpc-port N           Envoy ext_authz gRPC + health, 9191      (PPS_GATE_GRPC_PORT)
  --http-port N           HTTP forward-auth, 9292                  (PPS_GATE_HTTP_PORT)
  --admin-port N          /healthz /readyz, 9090                   (PPS_GATE_ADMIN_PORT)
  --log-level LEVEL       ${LOG_LEVELS.join('|')}, default info (PPS_GATE_LOG_LEVEL)
  --drain-timeout-ms N    in-flight grace on SIGTERM, 10000        (PPS_GATE_DRAIN_TIMEOUT_MS)`;

function value(flags: Record<string, string | undefined>, env: NodeJS.ProcessEnv, flag: Flag): string | undefined {
  const spec = FLAGS[flag];
  return flags[flag] ?? env[spec.env] ?? ('default' in spec ? spec.default : undefined);
}

function integer(text: string, flag: Flag, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`--${flag} (${FLAGS[flag].env}): "${text}" is not a whole number from ${min} to ${max}`);
  return n;
}

export function parseServeOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ServeOptions {
  let flags: Record<string, string | undefined>;
  try {
    const options = Object.fromEntries(Object.keys(FLAGS).map((name) => [name, { type: 'string' as const }]));
    flags = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${SERVE_USAGE}`);
  }
  const configPath = value(flags, env, 'config');
  if (configPath === undefined || configPath === '') throw new UsageError(`--config (PPS_GATE_CONFIG) is required\n${SERVE_USAGE}`);
  const logLevel = value(flags, env, 'log-level') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new UsageError(`--log-level (PPS_GATE_LOG_LEVEL): "${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);
  return {
    configPath,
    host: value(flags, env, 'host') ?? '0.0.0.0',
    grpcPort: integer(value(flags, env, 'grpc-port') ?? '', 'grpc-port', 0, 65535),
    httpPort: integer(value(flags, env, 'http-port') ?? '', 'http-port', 0, 65535),
    adminPort: integer(value(flags, env, 'admin-port') ?? '', 'admin-port', 0, 65535),
    logLevel,
    drainTimeoutMs: integer(value(flags, env, 'drain-timeout-ms') ?? '', 'drain-timeout-ms', 0, 600_000),
  };
}
