// A minimal Envoy-like ext_authz client for the reload tests: sends a webhook's headers as a
// CheckRequest over gRPC and boils the CheckResponse down to allow (with issuer) or deny (reason).
import { randomUUID } from 'node:crypto';
import { credentials, type Client } from '@grpc/grpc-js';
import { loadGateProtos } from '../../src/transport/grpc/load-protos.js';

export type CheckOutcome =
  | { readonly kind: 'allow'; readonly issuer: string | undefined }
  | { readonly kind: 'deny'; readonly reason: string; readonly httpStatus: number }
  | { readonly kind: 'error'; readonly message: string };

interface CheckResponse {
  status?: { code?: number; message?: string };
  ok_response?: { headers?: { header?: { key?: string; value?: string } }[] };
  denied_response?: { status?: { code?: number | string } };
}

type HealthMethod = (
  request: { service: string },
  callback: (error: Error | null, response?: { status?: number | string }) => void,
) => void;
type CheckMethod = (
  request: unknown,
  callback: (error: Error | null, response?: CheckResponse) => void,
) => void;

export interface CheckClient {
  check(token: string): Promise<CheckOutcome>;
  /** grpc.health.v1 status of a service ("" is the whole server; the default asks for readiness). */
  health(service?: string): Promise<string>;
  close(): void;
}

export function createCheckClient(address: string): CheckClient {
  const { authorization, health } = loadGateProtos();
  const client = new authorization(address, credentials.createInsecure()) as unknown as Client & {
    Check: CheckMethod;
  };
  const healthClient = new health(address, credentials.createInsecure()) as unknown as Client & {
    Check: HealthMethod;
  };
  return {
    check: (token) =>
      new Promise((resolve) => {
        const headers = {
          authorization: `Bearer ${token}`,
          'x-pps-topic': 'orders/placed',
          'x-pps-tenant-id': 'OU1243',
          'x-pps-webhook-id': randomUUID(),
          'x-pps-triggered-at': '2024-01-1T10:00:00.7777748Z',
        };
        const request = {
          attributes: { request: { http: { method: 'POST', path: '/webhooks/orders', headers } } },
        };
        client.Check(request, (error, response) => {
          if (error !== null || response === undefined)
            return resolve({ kind: 'error', message: error?.message ?? 'no response' });
          if ((response.status?.code ?? 0) === 0) {
            const issuer = response.ok_response?.headers?.find(
              (h) => h.header?.key === 'x-pps-auth-issuer',
            )?.header?.value;
            return resolve({ kind: 'allow', issuer });
          }
          resolve({
            kind: 'deny',
            reason: response.status?.message ?? '',
            httpStatus: Number(response.denied_response?.status?.code ?? 0),
          });
        });
      }),
    health: (service = 'envoy.service.auth.v3.Authorization') =>
      new Promise((resolve, reject) =>
        healthClient.Check({ service }, (error, response) =>
          error === null ? resolve(String(response?.status)) : reject(error),
        ),
      ),
    close: () => {
      client.close();
      healthClient.close();
    },
  };
}
