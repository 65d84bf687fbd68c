// Test-side helpers for the operations tests: an ext_authz Check client over gRPC (pps-gate's own
// protos), webhook headers, and scraping the admin port.
import { randomUUID } from 'node:crypto';
import { credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadGateProtos } from '../../src/transport/grpc/load-protos.js';
import type { CheckResponseMessage } from '../../src/transport/grpc/check-response.js';
import { parseExposition, type Family } from './exposition-format.js';

type CheckFn = (
  request: unknown,
  callback: (error: ServiceError | null, response: CheckResponseMessage) => void,
) => void;

export interface CheckClient {
  check(headers: Record<string, string>, id?: string): Promise<CheckResponseMessage>;
  close(): void;
}

export function checkClient(address: string): CheckClient {
  const { authorization } = loadGateProtos();
  const client = new authorization(address, credentials.createInsecure()) as unknown as Client & {
    Check: CheckFn;
  };
  return {
    check: (headers, id) =>
      new Promise((resolve, reject) =>
        client.Check(
          {
            attributes: {
              request: {
                http: { id, method: 'POST', path: '/hooks', host: 'hooks.test', headers },
              },
            },
          },
          (error, response) => (error ? reject(error) : resolve(response)),
        ),
      ),
    close: () => client.close(),
  };
}

export function webhookHeaders(
  token: string | undefined,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    'x-pps-topic': 'orders/placed',
    'x-pps-tenant-id': 'OU1243',
    'x-pps-webhook-id': randomUUID(),
    'x-pps-triggered-at': '2024-01-01T10:00:00Z',
    ...overrides,
  };
}

/** The reason a CheckResponse carries (from the deny header), or 'allow'. */
export function outcome(response: CheckResponseMessage): string {
  if (response.ok_response !== undefined && response.status.code === 0) return 'allow';
  return (
    response.denied_response?.headers.find((h) => h.header.key === 'x-pps-gate-reason')?.header
      .value ?? 'deny without reason'
  );
}

export async function scrape(
  adminPort: number,
): Promise<{ text: string; families: Map<string, Family>; contentType: string | null }> {
  const response = await fetch(`http://127.0.0.1:${adminPort}/metrics`);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${text}`);
  return {
    text,
    families: parseExposition(text),
    contentType: response.headers.get('content-type'),
  };
}
