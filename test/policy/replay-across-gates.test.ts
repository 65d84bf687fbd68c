// The replay guard held across replicas: two built gateway processes (`node dist/main.js serve`)
// sharing one real redis-server on loopback, checked through gRPC (a client on Envoy's own
// protos, standing in for Envoy) and the HTTP forward-auth port.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import {
  createEnvoyAuthClient,
  headerOption,
  headersCheckRequest,
  type EnvoyAuthClient,
} from '../support/envoy-client.js';
import { startGateProcess, type GateProcess } from '../support/start-gate-process.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { webhookHeaders } from '../support/webhook-fixtures.js';

let redis: RedisServer | undefined;
let issuer: LocalIssuer;
let gates: GateProcess[] = [];
let clients: EnvoyAuthClient[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  issuer = await startLocalIssuer({ project: 'pps-replay' });
  const config = {
    issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience], replay: 'jti' }],
    allowInsecureHttp: true,
    dedup: { store: 'redis', redis: { url: redis.url, keyPrefix: 'replay-test:' } },
  };
  gates = await Promise.all([startGateProcess({ config }), startGateProcess({ config })]);
  clients = gates.map((gate) => createEnvoyAuthClient(gate.grpcAddress));
});

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(gates.map((gate) => gate.stop()));
  await issuer?.close();
  await redis?.stop();
});

interface Outcome {
  readonly allowed: boolean;
  readonly reason: string | undefined;
  readonly status: number | string;
  readonly retryAfter?: string | undefined;
}

async function viaGrpc(gate: number, headers: Record<string, string>): Promise<Outcome> {
  const response = await clients[gate]!.check(headersCheckRequest(headers));
  const allowed = response.status?.code === 0;
  return {
    allowed,
    reason: allowed ? undefined : response.status?.message,
    status: allowed ? 'OK' : (response.denied_response?.status?.code ?? 'none'),
    retryAfter: headerOption(response.denied_response?.headers, 'retry-after')?.header.value,
  };
}

async function viaHttp(gate: number, headers: Record<string, string>): Promise<Outcome> {
  const response = await fetch(`${gates[gate]!.httpUrl}/webhooks`, { method: 'POST', headers });
  const body = await response.text();
  return {
    allowed: response.status === 200,
    reason: response.status === 200 ? undefined : (JSON.parse(body) as { reason: string }).reason,
    status: response.status,
    retryAfter: response.headers.get('retry-after') ?? undefined,
  };
}

const signWithJti = (): Promise<string> => issuer.sign({ claims: { jti: randomUUID() } });

describe('two gateway processes sharing one Redis under replay: jti', () => {
  it('let a token through either gate for its own webhook id, as often as it is redelivered', async () => {
    const token = await signWithJti();
    const headers = webhookHeaders(token);
    expect(await viaGrpc(0, headers)).toMatchObject({ allowed: true });
    expect(await viaHttp(1, headers)).toMatchObject({ allowed: true });
    expect(await viaGrpc(1, headers)).toMatchObject({ allowed: true });
    expect(await viaHttp(0, headers)).toMatchObject({ allowed: true });
  });

  it('deny on the second gate a token the first gate let through for another webhook id', async () => {
    const token = await signWithJti();
    expect(await viaGrpc(0, webhookHeaders(token))).toMatchObject({ allowed: true });
    expect(await viaGrpc(1, webhookHeaders(token))).toEqual({
      allowed: false,
      reason: 'token_replayed',
      status: 'Forbidden',
      retryAfter: undefined,
    });
    expect(await viaHttp(1, webhookHeaders(token))).toMatchObject({
      allowed: false,
      reason: 'token_replayed',
      status: 403,
    });
    expect(await viaHttp(0, webhookHeaders(token))).toMatchObject({ reason: 'token_replayed' });
  });

  it('answer 503 replay_store_unavailable with retry-after once Redis is gone', async () => {
    await redis?.stop();
    redis = undefined;
    const headers = webhookHeaders(await signWithJti());
    expect(await viaGrpc(0, headers)).toEqual({
      allowed: false,
      reason: 'replay_store_unavailable',
      status: 'ServiceUnavailable',
      retryAfter: '1',
    });
    expect(await viaHttp(1, headers)).toMatchObject({
      allowed: false,
      reason: 'replay_store_unavailable',
      status: 503,
      retryAfter: '1',
    });
  });
});
