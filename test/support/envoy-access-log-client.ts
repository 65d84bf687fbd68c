// Stands in for Envoy's gRPC access logger (envoy.access_loggers.http_grpc), built from ENVOY'S
// OWN protos (@grpc/grpc-js-xds/deps: envoy/service/accesslog/v3/als.proto), so a passing test
// proves pps-gate's trimmed proto/ copy decodes what Envoy sends. Like Envoy, the first message
// of a stream carries the identifier {node, log_name}; entries follow in batches.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { credentials, loadPackageDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { ProtoGrpcType as AccessLogProtos } from './generated/envoy/als.js';
import type { HTTPAccessLogEntry } from './generated/envoy/envoy/data/accesslog/v3/HTTPAccessLogEntry.js';

const require = createRequire(import.meta.url);
const depsDir = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');

let root: AccessLogProtos | undefined;

function loadAccessLogProtos(): AccessLogProtos {
  // proto-loader's documented pattern: the generated ProtoGrpcType describes this object.
  root ??= loadPackageDefinition(
    loadSync('envoy/service/accesslog/v3/als.proto', {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
      includeDirs: ['envoy-api', 'googleapis', 'protoc-gen-validate', 'xds'].map((dir) =>
        join(depsDir, dir),
      ),
    }),
  ) as unknown as AccessLogProtos;
  return root;
}

export interface EntryOptions {
  /** Put the key where Envoy puts ext_authz dynamic metadata. */
  readonly metadataKey?: string;
  /** Log it as the request header x-pps-delivery-key (additional_request_headers_to_log). */
  readonly headerKey?: string;
  /** The response code Envoy logged; omitted: no response code (e.g. downstream reset). */
  readonly status?: number;
  /** ext_authz denied the request (response flag UAEX). */
  readonly deniedByExtAuthz?: boolean;
  readonly path?: string;
}

/** An envoy.data.accesslog.v3.HTTPAccessLogEntry as Envoy fills it. */
export function httpLogEntry(options: EntryOptions): HTTPAccessLogEntry {
  const headers: Record<string, string> = { 'x-request-id': 'req-1' };
  if (options.headerKey !== undefined) headers['x-pps-delivery-key'] = options.headerKey;
  const filterMetadata: NonNullable<
    NonNullable<NonNullable<HTTPAccessLogEntry['common_properties']>['metadata']>['filter_metadata']
  > = {
    'envoy.filters.http.router': { fields: { note: { stringValue: 'unrelated' } } },
  };
  if (options.metadataKey !== undefined)
    // protobufjs's built-in google.protobuf.Struct keeps camelCase names even with keepCase.
    filterMetadata['envoy.filters.http.ext_authz'] = {
      fields: {
        delivery_key: { stringValue: options.metadataKey },
        issuer: { stringValue: 'https://issuer.example' },
      },
    };
  return {
    common_properties: {
      sample_rate: 1,
      start_time: { seconds: '1764504000', nanos: 0 },
      upstream_cluster: 'app',
      metadata: { filter_metadata: filterMetadata },
      response_flags: options.deniedByExtAuthz
        ? { unauthorized_details: { reason: 'EXTERNAL_SERVICE' } }
        : {},
      route_name: 'webhooks',
    },
    protocol_version: 'HTTP11',
    request: {
      request_method: 'POST',
      scheme: 'http',
      authority: 'app.example',
      path: options.path ?? '/webhooks',
      request_headers: headers,
    },
    response:
      options.status === undefined
        ? { response_code_details: 'downstream_remote_disconnect' }
        : { response_code: { value: options.status }, response_code_details: 'via_upstream' },
  };
}

export interface AccessLogStream {
  /** Sends one StreamAccessLogsMessage with these HTTP entries. */
  send(entries: readonly HTTPAccessLogEntry[]): void;
  /** Half-closes; resolves once pps-gate answered the stream. */
  end(): Promise<void>;
  /** Breaks the stream without ending it (as when Envoy restarts). */
  cancel(): void;
}

export interface EnvoyAccessLogClient {
  open(): AccessLogStream;
  close(): void;
}

export function createEnvoyAccessLogClient(address: string): EnvoyAccessLogClient {
  const { AccessLogService } = loadAccessLogProtos().envoy.service.accesslog.v3;
  const client = new AccessLogService(address, credentials.createInsecure());
  return {
    open() {
      let answered!: (error: ServiceError | null) => void;
      const done = new Promise<ServiceError | null>((resolve) => (answered = resolve));
      const call = client.StreamAccessLogs((error) => answered(error));
      let first = true;
      return {
        send(entries) {
          call.write({
            ...(first
              ? {
                  identifier: { node: { id: 'envoy-test', cluster: 'edge' }, log_name: 'pps-gate' },
                }
              : {}),
            http_logs: { log_entry: [...entries] },
          });
          first = false;
        },
        async end() {
          call.end();
          const error = await done;
          if (error) throw error;
        },
        cancel() {
          call.cancel();
        },
      };
    },
    close: () => client.close(),
  };
}
