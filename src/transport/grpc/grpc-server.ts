// The gRPC transport: envoy.service.auth.v3.Authorization/Check, grpc.health.v1.Health and, for
// dedup's delivery confirmations, envoy.service.accesslog.v3.AccessLogService.
// Thin by design: decode, run the shared check, encode. A Check always answers with a
// CheckResponse, never a gRPC error, because Envoy maps call errors to status_on_error.
import {
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
} from '@grpc/grpc-js';
import type { Readiness } from '../../lifecycle/readiness.js';
import type { Decision } from '../../pipeline/decision.js';
import { reportUnreadable, runCheck, type CheckDeps } from '../../pipeline/run-check.js';
import type { AccessLogService } from './access-log-service.js';
import { toWebhookRequest, type CheckRequestMessage } from './check-request.js';
import { encodeAllowResponse } from './allow-response.js';
import { toCheckResponse, type CheckResponseMessage } from './check-response.js';
import { healthService } from './health-service.js';
import { loadGateProtos } from './load-protos.js';

export interface GrpcServerHandle {
  readonly port: number;
  /** Stops accepting calls and waits for in-flight ones (bounded by `graceMs`). */
  close(graceMs: number): Promise<void>;
}

export interface GrpcServices {
  readonly readiness: Readiness;
  /** Envoy's access log (dedup confirmations); its streams are ended when the server closes. */
  readonly accessLog?: AccessLogService;
}

// Allows go out as bytes assembled from parts built once per verified identity
// (allow-response.ts); denies as messages protobufjs encodes.
const encodeDecision = (decision: Decision): Buffer | CheckResponseMessage =>
  decision.allowed ? encodeAllowResponse(decision) : toCheckResponse(decision);

/** The Authorization service with a Check serializer that passes pre-encoded bytes through. */
function withPreEncodedAllows(service: ServiceDefinition): ServiceDefinition {
  const check = service.Check!;
  return {
    ...service,
    Check: {
      ...check,
      responseSerialize: (value: unknown): Buffer =>
        Buffer.isBuffer(value) ? value : check.responseSerialize(value),
    },
  };
}

export async function startGrpcServer(
  host: string,
  port: number,
  deps: CheckDeps,
  services: GrpcServices,
): Promise<GrpcServerHandle> {
  const { readiness, accessLog } = services;
  const protos = loadGateProtos();
  const server = new Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
  server.addService(withPreEncodedAllows(protos.authorization.service), {
    Check(
      call: ServerUnaryCall<CheckRequestMessage, unknown>,
      callback: sendUnaryData<unknown>,
    ): void {
      let request;
      try {
        request = toWebhookRequest(call.request, deps.now());
      } catch (error) {
        const detail = `cannot read CheckRequest: ${(error as Error).message}`;
        callback(null, toCheckResponse(reportUnreadable('grpc', detail, deps)));
        return;
      }
      const result = runCheck(request, 'grpc', deps);
      if (result instanceof Promise)
        void result.then((decision) => callback(null, encodeDecision(decision)));
      else callback(null, encodeDecision(result));
    },
  });
  server.addService(protos.health.service, healthService(readiness));
  if (accessLog !== undefined) server.addService(protos.accessLog.service, accessLog.handlers);
  const boundPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${host.includes(':') ? `[${host}]` : host}:${port}`,
      ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    );
  });
  return {
    port: boundPort,
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        // Envoy's access-log streams never end by themselves; answer them so the drain can finish.
        accessLog?.endStreams();
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
