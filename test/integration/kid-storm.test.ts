// Storms of concurrent Checks for kids the gate has not cached, against the built server, over
// Envoy's protos. What the design promises, exactly: a rotated-in key costs one refetch that every
// concurrent Check joins (all allowed); a kid a recent key set already disproves costs nothing
// (all 403); a kid nothing can disprove inside the refetch cooldown costs nothing either and is a
// retryable 503 with retry-after. Every Check gets a CheckResponse within the wait budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import {
  createEnvoyAuthClient,
  headerOption,
  headersCheckRequest,
  type EnvoyAuthClient,
  type EnvoyCheckResponse,
} from '../support/envoy-client.js';
import { startGateProcess, type GateProcess } from '../support/start-gate-process.js';
import { webhookHeaders } from '../support/webhook-fixtures.js';

const STORM = 200;
// Long enough that the storms after the first (each under 1 s here, about 2 s on a loaded CI box)
// all fall inside the interval its refetch began, so the refetch counts below are exact.
const MIN_REFRESH_INTERVAL_MS = 10_000;
const CLOCK_SKEW_SECONDS = 5;
// Generous, so that on a loaded CI box the joined loopback refetch always lands within it: these
// storms count fetches and statuses; test/faults/fault-matrix.test.ts holds the budget itself.
const REQUEST_WAIT_MS = 2000;

let issuer: LocalIssuer;
let gate: GateProcess;
let envoy: EnvoyAuthClient;

beforeAll(async () => {
  issuer = await startLocalIssuer({ project: 'pps-storm' });
  gate = await startGateProcess({
    config: {
      issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }],
      jwks: {
        minRefreshIntervalSeconds: MIN_REFRESH_INTERVAL_MS / 1000,
        requestWaitMs: REQUEST_WAIT_MS,
      },
      clockSkewSeconds: CLOCK_SKEW_SECONDS,
      allowInsecureHttp: true,
    },
  });
  envoy = createEnvoyAuthClient(gate.grpcAddress);
  // The start-up prefetch has cached the keys once a valid token is allowed.
  const warm = await envoy.check(headersCheckRequest(webhookHeaders(await issuer.sign())));
  expect(warm.status?.code).toBe(0);
});

afterAll(async () => {
  envoy?.close();
  await gate?.stop();
  await issuer?.close();
});

const outcome = (response: EnvoyCheckResponse): string =>
  response.status?.code === 0
    ? 'allow'
    : `${response.status?.code}/${response.denied_response?.status?.code}/${headerOption(response.denied_response?.headers, 'x-pps-gate-reason')?.header.value}`;

async function storm(
  sign: (i: number) => Promise<string>,
): Promise<{ tally: Record<string, number>; fetches: number; responses: EnvoyCheckResponse[] }> {
  const requests = await Promise.all(
    Array.from({ length: STORM }, async (_, i) =>
      headersCheckRequest(webhookHeaders(await sign(i))),
    ),
  );
  const before = issuer.fetches.jwks;
  const startedAt = performance.now();
  const responses = await Promise.all(requests.map((request) => envoy.check(request)));
  const stormMs = performance.now() - startedAt;
  const tally: Record<string, number> = {};
  for (const response of responses) tally[outcome(response)] = (tally[outcome(response)] ?? 0) + 1;
  // Any refetch the storm started has been counted once the last answer is in, or is still
  // running: let it land before counting.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const fetches = issuer.fetches.jwks - before;
  console.info(
    `kid storm: ${STORM} checks in ${Math.round(stormMs)} ms, ${fetches} JWKS fetches, ${JSON.stringify(tally)}`,
  );
  expect(stormMs, 'the whole storm, each waiting at most the budget').toBeLessThan(
    MIN_REFRESH_INTERVAL_MS,
  );
  return { tally, fetches, responses };
}

const coolDown = () => new Promise((resolve) => setTimeout(resolve, MIN_REFRESH_INTERVAL_MS + 200));
const nowSec = () => Math.floor(Date.now() / 1000);

describe(`${STORM} concurrent Envoy-proto Checks for kids the gate has not cached`, () => {
  it('a key the issuer just rotated in: one refetch, joined by every Check, all allowed', async () => {
    await coolDown();
    const rotated = await issuer.rotate();
    const { tally, fetches } = await storm(() => issuer.sign({ key: rotated }));
    expect(fetches).toBe(1);
    expect(tally).toEqual({ allow: STORM });
  }, 30_000);

  it('random kids on fresh tokens inside the refetch cooldown: no refetch, all 503 with retry-after', async () => {
    const { tally, fetches, responses } = await storm((i) =>
      issuer.sign({ kid: `fresh-${i}-${Math.random()}` }),
    );
    expect(fetches).toBe(0);
    expect(tally).toEqual({ '14/ServiceUnavailable/keys_unavailable': STORM });
    for (const response of responses) {
      const retryAfter = Number(
        headerOption(response.denied_response?.headers, 'retry-after')?.header.value,
      );
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(MIN_REFRESH_INTERVAL_MS / 1000);
    }
  });

  it('random kids on tokens issued before the last key set was fetched: no refetch, all 403 unknown_key', async () => {
    // The set fetched a moment ago began more than iat + 1 s + skew after these tokens were issued.
    const iat = nowSec() - CLOCK_SKEW_SECONDS - 10;
    const { tally, fetches } = await storm((i) =>
      issuer.sign({ kid: `random-${i}-${Math.random()}`, claims: { iat, exp: iat + 3600 } }),
    );
    expect(fetches).toBe(0);
    expect(tally).toEqual({ '16/Forbidden/unknown_key': STORM });
  });

  it('still allows a token with a published kid right after the storms', async () => {
    const response = await envoy.check(headersCheckRequest(webhookHeaders(await issuer.sign())));
    expect(response.status?.code).toBe(0);
  });
});
