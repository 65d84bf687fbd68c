// Rolling pps-gate must not drop a webhook: SIGTERM during a burst of 500 gRPC checks (plus 50 over
// HTTP forward-auth), all of them waiting on a slow key fetch, answers every one of them, reports
// not-ready while draining, stops accepting, and exits 0. The built CLI runs as a child process.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import {
  checkOutcome,
  createEnvoyAuthClient,
  headersCheckRequest,
  outcomeLabel,
  type EnvoyAuthClient,
} from '../support/envoy-client.js';
import { webhookHeaders } from '../support/webhook-fixtures.js';
import { scrape } from './scrape.js';
import { sampleValue } from './exposition-format.js';
import { EPHEMERAL_LOOPBACK_PORTS, spawnGate, type GateChild } from '../support/gate-child.js';

const GRPC_CHECKS = 500;
const HTTP_CHECKS = 50;
/** Long enough that the whole burst and the SIGTERM land while the key fetch is still pending. */
const SLOW_JWKS_MS = 4000;

let issuer: LocalIssuer;
let gate: GateChild;
let client: EnvoyAuthClient;
const ports = { grpc: 0, http: 0, admin: 0 };

beforeAll(async () => {
  issuer = await startLocalIssuer({ project: 'ops-drain' });
  issuer.mode = 'slow';
  issuer.slowMs = SLOW_JWKS_MS;
  const dir = mkdtempSync(join(tmpdir(), 'pps-gate-drain-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience], jwksUri: issuer.jwksUri }],
      // Checks must still be waiting on the fetch when SIGTERM lands: a wait budget past the
      // fetch (the 150 ms default would answer them 503 before the signal).
      jwks: { fetchTimeoutMs: 15_000, requestWaitMs: 15_000 },
      allowInsecureHttp: true,
    }),
  );
  gate = spawnGate([
    'serve',
    '--config',
    configPath,
    ...EPHEMERAL_LOOPBACK_PORTS,
    '--log-format',
    'json',
    '--drain-timeout-ms',
    '15000',
  ]);
  const serving = await gate.waitForLog('pps-gate serving');
  Object.assign(ports, {
    grpc: serving.grpcPort,
    http: serving.httpPort,
    admin: serving.adminPort,
  });
  client = createEnvoyAuthClient(`127.0.0.1:${ports.grpc}`);
});

afterAll(async () => {
  client?.close();
  if (gate?.child.exitCode === null) gate.child.kill('SIGKILL');
  await issuer?.close();
});

async function inFlight(): Promise<number> {
  return sampleValue((await scrape(ports.admin)).families, 'pps_gate_checks_in_flight');
}

async function waitUntil(what: string, condition: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('SIGTERM during a burst of in-flight checks', () => {
  it('answers all 550 checks waiting on a slow key fetch, reports not-ready, stops accepting, exits 0', async () => {
    const token = await issuer.sign();
    let answered = 0;
    const grpcCalls = Array.from({ length: GRPC_CHECKS }, (_, i) =>
      client
        .check(
          headersCheckRequest(webhookHeaders(token), {
            id: `drain-${i}`,
            path: '/hooks',
            host: 'hooks.test',
          }),
        )
        .then((response) => {
          answered++;
          return outcomeLabel(checkOutcome(response));
        }),
    );
    const httpCalls = Array.from({ length: HTTP_CHECKS }, () =>
      fetch(`http://127.0.0.1:${ports.http}/hooks`, {
        method: 'POST',
        headers: webhookHeaders(token),
      }).then((response) => {
        answered++;
        return response.status === 200
          ? 'allow'
          : (response.headers.get('x-pps-gate-reason') ?? String(response.status));
      }),
    );
    // Every check has reached the gate and waits on the one key fetch before the signal goes out.
    await waitUntil(
      'all checks in flight',
      async () => (await inFlight()) === GRPC_CHECKS + HTTP_CHECKS,
    );
    expect(answered).toBe(0);
    expect(issuer.fetches.jwks).toBe(1);

    gate.child.kill('SIGTERM');
    await waitUntil(
      'not-ready',
      async () => (await fetch(`http://127.0.0.1:${ports.admin}/readyz`)).status === 503,
    );
    const readyz = (await (await fetch(`http://127.0.0.1:${ports.admin}/readyz`)).json()) as {
      waitingFor: string[];
    };
    expect(readyz.waitingFor).toEqual(['draining']);
    // Stopped accepting: a new connection to the forward-auth port is refused, checks still pending.
    await expect(
      fetch(`http://127.0.0.1:${ports.http}/hooks`, { headers: webhookHeaders(token) }),
    ).rejects.toThrow();
    expect(answered).toBe(0);

    const results = await Promise.all([...grpcCalls, ...httpCalls]);
    expect(results.filter((r) => r === 'allow')).toHaveLength(GRPC_CHECKS + HTTP_CHECKS);
    const status = await gate.exited;
    expect(status).toEqual({ code: 0, signal: null });

    const entries = gate.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.filter((e) => e.msg === 'allow')).toHaveLength(GRPC_CHECKS + HTTP_CHECKS);
    const messages = entries.map((e) => e.msg);
    expect(messages.indexOf('draining: not ready, answering in-flight checks')).toBeLessThan(
      messages.lastIndexOf('allow'),
    );
    // The drain ended because the work did, not because the 15 s timeout forced the sockets shut.
    const stopped = entries.at(-1)!;
    expect(stopped.msg).toBe('stopped');
    expect(stopped.drainMs).toBeLessThan(15_000);
  });
});
