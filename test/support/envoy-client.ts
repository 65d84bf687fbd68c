// gRPC clients that stand in for Envoy: envoy.service.auth.v3.Authorization built from ENVOY'S
// OWN protos (@grpc/grpc-js-xds/deps), not pps-gate's proto/, so a passing test proves the wire
// format matches; and grpc.health.v1.Health as Envoy and kubelet probes speak it. Message and
// client types are generated (npm run gen:proto) into ./generated.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { credentials, loadPackageDefinition, type ClientReadableStream } from '@grpc/grpc-js';
import { fromJSON, loadSync, type EnumTypeDefinition } from '@grpc/proto-loader';
import type { ProtoGrpcType as EnvoyAuthProtos } from './generated/envoy/external_auth.js';
import type { ProtoGrpcType as HealthProtos } from './generated/health/health.js';
import type { HealthCheckResponse__Output } from './generated/health/grpc/health/v1/HealthCheckResponse.js';
import {
  headerOption,
  headersCheckRequest,
  type CheckRequest,
  type EnvoyCheckResponse,
} from './envoy-messages.js';
import { webhookHeaders } from './webhook-fixtures.js';

export * from './envoy-messages.js';

const require = createRequire(import.meta.url);
const depsDir = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');

/** The options Envoy's own Node tooling uses; enums arrive as their names. gen:proto matches them. */
const LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;

let envoyProtos: { grpc: EnvoyAuthProtos; httpStatus: ReadonlyMap<string, number> } | undefined;

/** Envoy's external_auth.proto with its real imports (validate, udpa/xds annotations, googleapis). */
function loadEnvoyAuthProtos(): NonNullable<typeof envoyProtos> {
  if (envoyProtos !== undefined) return envoyProtos;
  const definition = loadSync('envoy/service/auth/v3/external_auth.proto', {
    ...LOADER_OPTIONS,
    includeDirs: ['envoy-api', 'googleapis', 'protoc-gen-validate', 'xds'].map((dir) =>
      join(depsDir, dir),
    ),
  });
  // An EnumTypeDefinition's `type` is the google.protobuf.EnumDescriptorProto object.
  const statusCode = (definition['envoy.type.v3.StatusCode'] as EnumTypeDefinition).type as {
    value: { name: string; number: number }[];
  };
  envoyProtos = {
    // proto-loader's documented pattern: the generated ProtoGrpcType describes this object.
    grpc: loadPackageDefinition(definition) as unknown as EnvoyAuthProtos,
    httpStatus: new Map(statusCode.value.map((value) => [value.name, value.number])),
  };
  return envoyProtos;
}

/** The HTTP status an envoy.type.v3.StatusCode name (enums: String) stands for, from Envoy's proto. */
export function httpStatusCode(name: string): number {
  const code = loadEnvoyAuthProtos().httpStatus.get(name);
  if (code === undefined) throw new Error(`${name} is not an envoy.type.v3.StatusCode`);
  return code;
}

/** What a CheckResponse means to Envoy, boiled down; `error` is a failed call (Envoy's failure_mode_allow decides). */
export type CheckOutcome =
  | { readonly kind: 'allow'; readonly issuer: string | undefined }
  | { readonly kind: 'deny'; readonly reason: string; readonly httpStatus: number }
  | { readonly kind: 'error'; readonly message: string };

/**
 * Allow only with an explicit OK status and an ok_response (to Envoy an unset status also means
 * allow, which pps-gate never sends); deny with the x-pps-gate-reason header and HTTP status.
 */
export function checkOutcome(response: EnvoyCheckResponse): CheckOutcome {
  if (response.status?.code === 0 && response.http_response === 'ok_response')
    return {
      kind: 'allow',
      issuer: headerOption(response.ok_response?.headers, 'x-pps-auth-issuer')?.header.value,
    };
  const denied = response.denied_response;
  return {
    kind: 'deny',
    reason:
      headerOption(denied?.headers, 'x-pps-gate-reason')?.header.value ?? 'deny without reason',
    httpStatus: denied?.status ? httpStatusCode(denied.status.code) : 0,
  };
}

/** 'allow', or the deny reason, or `error: message`: one word per outcome, for tallies. */
export function outcomeLabel(outcome: CheckOutcome): string {
  if (outcome.kind === 'allow') return 'allow';
  return outcome.kind === 'deny' ? outcome.reason : `error: ${outcome.message}`;
}

export interface EnvoyAuthClient {
  /** The CheckResponse as Envoy receives it; rejects with the gRPC error. */
  check(request: CheckRequest): Promise<EnvoyCheckResponse>;
  /** A well-formed webhook carrying `token` (webhookHeaders), as an outcome; a failed call is `error`. */
  checkToken(token: string | undefined): Promise<CheckOutcome>;
  close(): void;
}

export function createEnvoyAuthClient(address: string): EnvoyAuthClient {
  const { Authorization } = loadEnvoyAuthProtos().grpc.envoy.service.auth.v3;
  const client = new Authorization(address, credentials.createInsecure());
  const check = (request: CheckRequest): Promise<EnvoyCheckResponse> =>
    new Promise((resolve, reject) =>
      client.Check(request, (error, response) =>
        error || response === undefined
          ? reject(error ?? new Error('no response'))
          : resolve(response),
      ),
    );
  return {
    check,
    checkToken: (token) =>
      check(headersCheckRequest(webhookHeaders(token))).then(checkOutcome, (error: Error) => ({
        kind: 'error',
        message: error.message,
      })),
    close: () => client.close(),
  };
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

/** The default readiness service: what Envoy's gRPC health check and the chart's probes ask for. */
export const AUTHORIZATION_SERVICE = 'envoy.service.auth.v3.Authorization';

export interface HealthClient {
  /** Resolves with the status name (e.g. 'SERVING'), or rejects with the gRPC error (e.g. NOT_FOUND). */
  check(service: string): Promise<HealthCheckResponse__Output['status']>;
  /** A Watch stream, as grpc-js clients with health checking keep open. */
  watch(service: string): ClientReadableStream<HealthCheckResponse__Output>;
  close(): void;
}

export function createHealthClient(address: string): HealthClient {
  // proto-loader's documented pattern: the generated ProtoGrpcType describes this object.
  const protos = loadPackageDefinition(
    fromJSON(HEALTH_DESCRIPTOR, LOADER_OPTIONS),
  ) as unknown as HealthProtos;
  const client = new protos.grpc.health.v1.Health(address, credentials.createInsecure());
  return {
    check: (name) =>
      new Promise((resolve, reject) =>
        client.Check({ service: name }, (error, response) =>
          error || response === undefined
            ? reject(error ?? new Error('no response'))
            : resolve(response.status),
        ),
      ),
    watch: (name) => client.Watch({ service: name }),
    close: () => client.close(),
  };
}
