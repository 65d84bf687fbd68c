// The whole flow against a real loopback issuer: allow, early denies without network I/O,
// token before headers, and the allow as Envoy receives it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSnapshot } from '../config/config-snapshot.js';
import { parseConfig } from '../config/parse-config.js';
import { startLocalIssuer, type LocalIssuer } from '../dev/local-issuer.js';
import { KeyStore } from '../issuers/key-store.js';
import { silentLogger } from '../telemetry/logger.js';
import { toCheckResponse } from '../transport/grpc/check-response.js';
import { authorize, type AuthorizeDeps } from './authorize.js';
import type { Decision } from './decision.js';
import type { WebhookRequest } from './webhook-request.js';

const HOOK = {
  'x-pps-topic': 'orders/placed',
  'x-pps-tenant-id': 'OU1243',
  'x-pps-webhook-id': '3F2504E0-4F89-11D3-9A0C-0305E82C3301',
  'x-pps-triggered-at': '2024-01-1T10:00:00.7777748Z',
};

let trusted: LocalIssuer;
let other: LocalIssuer;
let store: KeyStore;
let deps: AuthorizeDeps;
const clock = { ms: Date.now() };

function request(
  authorization: string | undefined,
  headers: Record<string, string> = HOOK,
): WebhookRequest {
  const all = authorization === undefined ? { ...headers } : { ...headers, authorization };
  return { id: 'req-1', method: 'POST', path: '/hooks/pps', headers: all, receivedAtMs: clock.ms };
}

const fetchCount = (): number =>
  trusted.fetches.discovery + trusted.fetches.jwks + other.fetches.discovery + other.fetches.jwks;

beforeAll(async () => {
  trusted = await startLocalIssuer({ project: 'pps-trusted' });
  other = await startLocalIssuer({ project: 'pps-untrusted' });
  const config = parseConfig(
    JSON.stringify({
      allowInsecureHttp: true,
      issuers: [{ issuer: trusted.issuer, audiences: [trusted.audience] }],
    }),
    'authorize-test.json',
  );
  store = new KeyStore({ logger: silentLogger, now: () => clock.ms });
  await Promise.all(store.applyConfig(config));
  deps = { config: new ConfigSnapshot(config), keys: store, now: () => clock.ms };
});

afterAll(async () => {
  store.close();
  await Promise.all([trusted.close(), other.close()]);
});

describe('authorize', () => {
  it('allows a good token with good webhook headers and returns the verified identity', async () => {
    const token = await trusted.sign();
    const decision = await authorize(request(`Bearer ${token}`), deps);
    expect(decision).toMatchObject({
      allowed: true,
      identity: {
        issuer: trusted.issuer,
        subject: 'pps-webhook-sender',
        audience: trusted.audience,
      },
      webhook: {
        webhookId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
        triggeredAt: '2024-01-01T10:00:00.777Z',
      },
      headersToRemove: ['authorization'],
    });
  });

  it('encodes the allow so that x-pps-auth-claims decodes to exactly the verified payload', async () => {
    const token = await trusted.sign({
      claims: { email: 'ops@pps.example', nested: { a: [1, 2] } },
    });
    const req = request(`Bearer ${token}`);
    const decision = await authorize(req, deps);
    const response = toCheckResponse(decision);
    expect(response.status.code).toBe(0);
    const value = response.ok_response!.headers.find((h) => h.header.key === 'x-pps-auth-claims')!
      .header.value;
    expect(value).toBe(token.split('.')[1]);
    const payload = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    expect(payload).toMatchObject({
      iss: trusted.issuer,
      email: 'ops@pps.example',
      nested: { a: [1, 2] },
    });
    expect(payload).toEqual((decision as { identity: { claims: unknown } }).identity.claims);
    expect(response.ok_response!.headers_to_remove).toContain('authorization');
  });

  it('denies untrusted issuers, even near-misses of a trusted one, with zero fetches to any issuer', async () => {
    const before = fetchCount();
    const near = [
      other.issuer,
      `${trusted.issuer}/`,
      trusted.issuer.toUpperCase(),
      trusted.issuer.replace('pps-trusted', 'PPS-trusted'),
    ];
    for (const iss of near) {
      const token = await other.sign({ claims: { iss } });
      expect(await authorize(request(`Bearer ${token}`), deps), iss).toMatchObject({
        allowed: false,
        reason: 'untrusted_issuer',
      });
    }
    expect(fetchCount()).toBe(before);
  });

  it('denies framing, header and claim failures synchronously, before any key lookup', async () => {
    const before = fetchCount();
    const expired = await trusted.sign({
      kid: 'never-published',
      claims: { exp: Math.floor(clock.ms / 1000) - 3600 },
    });
    const wrongAud = await trusted.sign({
      kid: 'never-published',
      claims: { aud: 'someone-else' },
    });
    const cases: [string | undefined, string][] = [
      [undefined, 'missing_token'],
      ['Basic dXNlcjpwYXNz', 'missing_token'],
      ['Bearer not-a-jwt', 'malformed_token'],
      [`Bearer ${expired}`, 'token_expired'],
      [`Bearer ${wrongAud}`, 'invalid_audience'],
    ];
    for (const [authorization, reason] of cases) {
      const result = authorize(request(authorization), deps);
      expect(result instanceof Promise, reason).toBe(false);
      expect(result as Decision, reason).toMatchObject({ allowed: false, reason });
    }
    expect(fetchCount()).toBe(before);
  });

  it('judges the token before the webhook headers: a bad token with bad headers is 403', async () => {
    const forged = await trusted.sign({
      key: await trusted.unpublishedKey(),
      kid: trusted.publishedKids[0],
    });
    const decision = await authorize(request(`Bearer ${forged}`, {}), deps);
    expect(decision).toMatchObject({ allowed: false, reason: 'invalid_signature' });
    const missing = await authorize(request(undefined, {}), deps);
    expect(missing).toMatchObject({ allowed: false, reason: 'missing_token' });
  });

  it('answers a good token with a missing webhook header as 400, naming the header', async () => {
    const token = await trusted.sign();
    const headers: Record<string, string> = { ...HOOK };
    delete headers['x-pps-tenant-id'];
    const decision = await authorize(request(`Bearer ${token}`, headers), deps);
    expect(decision).toMatchObject({
      allowed: false,
      reason: 'invalid_webhook_headers',
      publicDetail: 'X-Pps-Tenant-Id is missing',
      issuer: trusted.issuer,
    });
  });
});
