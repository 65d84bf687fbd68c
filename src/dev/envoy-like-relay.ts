// What Envoy's ext_authz filter does with a CheckResponse, reduced to the demo's needs: ask
// Check over gRPC, then either answer the denied_response or apply the header mutations
// (set, then remove, as Envoy orders them) and forward to the upstream.
import { credentials, type Client } from '@grpc/grpc-js';
import { loadGateProtos } from '../transport/grpc/load-protos.js';
import type { CheckResponseMessage } from '../transport/grpc/check-response.js';

export interface RelayResult {
  readonly status: number;
  readonly reason: string | undefined;
  readonly body: string;
}

export interface EnvoyLikeRelay {
  send(path: string, headers: Record<string, string>, body: string): Promise<RelayResult>;
  close(): void;
}

type CheckFn = (
  request: unknown,
  callback: (error: Error | null, response: CheckResponseMessage) => void,
) => void;

export function createEnvoyLikeRelay(grpcAddress: string, upstreamUrl: string): EnvoyLikeRelay {
  const { authorization } = loadGateProtos();
  const client = new authorization(
    grpcAddress,
    credentials.createInsecure(),
  ) as unknown as Client & { Check: CheckFn };
  const check = (request: unknown): Promise<CheckResponseMessage> =>
    new Promise((resolve, reject) =>
      client.Check(request, (error, response) => (error ? reject(error) : resolve(response))),
    );

  return {
    async send(path, headers, body) {
      const lower = Object.fromEntries(
        Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]),
      );
      const response = await check({
        attributes: {
          request: { http: { method: 'POST', path, host: 'webhooks.local', headers: lower } },
        },
      });
      if (response.status.code !== 0 || response.ok_response === undefined) {
        const denied = response.denied_response;
        const reason = denied?.headers.find((h) => h.header.key === 'x-pps-gate-reason')?.header
          .value;
        return { status: denied?.status.code ?? 403, reason, body: denied?.body ?? '' };
      }
      const forwarded = { ...lower };
      for (const option of response.ok_response.headers)
        forwarded[option.header.key] = option.header.value;
      for (const name of response.ok_response.headers_to_remove) delete forwarded[name];
      const upstream = await fetch(`${upstreamUrl}${path}`, {
        method: 'POST',
        headers: forwarded,
        body,
      });
      return { status: upstream.status, reason: undefined, body: await upstream.text() };
    },
    close: () => client.close(),
  };
}
