// gRPC clients that stand in for Envoy: envoy.service.auth.v3.Authorization built from ENVOY'S
// OWN protos (@grpc/grpc-js-xds/deps), not pps-gate's proto/, so a passing test proves the wire
// format matches; and grpc.health.v1.Health as Envoy and kubelet probes speak it.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  credentials,
  loadPackageDefinition,
  type Client,
  type GrpcObject,
  type ServiceError,
} from '@grpc/grpc-js';
import { fromJSON, loadSync } from '@grpc/proto-loader';
import type { EnvoyCheckResponse } from './envoy-messages.js';

export * from './envoy-messages.js';

const require = createRequire(import.meta.url);
const depsDir = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');

/** The options the brief (and Envoy's own Node tooling) use; enums arrive as their names. */
const LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;

type Unary<Req, Res> = (
  request: Req,
  callback: (error: ServiceError | null, response: Res) => void,
) => void;

function service(
  root: GrpcObject,
  path: string,
): new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client {
  let node: unknown = root;
  for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
  if (typeof node !== 'function') throw new Error(`service ${path} is not in the loaded protos`);
  return node as new (
    address: string,
    creds: ReturnType<typeof credentials.createInsecure>,
  ) => Client;
}

let envoyRoot: GrpcObject | undefined;

/** Envoy's external_auth.proto with its real imports (validate, udpa/xds annotations, googleapis). */
export function loadEnvoyAuthProtos(): GrpcObject {
  envoyRoot ??= loadPackageDefinition(
    loadSync('envoy/service/auth/v3/external_auth.proto', {
      ...LOADER_OPTIONS,
      includeDirs: ['envoy-api', 'googleapis', 'protoc-gen-validate', 'xds'].map((dir) =>
        join(depsDir, dir),
      ),
    }),
  );
  return envoyRoot;
}

// grpc.health.v1 as specified in grpc/doc/health-checking.md, written out here rather than read
// from pps-gate's proto/, so the server's copy is checked against the spec, not against itself.
const HEALTH_DESCRIPTOR: Parameters<typeof fromJSON>[0] = {
  nested: {
    grpc: {
      nested: {
        health: {
          nested: {
            v1: {
              nested: {
                HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
                HealthCheckResponse: {
                  fields: { status: { type: 'ServingStatus', id: 1 } },
                  nested: {
                    ServingStatus: {
                      values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 },
                    },
                  },
                },
                Health: {
                  methods: {
                    Check: {
                      requestType: 'HealthCheckRequest',
                      responseType: 'HealthCheckResponse',
                      comment: '',
                    },
                    Watch: {
                      requestType: 'HealthCheckRequest',
                      responseType: 'HealthCheckResponse',
                      responseStream: true,
                      comment: '',
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

export interface EnvoyAuthClient {
  check(request: unknown): Promise<EnvoyCheckResponse>;
  close(): void;
}

export function createEnvoyAuthClient(address: string): EnvoyAuthClient {
  const Authorization = service(loadEnvoyAuthProtos(), 'envoy.service.auth.v3.Authorization');
  const client = new Authorization(address, credentials.createInsecure()) as Client & {
    Check: Unary<unknown, EnvoyCheckResponse>;
  };
  return {
    check: (request) =>
      new Promise((resolve, reject) =>
        client.Check(request, (error, response) => (error ? reject(error) : resolve(response))),
      ),
    close: () => client.close(),
  };
}

export interface HealthClient {
  /** Resolves with the status name, or rejects with the gRPC error (e.g. NOT_FOUND). */
  check(service: string): Promise<string>;
  close(): void;
}

export function createHealthClient(address: string): HealthClient {
  const Health = service(
    loadPackageDefinition(fromJSON(HEALTH_DESCRIPTOR, LOADER_OPTIONS)),
    'grpc.health.v1.Health',
  );
  const client = new Health(address, credentials.createInsecure()) as Client & {
    Check: Unary<{ service: string }, { status: string }>;
  };
  return {
    check: (name) =>
      new Promise((resolve, reject) =>
        client.Check({ service: name }, (error, response) =>
          error ? reject(error) : resolve(response.status),
        ),
      ),
    close: () => client.close(),
  };
}
