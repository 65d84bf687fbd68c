// What every documented forward-auth proxy must do in front of pps-gate, as one suite each
// proxy's end-to-end test runs against the real binary: allowed webhooks reach the app with the
// verified identity and their body intact and without the token, forged reserved headers never
// do, denies never reach the app and the sender sees pps-gate's own answer, and an unreachable
// pps-gate is a retryable 503.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { REASONS } from '../../src/errors/reasons.js';
import type { CountingRelay } from '../nginx/counting-relay.js';
import { sendWebhook, type Answer, type GateFixture } from '../nginx/gate-fixture.js';
import { FORGED_RESERVED_HEADERS, reservedHeadersIn } from './reserved-headers.js';
import { claimsOf, webhookHeaders, withClaimsReplaced } from './webhook-fixtures.js';

export interface ProxyUnderTest {
  readonly gate: GateFixture;
  /** Between the proxy and pps-gate: records what each auth call carried on the wire. */
  readonly relay: CountingRelay;
  /** The proxy's port whose auth calls reach pps-gate (through the relay). */
  readonly port: number;
  /** The same config with pps-gate's address pointing where nothing listens. */
  readonly deadGatePort: number;
  /** Whether the shipped config passes pps-gate's dedup marks (annotate mode) to the app. */
  readonly dedupMarks: boolean;
}

const now = (): number => Math.floor(Date.now() / 1000);

/** Registers the shared end-to-end suite; `current` is read when the tests run. */
export function describeForwardAuthProxy(title: string, current: () => ProxyUnderTest): void {
  const via = (headers: Record<string, string>, body?: Uint8Array): Promise<Answer> =>
    sendWebhook(current().port, headers, body);

  /** What pps-gate itself answers for the same headers, without the proxy in between. */
  async function direct(headers: Record<string, string>): Promise<Answer> {
    const response = await fetch(
      `http://127.0.0.1:${current().gate.gate.httpPort}/webhooks/orders`,
      { method: 'POST', headers },
    );
    return { status: response.status, headers: response.headers, body: await response.text() };
  }

  describe(title, () => {
    it('delivers an allowed webhook with the verified identity, its 1 MiB body byte for byte, and without Authorization; the auth call carries no body', async () => {
      const { gate: f, relay } = current();
      const token = await f.good.sign();
      const webhookId = crypto.randomUUID();
      const body = randomBytes(1024 * 1024);
      const before = f.app.received.length;
      const answer = await via(
        webhookHeaders(token, {
          'content-type': 'application/octet-stream',
          'x-pps-webhook-id': webhookId,
        }),
        body,
      );
      expect(answer.status).toBe(200);
      expect(answer.body).toBe('{"processed":true}');
      expect(f.app.received).toHaveLength(before + 1);
      const seen = f.app.received[before]!;
      expect(seen.method).toBe('POST');
      expect(seen.url).toBe('/webhooks/orders?attempt=1');
      expect(seen.headers).toMatchObject({
        'x-pps-auth-issuer': f.good.issuer,
        'x-pps-auth-subject': claimsOf(token).sub,
        'x-pps-auth-audience': f.good.audience,
        'x-pps-auth-claims': token.split('.')[1],
        'x-pps-topic': 'orders/placed',
        'x-pps-webhook-id': webhookId,
      });
      // A first delivery of a fresh webhook id, marked by pps-gate (dedup annotate, the default).
      if (current().dedupMarks) expect(seen.headers['x-pps-delivery-count']).toBe('1');
      expect(seen.headers.authorization).toBeUndefined();
      expect(seen.bodyBytes).toBe(body.length);
      expect(seen.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
      const call = relay.calls.find((c) => c.webhookId === webhookId)!;
      expect(call.bodyBytes).toBe(0);
    });

    it('never lets a forged reserved header (X-Pps-Auth-Role: admin, a delivery header, an underscore spelling) reach the app', async () => {
      const f = current().gate;
      const token = await f.good.sign();
      const before = f.app.received.length;
      const answer = await via(webhookHeaders(token, { ...FORGED_RESERVED_HEADERS }));
      expect(answer.status).toBe(200);
      const seen = f.app.received[before]!;
      const identity = {
        'x-pps-auth-issuer': f.good.issuer,
        'x-pps-auth-subject': claimsOf(token).sub,
        'x-pps-auth-audience': f.good.audience,
        'x-pps-auth-claims': token.split('.')[1],
      };
      const reserved = reservedHeadersIn(seen.headers);
      if (!current().dedupMarks) {
        expect(reserved).toEqual(identity);
      } else {
        // Only pps-gate's own values: the identity and its dedup marks (annotate, the default).
        const { 'x-pps-duplicate': duplicate, 'x-pps-dedup': dedup, ...always } = reserved;
        expect(always).toEqual({
          ...identity,
          'x-pps-delivery-count': expect.stringMatching(/^[1-9][0-9]*$/),
          'x-pps-first-seen-at': expect.stringMatching(
            new RegExp(`^${new Date().getUTCFullYear()}-`),
          ),
        });
        expect([undefined, 'true']).toContain(duplicate);
        expect([undefined, 'unavailable']).toContain(dedup);
      }
      expect(JSON.stringify(seen.headers)).not.toMatch(/admin|forged/);
    });

    it('has pps-gate log the original method and path, whatever other proxies’ headers the sender adds', async () => {
      const f = current().gate;
      const webhookId = crypto.randomUUID();
      await via(
        webhookHeaders(await f.good.sign(), {
          'x-pps-webhook-id': webhookId,
          'x-original-url': 'http://evil.example/spoofed',
          'x-original-method': 'DELETE',
        }),
      );
      const report = f.reportFor(webhookId)!;
      expect(report.request).toMatchObject({ method: 'POST', path: '/webhooks/orders?attempt=1' });
      expect(report.decision.allowed).toBe(true);
    });

    const denials: [
      string,
      (f: GateFixture) => Promise<Record<string, string>>,
      keyof typeof REASONS,
    ][] = [
      ['no token', () => Promise.resolve(webhookHeaders(undefined)), 'missing_token'],
      [
        'an expired token',
        async (f) =>
          webhookHeaders(await f.good.sign({ claims: { iat: now() - 7200, exp: now() - 3600 } })),
        'token_expired',
      ],
      [
        'a token for another audience',
        async (f) => webhookHeaders(await f.good.sign({ claims: { aud: 'another-project' } })),
        'invalid_audience',
      ],
      [
        'a token from an untrusted issuer',
        async (f) => webhookHeaders(await f.stranger.sign()),
        'untrusted_issuer',
      ],
      [
        'a payload changed after signing',
        async (f) =>
          webhookHeaders(withClaimsReplaced(await f.good.sign(), (c) => (c.sub = 'admin'))),
        'invalid_signature',
      ],
      [
        'a webhook id that is not a UUID',
        async (f) => webhookHeaders(await f.good.sign(), { 'x-pps-webhook-id': 'not-a-uuid' }),
        'invalid_webhook_headers',
      ],
    ];

    it.each(denials)(
      "answers %s with pps-gate's own status, reason and JSON body, and the app sees nothing",
      async (_name, headersOf, reason) => {
        const f = current().gate;
        const headers = await headersOf(f);
        const expected = await direct(headers);
        expect(expected.status).toBe(REASONS[reason].httpStatus);
        const before = f.app.received.length;
        const answer = await via(headers);
        expect(answer.status).toBe(REASONS[reason].httpStatus);
        expect(answer.headers.get('content-type')).toBe('application/json');
        expect(answer.headers.get('x-pps-gate-reason')).toBe(reason);
        expect(answer.body).toBe(expected.body);
        expect(f.app.received).toHaveLength(before);
      },
    );

    it("passes an issuer outage through as pps-gate's retryable 503 with its Retry-After", async () => {
      const f = current().gate;
      const before = f.app.received.length;
      const answer = await via(webhookHeaders(await f.down.sign()));
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(answer.headers.get('x-pps-gate-reason')).toBe('keys_unavailable');
      expect(JSON.parse(answer.body)).toEqual({
        error: REASONS.keys_unavailable.message,
        reason: 'keys_unavailable',
      });
      expect(f.app.received).toHaveLength(before);
    });

    it('answers a retryable 503 with Retry-After when pps-gate does not answer at all', async () => {
      const f = current().gate;
      const before = f.app.received.length;
      const answer = await sendWebhook(current().deadGatePort, webhookHeaders(await f.good.sign()));
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(JSON.parse(answer.body)).toMatchObject({ reason: 'gate_unreachable' });
      expect(f.app.received).toHaveLength(before);
    });
  });
}
