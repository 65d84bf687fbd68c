// `pps-gate probe`: a grpc.health.v1 Health/Check client
// (https://github.com/grpc/grpc/blob/master/doc/health-checking.md) on pps-gate's own health.proto,
// for the chart's `helm test` hook and checks from inside the image (which has no shell or
// grpc_health_probe). Exits 0 only when every named service answers SERVING.
import { parseArgs } from 'node:util';
import {
  credentials,
  loadPackageDefinition,
  status as GrpcStatus,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { ProtoGrpcType as HealthProtos } from '../transport/grpc/generated/health.js';
import { _grpc_health_v1_HealthCheckResponse_ServingStatus as ServingStatus } from '../transport/grpc/generated/grpc/health/v1/HealthCheckResponse.js';
import { PROTO_ROOT } from '../transport/grpc/load-protos.js';

export const PROBE_USAGE = `usage: pps-gate probe [--timeout-ms N] HOST:PORT [SERVICE...]
  Calls grpc.health.v1.Health/Check for each SERVICE ("" = the whole server, the default;
  envoy.service.auth.v3.Authorization = ready to authorize) and exits 0 only if all are SERVING.
  --timeout-ms N   deadline per check, default 5000`;

const DEFAULT_TIMEOUT_MS = 5000;

interface ProbeOptions {
  readonly target: string;
  readonly services: readonly string[];
  readonly timeoutMs: number;
}

function parseProbeArgs(argv: readonly string[]): ProbeOptions | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { 'timeout-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    return (error as Error).message;
  }
  const [target, ...services] = parsed.positionals;
  if (target === undefined) return 'missing HOST:PORT';
  if (!/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$/.test(target))
    return `HOST:PORT expected, got "${target}"`;
  const timeoutText = parsed.values['timeout-ms'];
  const timeoutMs = timeoutText === undefined ? DEFAULT_TIMEOUT_MS : Number(timeoutText);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    return `--timeout-ms must be a positive whole number of milliseconds, got "${timeoutText}"`;
  return { target, services: services.length > 0 ? services : [''], timeoutMs };
}

const statusName = (code: number): string =>
  Object.entries(ServingStatus).find(([, value]) => value === code)?.[0] ?? `status ${code}`;

function describeFailure(error: ServiceError, timeoutMs: number): string {
  switch (error.code) {
    case GrpcStatus.DEADLINE_EXCEEDED:
      return `no answer within ${timeoutMs} ms`;
    case GrpcStatus.UNAVAILABLE:
      return `unreachable (${error.details})`;
    case GrpcStatus.NOT_FOUND:
      return 'unknown to the server (NOT_FOUND)';
    default:
      return `failed: ${GrpcStatus[error.code]} ${error.details}`;
  }
}

/** Runs the probe; resolves with the exit status (0 all SERVING, 1 not, 2 bad usage). */
export async function probeCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${PROBE_USAGE}\n`);
    return 0;
  }
  const options = parseProbeArgs(argv);
  if (typeof options === 'string') {
    process.stderr.write(`pps-gate probe: ${options}\n${PROBE_USAGE}\n`);
    return 2;
  }
  const definition = loadSync('grpc/health/v1/health.proto', {
    keepCase: true,
    longs: String,
    oneofs: true,
    includeDirs: [PROTO_ROOT],
  });
  // proto-loader's documented pattern: the generated ProtoGrpcType describes this object.
  const { Health } = (loadPackageDefinition(definition) as unknown as HealthProtos).grpc.health.v1;
  const client = new Health(options.target, credentials.createInsecure());
  const results = await Promise.all(
    options.services.map(
      (service) =>
        new Promise<boolean>((resolve) => {
          const label = `${JSON.stringify(service)} at ${options.target}`;
          client.Check(
            { service },
            { deadline: Date.now() + options.timeoutMs },
            (error, response) => {
              if (error !== null) {
                process.stderr.write(
                  `pps-gate probe: ${label}: ${describeFailure(error, options.timeoutMs)}\n`,
                );
                return resolve(false);
              }
              // proto3: an absent enum field is its zero value, UNKNOWN.
              const status = response?.status ?? ServingStatus.UNKNOWN;
              const serving = status === ServingStatus.SERVING;
              (serving ? process.stdout : process.stderr).write(
                `${serving ? '' : 'pps-gate probe: '}${label}: ${statusName(status)}\n`,
              );
              resolve(serving);
            },
          );
        }),
    ),
  );
  client.close();
  return results.every(Boolean) ? 0 : 1;
}
