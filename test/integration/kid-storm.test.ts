// A storm of tokens with random kids against the built server (an attacker, or a sender with a
// key the gate has never seen): single-flight refetch means the issuer sees at most one extra
// JWKS fetch, and Envoy always gets a CheckResponse, never a gRPC error.
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

const STORM = 200;
// Long enough that the storm (under 1 s here, about 2 s on a loaded CI box) fits inside one
// interval, so "at most one refetch" is what single flight plus the cooldown promise.
const MIN_REFRESH_INTERVAL_MS = 3000;

let issuer: LocalIssuer;
let gate: GateProcess;
let envoy: EnvoyAuthClient;

beforeAll(async () => {
  issuer = await startLocalIssuer({ project: 'pps-storm' });
  gate = await startGateProcess({
    config: {
      issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }],
      jwks: { minRefreshIntervalSeconds: MIN_REFRESH_INTERVAL_MS / 1000 },
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

describe(`${STORM} concurrent Envoy-proto Checks with random kids`, () => {
  it('cost the issuer at most 2 JWKS fetches in all, and each got a 403 or 503 CheckResponse', async () => {
    // The start-up prefetch has cached the keys once a valid token is allowed.
    const warm = await envoy.check(headersCheckRequest(webhookHeaders(await issuer.sign())));
    expect(warm.status?.code).toBe(0);
    const fetchesBefore = issuer.fetches.jwks;
    // Let the refetch cooldown after the prefetch pass, so the storm is allowed one refetch.
    await new Promise((resolve) => setTimeout(resolve, MIN_REFRESH_INTERVAL_MS + 200));

    const requests = await Promise.all(
      Array.from({ length: STORM }, async (_, i) =>
        headersCheckRequest(
          webhookHeaders(
            await issuer.sign({ kid: `random-${i}-${Math.random().toString(36).slice(2)}` }),
          ),
        ),
      ),
    );
    const startedAt = performance.now();
    const settled = await Promise.allSettled(requests.map((request) => envoy.check(request)));
    const stormMs = performance.now() - startedAt;

    const errors = settled.filter((result) => result.status === 'rejected');
    expect(errors).toEqual([]);
    const responses = settled.map(
      (result) =>
        (result as PromiseFulfilledResult<Awaited<ReturnType<EnvoyAuthClient['check']>>>).value,
    );
    const tally: Record<string, number> = {};
    for (const response of responses) {
      const reason =
        headerOption(response.denied_response?.headers, 'x-pps-gate-reason')?.header.value ??
        'none';
      const key = `${response.status?.code}/${response.denied_response?.status?.code}/${reason}`;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    const allowedKeys = new Set([
      '16/Forbidden/unknown_key',
      '14/ServiceUnavailable/keys_unavailable',
    ]);
    expect(Object.keys(tally).filter((key) => !allowedKeys.has(key))).toEqual([]);

    const total = issuer.fetches.jwks;
    console.info(
      `kid storm: ${STORM} checks in ${Math.round(stormMs)} ms; JWKS fetches: ${fetchesBefore} before (prefetch), ${total - fetchesBefore} during, ${total} in all; outcomes ${JSON.stringify(tally)}`,
    );
    expect(
      total - fetchesBefore,
      `refetches during a ${Math.round(stormMs)} ms storm`,
    ).toBeLessThanOrEqual(1);
    expect(total).toBeLessThanOrEqual(2);
  });

  it('still allows a token with the published kid right after the storm', async () => {
    const response = await envoy.check(headersCheckRequest(webhookHeaders(await issuer.sign())));
    expect(response.status?.code).toBe(0);
  });
});
