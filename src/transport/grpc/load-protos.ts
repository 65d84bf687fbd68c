// Loads the .proto files pps-gate serves (proto/ at the package root) with proto-loader.
import { fileURLToPath } from 'node:url';
import {
  loadPackageDefinition,
  type GrpcObject,
  type ServiceClientConstructor,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** proto/ sits at the package root, three levels above both src/transport/grpc and dist/transport/grpc. */
export const PROTO_ROOT = fileURLToPath(new URL('../../../proto', import.meta.url));

const LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: Number,
  defaults: false,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

export interface GateProtos {
  readonly authorization: ServiceClientConstructor;
  readonly health: ServiceClientConstructor;
  readonly accessLog: ServiceClientConstructor;
}

function lookup(root: GrpcObject, path: string): ServiceClientConstructor {
  let node: unknown = root;
  for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
  if (typeof node !== 'function') throw new Error(`proto service ${path} not found`);
  return node as ServiceClientConstructor;
}

export function loadGateProtos(): GateProtos {
  const definition = loadSync(
    [
      'envoy/service/auth/v3/external_auth.proto',
      'grpc/health/v1/health.proto',
      'envoy/service/accesslog/v3/als.proto',
    ],
    LOADER_OPTIONS,
  );
  const root = loadPackageDefinition(definition);
  return {
    authorization: lookup(root, 'envoy.service.auth.v3.Authorization'),
    health: lookup(root, 'grpc.health.v1.Health'),
    accessLog: lookup(root, 'envoy.service.accesslog.v3.AccessLogService'),
  };
}
