// The HTTP answer each proxy reads: identity and Envoy's removal list on allow, status, JSON
// body, the body's header copy for nginx and Retry-After on deny; and the request it judges.
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deny, type Allow, type Decision } from '../../pipeline/decision.js';
import { headersToRemove } from '../../pipeline/headers-to-remove.js';
import type { WebhookRequest } from '../../pipeline/webhook-request.js';
import { toWebhookRequest } from './forward-auth-request.js';
import { writeDecision } from './forward-auth-response.js';

const allow = (forwardToken: boolean): Allow => ({
  allowed: true,
  identity: {
    issuer: 'https://issuer.example/p',
    subject: 'sender',
    audience: 'p',
    claims: {},
    encodedClaims: 'eyJzdWIiOiJzZW5kZXIifQ',
  },
  webhook: {
    topic: 'orders/placed',
    tenantId: 'OU1243',
    webhookId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    triggeredAt: '2024-01-01T10:00:00.777Z',
  },
  headersToRemove: forwardToken ? [] : ['authorization'],
});

let server: Server;
let port: number;
let decision: Decision;
let seen: WebhookRequest;

beforeAll(async () => {
  server = createServer((message, response) => {
    seen = toWebhookRequest(message, 1234);
    // The pipeline computes the removals from the request it judged; so does this stand-in.
    const forwardToken = decision.allowed && !decision.headersToRemove.includes('authorization');
    writeDecision(
      response,
      decision.allowed
        ? { ...decision, headersToRemove: headersToRemove(seen.headers, forwardToken) }
        : decision,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function call(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: '127.0.0.1', port, path, method, headers, agent: false },
      (answer) => {
        let body = '';
        answer.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        answer.on('end', () =>
          resolve({ status: answer.statusCode ?? 0, headers: answer.headers, body }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('writeDecision', () => {
  it('allows with 200, the identity headers and Envoy HTTP mode told to remove Authorization and spoofed reserved headers', async () => {
    decision = allow(false);
    const answer = await call('/', {
      authorization: 'Bearer a.b.c',
      'x-pps-auth-role': 'admin',
      'x-pps-auth-subject': 'admin',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatchObject({
      'x-pps-auth-issuer': 'https://issuer.example/p',
      'x-pps-auth-subject': 'sender',
      'x-pps-auth-audience': 'p',
      'x-pps-auth-claims': 'eyJzdWIiOiJzZW5kZXIifQ',
    });
    // x-pps-auth-subject is overwritten by the allow, so it must not be removed too.
    expect(answer.headers['x-envoy-auth-headers-to-remove']).toBe('authorization, x-pps-auth-role');
    expect(answer.body).toBe('');
  });

  it('leaves Authorization for an issuer that forwards the token, and sends no removal list when nothing is to remove', async () => {
    decision = allow(true);
    const answer = await call('/', { authorization: 'Bearer a.b.c' });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-envoy-auth-headers-to-remove']).toBeUndefined();
  });

  it('denies with the reason status, the JSON body and the same JSON in x-pps-gate-deny-body', async () => {
    decision = deny('invalid_webhook_headers', 'private', {
      publicDetail: 'X-Pps-Topic must look like "orders/placed"',
    });
    const answer = await call('/');
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['x-pps-gate-reason']).toBe('invalid_webhook_headers');
    expect(JSON.parse(answer.body)).toEqual({
      error: 'X-Pps-Topic must look like "orders/placed"',
      reason: 'invalid_webhook_headers',
    });
    expect(answer.headers['x-pps-gate-deny-body']).toBe(answer.body);
    expect(answer.headers['retry-after']).toBeUndefined();
    expect(answer.body).not.toContain('private');
  });

  it('escapes non-ASCII in the header copy so it stays a valid header and the same JSON', async () => {
    decision = deny('invalid_webhook_headers', 'private', {
      publicDetail: 'X-Pps-Topic ist ungültig – «orders»',
    });
    const answer = await call('/');
    const header = answer.headers['x-pps-gate-deny-body'] as string;
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(header).toContain('\\u00fc');
    expect(JSON.parse(header)).toEqual(JSON.parse(answer.body));
  });

  it('sends Retry-After with a retryable 503', async () => {
    decision = deny('keys_unavailable', 'issuer down', { retryAfterSeconds: 7 });
    const answer = await call('/');
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('7');
    expect(JSON.parse(answer.headers['x-pps-gate-deny-body'] as string)).toEqual({
      error: 'the issuer signing keys are temporarily unavailable; retry later',
      reason: 'keys_unavailable',
    });
  });
});

describe('toWebhookRequest', () => {
  it("judges the original request a proxy describes, without the auth hop's own headers", async () => {
    decision = allow(false);
    await call('/_pps_gate_auth', {
      'x-original-uri': '/webhooks/orders?x=1',
      'x-original-method': 'POST',
      'x-request-id': 'r-1',
      'proxy-authorization': 'Basic eDp5',
      connection: 'close',
    });
    expect(seen).toMatchObject({
      id: 'r-1',
      method: 'POST',
      path: '/webhooks/orders?x=1',
      receivedAtMs: 1234,
    });
    expect(seen.headers['proxy-authorization']).toBeUndefined();
    expect(seen.headers.connection).toBeUndefined();
    expect(seen.headers['x-original-uri']).toBe('/webhooks/orders?x=1');
  });

  it("reads Envoy HTTP mode's path prefix", async () => {
    await call('/ext-authz/webhooks/orders', {}, 'PUT');
    expect(seen).toMatchObject({ method: 'PUT', path: '/webhooks/orders' });
  });
});
