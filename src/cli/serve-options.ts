// `pps-gate serve` options: flags first, then PPS_GATE_* environment variables, then defaults.
// Every bad value is an error naming the flag and its variable.
import { parseArgs } from 'node:util';
import { parseConfigMapRef, type ConfigSourceRef } from '../config/config-source-ref.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../telemetry/logger.js';

export interface ServeOptions {
  /** `--config FILE` (watched for kubelet's atomic updates) or `--configmap NS/NAME` (API watch). */
  readonly configSource: ConfigSourceRef;
  readonly host: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly adminPort: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** Fraction of allow decisions logged, 0..1. */
  readonly logAllowSampleRate: number;
  readonly drainTimeoutMs: number;
  /** OTLP/HTTP traces endpoint; tracing is off (and costs nothing) when absent. */
  readonly otlpEndpoint: string | undefined;
  /** Fraction of new traces sampled when tracing is on (a caller's sampled flag is followed). */
  readonly traceSampleRatio: number;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const FLAGS = {
  config: { type: 'string', env: 'PPS_GATE_CONFIG' },
  configmap: { type: 'string', env: 'PPS_GATE_CONFIGMAP' },
  'configmap-key': { type: 'string', env: 'PPS_GATE_CONFIGMAP_KEY', default: 'issuers.yaml' },
  host: { type: 'string', env: 'PPS_GATE_HOST', default: '0.0.0.0' },
  'grpc-port': { type: 'string', env: 'PPS_GATE_GRPC_PORT', default: '9191' },
  'http-port': { type: 'string', env: 'PPS_GATE_HTTP_PORT', default: '9292' },
  'admin-port': { type: 'string', env: 'PPS_GATE_ADMIN_PORT', default: '9090' },
  'log-level': { type: 'string', env: 'PPS_GATE_LOG_LEVEL', default: 'info' },
  'log-format': { type: 'string', env: 'PPS_GATE_LOG_FORMAT', default: 'auto' },
  'log-allow-sample-rate': { type: 'string', env: 'PPS_GATE_LOG_ALLOW_SAMPLE_RATE', default: '1' },
  'drain-timeout-ms': { type: 'string', env: 'PPS_GATE_DRAIN_TIMEOUT_MS', default: '10000' },
  'otlp-endpoint': { type: 'string', env: 'PPS_GATE_OTLP_ENDPOINT' },
  'trace-sample-ratio': { type: 'string', env: 'PPS_GATE_TRACE_SAMPLE_RATIO', default: '1' },
} as const;

type Flag = keyof typeof FLAGS;

export const SERVE_USAGE = `usage: pps-gate serve (--config FILE | --configmap NAMESPACE/NAME) [options]
  --config FILE           trusted issuers config, YAML or JSON;    (PPS_GATE_CONFIG)
                          watched and reloaded on change
  --configmap NS/NAME     or watch this ConfigMap via the API      (PPS_GATE_CONFIGMAP)
  --configmap-key KEY     its data key, default issuers.yaml       (PPS_GATE_CONFIGMAP_KEY)
  --host ADDR             address to bind, default 0.0.0.0         (PPS_GATE_HOST)
  --grpc-port N           Envoy ext_authz gRPC + health, 9191      (PPS_GATE_GRPC_PORT)
  --http-port N           HTTP forward-auth, 9292                  (PPS_GATE_HTTP_PORT)
  --admin-port N          /healthz /readyz /metrics /keys /config, 9090 (PPS_GATE_ADMIN_PORT)
  --log-level LEVEL       ${LOG_LEVELS.join('|')}, default info (PPS_GATE_LOG_LEVEL)
  --log-format FORMAT     auto (pretty on a TTY, else JSON)|json|pretty (PPS_GATE_LOG_FORMAT)
  --log-allow-sample-rate R  fraction of allows logged, 0..1, default 1 (PPS_GATE_LOG_ALLOW_SAMPLE_RATE)
  --drain-timeout-ms N    in-flight grace on SIGTERM, 10000        (PPS_GATE_DRAIN_TIMEOUT_MS)
  --otlp-endpoint URL     send OpenTelemetry traces (OTLP/HTTP JSON) here, e.g.
                          http://otel-collector:4318/v1/traces; off by default (PPS_GATE_OTLP_ENDPOINT)
  --trace-sample-ratio R  fraction of new traces sampled, 0..1, default 1 (PPS_GATE_TRACE_SAMPLE_RATIO)`;

function value(
  flags: Record<string, string | undefined>,
  env: NodeJS.ProcessEnv,
  flag: Flag,
): string | undefined {
  const spec = FLAGS[flag];
  return flags[flag] ?? env[spec.env] ?? ('default' in spec ? spec.default : undefined);
}

function integer(text: string, flag: Flag, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max))
    throw new UsageError(
      `--${flag} (${FLAGS[flag].env}): "${text}" is not a whole number from ${min} to ${max}`,
    );
  return n;
}

function fraction(
  flags: Record<string, string | undefined>,
  env: NodeJS.ProcessEnv,
  flag: Flag,
): number {
  const text = value(flags, env, flag) ?? '';
  const n = /^(0|1)(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 0 && n <= 1))
    throw new UsageError(`--${flag} (${FLAGS[flag].env}): "${text}" is not a number from 0 to 1`);
  return n;
}

export function parseServeOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ServeOptions {
  let flags: Record<string, string | undefined>;
  try {
    const options = Object.fromEntries(
      Object.keys(FLAGS).map((name) => [name, { type: 'string' as const }]),
    );
    flags = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${SERVE_USAGE}`);
  }
  const configSource = configSourceOf(flags, env);
  const logLevel = value(flags, env, 'log-level') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel))
    throw new UsageError(
      `--log-level (PPS_GATE_LOG_LEVEL): "${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`,
    );
  const logFormat = value(flags, env, 'log-format') as LogFormat;
  if (!LOG_FORMATS.includes(logFormat))
    throw new UsageError(
      `--log-format (PPS_GATE_LOG_FORMAT): "${logFormat}" is not one of ${LOG_FORMATS.join(', ')}`,
    );
  const sampleText = value(flags, env, 'log-allow-sample-rate') ?? '';
  const logAllowSampleRate = /^(0|1)(\.\d+)?$/.test(sampleText) ? Number(sampleText) : Number.NaN;
  if (!(logAllowSampleRate >= 0 && logAllowSampleRate <= 1)) {
    throw new UsageError(
      `--log-allow-sample-rate (PPS_GATE_LOG_ALLOW_SAMPLE_RATE): "${sampleText}" is not a number from 0 to 1`,
    );
  }
  const otlpEndpoint = value(flags, env, 'otlp-endpoint');
  if (otlpEndpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(otlpEndpoint))
    throw new UsageError(
      `--otlp-endpoint (PPS_GATE_OTLP_ENDPOINT): "${otlpEndpoint}" is not an http(s) URL`,
    );
  const traceSampleRatio = fraction(flags, env, 'trace-sample-ratio');
  return {
    configSource,
    host: value(flags, env, 'host') ?? '0.0.0.0',
    grpcPort: integer(value(flags, env, 'grpc-port') ?? '', 'grpc-port', 0, 65535),
    httpPort: integer(value(flags, env, 'http-port') ?? '', 'http-port', 0, 65535),
    adminPort: integer(value(flags, env, 'admin-port') ?? '', 'admin-port', 0, 65535),
    logLevel,
    logFormat,
    logAllowSampleRate,
    drainTimeoutMs: integer(
      value(flags, env, 'drain-timeout-ms') ?? '',
      'drain-timeout-ms',
      0,
      600_000,
    ),
    otlpEndpoint,
    traceSampleRatio,
  };
}

/** Exactly one of --config and --configmap; an empty value counts as not given. */
function configSourceOf(
  flags: Record<string, string | undefined>,
  env: NodeJS.ProcessEnv,
): ConfigSourceRef {
  const path = value(flags, env, 'config') || undefined;
  const configMap = value(flags, env, 'configmap') || undefined;
  if (path !== undefined && configMap !== undefined) {
    throw new UsageError(
      `give either --config (PPS_GATE_CONFIG) or --configmap (PPS_GATE_CONFIGMAP), not both\n${SERVE_USAGE}`,
    );
  }
  if (path !== undefined) return { kind: 'file', path };
  if (configMap === undefined) {
    throw new UsageError(
      `--config (PPS_GATE_CONFIG) or --configmap (PPS_GATE_CONFIGMAP) is required\n${SERVE_USAGE}`,
    );
  }
  const ref = parseConfigMapRef(configMap, value(flags, env, 'configmap-key') ?? '');
  if (typeof ref === 'string')
    throw new UsageError(`--configmap/--configmap-key (PPS_GATE_CONFIGMAP/_KEY): ${ref}`);
  return { kind: 'api', ...ref };
}
