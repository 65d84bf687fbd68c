// The gRPC transport: envoy.service.auth.v3.Authorization/Check and grpc.health.v1.Health.
// Thin by design: decode, run the shared check, encode. A Check always answers with a
// CheckResponse, never a gRPC error, because Envoy maps call errors to status_on_error.
import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import type { Readiness } from '../../lifecycle/readiness.js';
import { reportUnreadable, runCheck, type CheckDeps } from '../../pipeline/run-check.js';
import { toWebhookRequest, type CheckRequestMessage } from './check-request.js';
import { toCheckResponse } from './check-response.js';
import { healthService } from './health-service.js';
import { loadGateProtos } from './load-protos.js';

export interface GrpcServerHandle {
  readonly port: number;
  /** Stops accepting calls and waits for in-flight ones (bounded by `graceMs`). */
  close(graceMs: number): Promise<void>;
}

export async function startGrpcServer(
  host: string,
  port: number,
  deps: CheckDeps,
  readiness: Readiness,
): Promise<GrpcServerHandle> {
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
