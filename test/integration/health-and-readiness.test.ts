// Health and readiness of the built server whose only trusted issuer is down: the gRPC health
// service (as kubelet gRPC probes and Envoy health checks call it) and the admin port.
import { status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import { createHealthClient, type HealthClient } from '../support/envoy-client.js';
import { startGateProcess, type GateProcess } from '../support/start-gate-process.js';
import { webhookHeaders } from '../support/webhook-fixtures.js';

let issuer: LocalIssuer;
let gate: GateProcess;
let health: HealthClient;

beforeAll(async () => {
  issuer = await startLocalIssuer({ project: 'pps-only-one' });
  issuer.mode = 'down';
  gate = await startGateProcess({
    config: {
      issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }],
      allowInsecureHttp: true,
    },
  });
  health = createHealthClient(gate.grpcAddress);
});

afterAll(async () => {
  health?.close();
  if (gate?.child.exitCode === null) await gate.stop();
  await issuer?.close();
});

describe('a gRPC health client (standing in for a kubelet gRPC probe)', () => {
  it('gets SERVING for the whole server ("")', async () => {
    expect(await health.check('')).toBe('SERVING');
  });

  it('gets SERVING for envoy.service.auth.v3.Authorization', async () => {
    expect(await health.check('envoy.service.auth.v3.Authorization')).toBe('SERVING');
  });

  it('gets NOT_FOUND for a service the server does not have', async () => {
    const error = (await health.check('grpc.nope.v1.Nothing').then(
      () => undefined,
      (e: unknown) => e,
    )) as ServiceError | undefined;
    expect(error?.code).toBe(grpcStatus.NOT_FOUND);
  });
});

describe('the admin port while the only issuer is down', () => {
  it('answers /healthz with 200', async () => {
    const response = await fetch(`${gate.adminUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200: readiness never waits on a remote issuer', async () => {
    // Prove the issuer really is down from the gate's side first: a valid-looking token gets 503.
    const check = await fetch(gate.httpUrl, { headers: webhookHeaders(await issuer.sign()) });
    expect(check.status).toBe(503);
    expect(issuer.fetches.discovery).toBeGreaterThanOrEqual(1);

    const response = await fetch(`${gate.adminUrl}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ready: true });
  });
});

describe('the server process on SIGTERM', () => {
  it('drains and exits 0, logging that it stopped', async () => {
    expect(await gate.stop()).toEqual({ code: 0, signal: null });
    const messages = gate.stdoutLines().map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages.some((msg) => msg.startsWith('draining'))).toBe(true);
    expect(messages.at(-1)).toBe('stopped');
  });
});
