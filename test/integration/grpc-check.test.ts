// The built server's ext_authz gRPC service, called by a client built from Envoy's own protos
// (standing in for Envoy's ext_authz filter): allow mutations, both header encodings, denies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEnvoyAuthClient,
  headerOption,
  headersCheckRequest,
  rawHeadersCheckRequest,
  structToJson,
  type EnvoyAuthClient,
  type EnvoyCheckResponse,
} from '../support/envoy-client.js';
import { claimsOf, webhookHeaders } from '../support/webhook-fixtures.js';
import {
  DENY_CASES,
  KEYS_UNAVAILABLE_CASE,
  startScenario,
  type DenyCase,
  type Scenario,
} from './gate-scenario.js';

const IDENTITY = [
  'x-pps-auth-issuer',
  'x-pps-auth-subject',
  'x-pps-auth-audience',
  'x-pps-auth-claims',
];

let scenario: Scenario;
let envoy: EnvoyAuthClient;

beforeAll(async () => {
  scenario = await startScenario();
  envoy = createEnvoyAuthClient(scenario.gate.grpcAddress);
});

afterAll(async () => {
  envoy?.close();
  await scenario?.close();
});

function expectAllowed(
  response: EnvoyCheckResponse,
): NonNullable<EnvoyCheckResponse['ok_response']> {
  expect(response.status?.code).toBe(0);
  expect(response.http_response).toBe('ok_response');
  expect(response.denied_response).toBeUndefined();
  return response.ok_response!;
}

function expectDenied(response: EnvoyCheckResponse, expected: DenyCase): void {
  expect(response.status?.code).toBe(expected.grpcCode);
  expect(response.http_response).toBe('denied_response');
  const denied = response.denied_response!;
  expect(denied.status?.code).toBe(expected.envoyStatus);
  expect(JSON.parse(denied.body)).toEqual({ reason: expected.reason, error: expect.any(String) });
  expect(headerOption(denied.headers, 'x-pps-gate-reason')?.header.value).toBe(expected.reason);
  expect(headerOption(denied.headers, 'content-type')?.header.value).toBe('application/json');
}

describe("an Envoy-proto client (standing in for Envoy's ext_authz filter) checking a valid webhook", () => {
  it('gets OK with the identity headers set to overwrite, and the token and foreign x-pps-auth-* headers removed', async () => {
    const token = await scenario.issuer.sign();
    const headers = webhookHeaders(token, {
      'x-pps-auth-subject': 'admin',
      'x-pps-auth-role': 'owner',
    });
    const ok = expectAllowed(await envoy.check(headersCheckRequest(headers)));

    for (const name of IDENTITY) {
      const option = headerOption(ok.headers, name);
      expect(option, name).toBeDefined();
      expect(option!.append_action).toBe('OVERWRITE_IF_EXISTS_OR_ADD');
      expect(option!.append).toEqual({ value: false });
    }
    expect(headerOption(ok.headers, 'x-pps-auth-issuer')!.header.value).toBe(
      scenario.issuer.issuer,
    );
    // The client's spoofed "admin" is overwritten by the token's own subject.
    expect(headerOption(ok.headers, 'x-pps-auth-subject')!.header.value).toBe('pps-webhook-sender');
    expect(headerOption(ok.headers, 'x-pps-auth-audience')!.header.value).toBe(
      scenario.issuer.audience,
    );
    expect(headerOption(ok.headers, 'x-pps-auth-claims')!.header.value).toBe(token.split('.')[1]);

    expect(ok.headers_to_remove).toContain('authorization');
    expect(ok.headers_to_remove).toContain('x-pps-auth-role');
    for (const name of IDENTITY) expect(ok.headers_to_remove).not.toContain(name);
  });

  it('gets dynamic_metadata with the issuer, subject and claims as a Struct', async () => {
    const token = await scenario.issuer.sign({ claims: { email: 'sender@example.com' } });
    const response = await envoy.check(headersCheckRequest(webhookHeaders(token)));
    expectAllowed(response);
    const metadata = structToJson(response.dynamic_metadata);
    expect(metadata.issuer).toBe(scenario.issuer.issuer);
    expect(metadata.subject).toBe('pps-webhook-sender');
    expect(metadata.audience).toBe(scenario.issuer.audience);
    expect(metadata.claims).toEqual(claimsOf(token));
  });

  it('keeps the Authorization header when the issuer is configured with forwardToken', async () => {
    const ok = expectAllowed(
      await envoy.check(headersCheckRequest(webhookHeaders(await scenario.forwarding.sign()))),
    );
    expect(headerOption(ok.headers, 'x-pps-auth-issuer')!.header.value).toBe(
      scenario.forwarding.issuer,
    );
    expect(ok.headers_to_remove).not.toContain('authorization');
  });

  it('reads header_map with raw_value bytes (encode_raw_headers) the same as the headers map', async () => {
    const token = await scenario.issuer.sign();
    const entries = Object.entries(webhookHeaders(token, { 'x-pps-auth-subject': 'admin' }));
    const ok = expectAllowed(
      await envoy.check(
        rawHeadersCheckRequest([[':method', 'POST'], [':path', '/hook'], ...entries]),
      ),
    );
    expect(headerOption(ok.headers, 'x-pps-auth-subject')!.header.value).toBe('pps-webhook-sender');
    expect(headerOption(ok.headers, 'x-pps-auth-claims')!.header.value).toBe(token.split('.')[1]);
    expect(ok.headers_to_remove).toContain('authorization');
  });
});

describe("an Envoy-proto client (standing in for Envoy's ext_authz filter) checking a bad webhook", () => {
  it('is denied malformed_token (403) for two Authorization entries in header_map, even when each is valid alone', async () => {
    const [first, second] = await Promise.all([
      scenario.issuer.sign(),
      scenario.issuer.sign({ claims: { sub: 'other' } }),
    ]);
    const entries = Object.entries(webhookHeaders(first)).filter(
      ([name]) => name !== 'authorization',
    );
    const response = await envoy.check(
      rawHeadersCheckRequest([
        ['authorization', `Bearer ${first}`],
        ...entries,
        ['Authorization', `Bearer ${second}`],
      ]),
    );
    expectDenied(response, { ...DENY_CASES[0]!, reason: 'malformed_token' });
  });

  it.each(DENY_CASES.map((c) => [c.name, c] as const))(
    'is denied for %s with the reason, status and JSON body',
    async (_name, denyCase) => {
      const response = await envoy.check(headersCheckRequest(await denyCase.headers(scenario)));
      expect(response.status?.code).not.toBe(0);
      expectDenied(response, denyCase);
    },
  );

  it('names the offending webhook header in the 400 body', async () => {
    const headers = webhookHeaders(await scenario.issuer.sign(), {
      'x-pps-webhook-id': 'not-a-uuid',
    });
    const response = await envoy.check(headersCheckRequest(headers));
    expect(JSON.parse(response.denied_response!.body).error).toMatch(/X-Pps-Webhook-Id/);
  });

  it('gets UNAVAILABLE (14) and a 503 with retry-after, not a gRPC error, when the issuer was down before any key fetch', async () => {
    const response = await envoy.check(
      headersCheckRequest(await KEYS_UNAVAILABLE_CASE.headers(scenario)),
    );
    expectDenied(response, KEYS_UNAVAILABLE_CASE);
    const retryAfter = headerOption(response.denied_response!.headers, 'retry-after')?.header.value;
    expect(retryAfter).toMatch(/^[1-9]\d*$/);
  });
});
