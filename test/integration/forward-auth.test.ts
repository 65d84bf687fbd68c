// The built server's HTTP forward-auth endpoint (standing in for nginx auth_request, Traefik
// ForwardAuth or Envoy's HTTP ext_authz mode): the same decisions as gRPC, as plain HTTP.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookHeaders } from '../support/webhook-fixtures.js';
import {
  DENY_CASES,
  KEYS_UNAVAILABLE_CASE,
  startScenario,
  type DenyCase,
  type Scenario,
} from './gate-scenario.js';

let scenario: Scenario;

beforeAll(async () => {
  scenario = await startScenario();
});

afterAll(async () => {
  await scenario?.close();
});

async function expectDenied(response: Response, expected: DenyCase): Promise<void> {
  expect(response.status).toBe(expected.httpStatus);
  expect(response.headers.get('content-type')).toBe('application/json');
  expect(response.headers.get('x-pps-gate-reason')).toBe(expected.reason);
  expect(response.headers.get('x-pps-auth-subject')).toBeNull();
  expect(await response.json()).toEqual({ reason: expected.reason, error: expect.any(String) });
}

/** Sends each value as its own header line (fetch would merge them into one). */
function sendRepeated(
  url: string,
  name: string,
  values: string[],
  others: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: { ...others, [name]: values } },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('a forward-auth proxy (standing in for nginx auth_request) checking a valid webhook', () => {
  it.each([
    ['POST', '/webhooks/orders'],
    ['GET', '/'],
    ['PUT', '/any/path?with=query'],
    ['DELETE', '/x'],
  ])('gets 200 with the x-pps-auth-* identity headers for %s %s', async (method, path) => {
    const token = await scenario.issuer.sign();
    const response = await fetch(`${scenario.gate.httpUrl}${path}`, {
      method,
      headers: webhookHeaders(token),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-pps-auth-issuer')).toBe(scenario.issuer.issuer);
    expect(response.headers.get('x-pps-auth-subject')).toBe('pps-webhook-sender');
    expect(response.headers.get('x-pps-auth-audience')).toBe(scenario.issuer.audience);
    expect(response.headers.get('x-pps-auth-claims')).toBe(token.split('.')[1]);
    expect(await response.text()).toBe('');
  });
});

describe('a forward-auth proxy passing on a header reserved for pps-gate', () => {
  it.each([
    ['x-pps-auth-subject', 'admin'],
    ['x-pps-auth-role', 'admin'],
    ['x-pps-delivery-attempt', '1'],
    ['x-pps-duplicate', 'false'],
    ['x_pps_auth_role', 'admin'],
  ])(
    'is refused 400 reserved_header for a client-sent %s, even with a valid token',
    async (name, value) => {
      const response = await fetch(`${scenario.gate.httpUrl}/webhooks/orders`, {
        method: 'POST',
        headers: webhookHeaders(await scenario.issuer.sign(), { [name]: value }),
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('x-pps-gate-reason')).toBe('reserved_header');
      expect(response.headers.get('retry-after')).toBeNull();
      expect(response.headers.get('x-pps-auth-subject')).toBeNull();
      expect(await response.json()).toEqual({
        reason: 'reserved_header',
        error: `${name} is reserved for pps-gate and must not come from the client`,
      });
    },
  );
});

describe('a forward-auth proxy (standing in for nginx auth_request) checking a bad webhook', () => {
  it.each(DENY_CASES.map((c) => [c.name, c] as const))(
    'is denied for %s with the status and JSON body',
    async (_name, denyCase) => {
      const response = await fetch(`${scenario.gate.httpUrl}/webhooks/orders`, {
        method: 'POST',
        headers: await denyCase.headers(scenario),
      });
      await expectDenied(response, denyCase);
    },
  );

  it('is denied malformed_token (403) for two Authorization header lines, even when each is valid alone', async () => {
    const [first, second] = await Promise.all([
      scenario.issuer.sign(),
      scenario.issuer.sign({ claims: { sub: 'other' } }),
    ]);
    const others = webhookHeaders(undefined);
    const response = await sendRepeated(
      `${scenario.gate.httpUrl}/webhooks/orders`,
      'authorization',
      [`Bearer ${first}`, `Bearer ${second}`],
      others,
    );
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ reason: 'malformed_token' });
  });

  it('gets 503 with retry-after when the issuer was down before any key fetch', async () => {
    const response = await fetch(`${scenario.gate.httpUrl}/webhooks/orders`, {
      headers: await KEYS_UNAVAILABLE_CASE.headers(scenario),
    });
    await expectDenied(response, KEYS_UNAVAILABLE_CASE);
    expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  });
});
