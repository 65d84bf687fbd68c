// grpc.health.v1.Health (https://github.com/grpc/grpc/blob/master/doc/health-checking.md), used by
// Kubernetes' native gRPC probes and Envoy health checks.
import {
  status as grpcStatus,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Readiness } from '../../lifecycle/readiness.js';

export const AUTHORIZATION_SERVICE = 'envoy.service.auth.v3.Authorization';
const KNOWN_SERVICES = new Set(['', AUTHORIZATION_SERVICE]);

interface HealthRequest {
  service?: string;
}

type ServingStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

export function healthService(readiness: Readiness): UntypedServiceImplementation {
  // "" is the server as a whole (liveness: listening, not draining); the Authorization service is
  // ready only with a config loaded too, so probes can tell "waiting for config" from "broken".
  const statusOf = (service: string): ServingStatus => {
    if (!KNOWN_SERVICES.has(service)) return 'SERVICE_UNKNOWN';
    const serving = service === '' ? readiness.up : readiness.ready;
    return serving ? 'SERVING' : 'NOT_SERVING';
  };
  return {
    Check(call: ServerUnaryCall<HealthRequest, unknown>, callback: sendUnaryData<unknown>): void {
      const service = call.request.service ?? '';
      if (!KNOWN_SERVICES.has(service)) {
        callback({ code: grpcStatus.NOT_FOUND, details: `unknown service ${service}` });
        return;
      }
      callback(null, { status: statusOf(service) });
    },
    Watch(call: ServerWritableStream<HealthRequest, unknown>): void {
      const service = call.request.service ?? '';
      let last: ServingStatus | undefined;
      const send = (): void => {
        const current = statusOf(service);
        if (current !== last) call.write({ status: current });
        last = current;
      };
      // Once draining, NOT_SERVING is the last word: ending the stream lets the server's graceful
      // shutdown finish instead of waiting on this never-ending call until the drain timeout.
      const sendOrEnd = (): void => {
        send();
        if (!readiness.isDraining) return;
        readiness.off('change', sendOrEnd);
        call.end();
      };
      readiness.on('change', sendOrEnd);
      call.on('cancelled', () => readiness.off('change', sendOrEnd));
      call.on('close', () => readiness.off('change', sendOrEnd));
      sendOrEnd();
    },
  };
}
