// The gRPC transport: envoy.service.auth.v3.Authorization/Check, grpc.health.v1.Health and, for
// dedup's delivery confirmations, envoy.service.accesslog.v3.AccessLogService.
// Thin by design: decode, run the shared check, encode. A Check always answers with a
// CheckResponse, never a gRPC error, because Envoy maps call errors to status_on_error.
import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import type { Readiness } from '../../lifecycle/readiness.js';
import { reportUnreadable, runCheck, type CheckDeps } from '../../pipeline/run-check.js';
import type { AccessLogService } from './access-log-service.js';
import { toWebhookRequest, type CheckRequestMessage } from './check-request.js';
import { toCheckResponse } from './check-response.js';
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

export async function startGrpcServer(
  host: string,
  port: number,
  deps: CheckDeps,
  services: GrpcServices,
): Promise<GrpcServerHandle> {
  const { readiness, accessLog } = services;
  const protos = loadGateProtos();
  const server = new Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
  server.addService(protos.authorization.service, {
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
        void result.then((decision) => callback(null, toCheckResponse(decision)));
      else callback(null, toCheckResponse(result));
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
