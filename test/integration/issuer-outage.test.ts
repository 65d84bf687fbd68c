// An issuer outage after pps-gate cached its keys, end to end: the built server keeps allowing
// tokens signed with a cached kid (stale-if-error), even once its background refresh has failed,
// and answers a kid it cannot look up with a retryable 503, not a permanent 403.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import {
  createEnvoyAuthClient,
  headerOption,
  headersCheckRequest,
  type EnvoyAuthClient,
} from '../support/envoy-client.js';
import { startGateProcess, type GateProcess } from '../support/start-gate-process.js';
import { webhookHeaders } from '../support/webhook-fixtures.js';

const CACHE_TTL_MS = 1000;

let issuer: LocalIssuer;
let gate: GateProcess;
let envoy: EnvoyAuthClient;

const check = async (kid?: string) =>
  envoy.check(
    headersCheckRequest(webhookHeaders(await issuer.sign(kid === undefined ? {} : { kid }))),
  );

beforeAll(async () => {
  issuer = await startLocalIssuer({ project: 'pps-outage' });
  gate = await startGateProcess({
    config: {
      issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }],
      jwks: { cacheTtlSeconds: CACHE_TTL_MS / 1000, minRefreshIntervalSeconds: 1 },
      allowInsecureHttp: true,
    },
  });
  envoy = createEnvoyAuthClient(gate.grpcAddress);
});

afterAll(async () => {
  envoy?.close();
  await gate?.stop();
  await issuer?.close();
});

/** Waits (bounded) until the issuer has answered more requests than `count`. */
async function issuerAsked(more: () => number, than: number): Promise<void> {
  for (let i = 0; i < 100 && more() <= than; i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('the built server when its issuer goes down after the keys were cached', () => {
  it('allows a cached-kid token while the issuer is down', async () => {
    expect((await check()).status?.code).toBe(0);
    issuer.mode = 'down';
    expect((await check()).status?.code).toBe(0);
  });

  it('still allows it after the TTL passed and the refresh against the down issuer failed', async () => {
    const asked = () => issuer.fetches.jwks + issuer.fetches.discovery;
    const before = asked();
    await new Promise((resolve) => setTimeout(resolve, CACHE_TTL_MS + 200));
    // This check finds the set stale and starts a background refresh, which fails.
    expect((await check()).status?.code).toBe(0);
    await issuerAsked(asked, before);
    expect(asked()).toBeGreaterThan(before);
    const after = await check();
    expect(after.status?.code).toBe(0);
    expect(headerOption(after.ok_response?.headers, 'x-pps-auth-subject')?.header.value).toBe(
      'pps-webhook-sender',
    );
  });

  it('answers a kid it has never seen with a retryable 503, since the issuer cannot be asked', async () => {
    const response = await check('rotated-in-during-the-outage');
    expect(response.status?.code).toBe(14);
    expect(response.denied_response?.status?.code).toBe('ServiceUnavailable');
    expect(headerOption(response.denied_response?.headers, 'retry-after')?.header.value).toMatch(
      /^[1-9]\d*$/,
    );
  });
});
