// Each per-issuer webhook policy rule, allowed and denied, through the real gRPC server (a client
// on Envoy's own protos, standing in for Envoy's ext_authz filter) and the HTTP forward-auth port,
// with the gate's clock injected so every window is tested at its exact boundary.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  GOOD_CLAIMS,
  GUIDE_TRIGGERED_AT_MS,
  MAX_TOKEN_AGE_SECONDS,
  policyHeaders,
  startPolicyGate,
  TRIGGERED_AT_WINDOW_SECONDS,
  type BothAnswers,
  type PolicyGate,
} from './policy-gate.js';

let world: PolicyGate;
// A minute after the guide's example event, on a whole second (token times are whole seconds).
const START_MS = Math.ceil((GUIDE_TRIGGERED_AT_MS + 60_000) / 1000) * 1000;

beforeAll(async () => {
  world = await startPolicyGate(START_MS);
});

afterAll(async () => {
  await world?.close();
});

beforeEach(() => {
  world.clock.now = START_MS;
});

function expectAllowed(answers: BothAnswers): void {
  expect(answers.grpc, 'gRPC').toMatchObject({ allowed: true, status: 'OK' });
  expect(answers.http, 'HTTP').toMatchObject({ allowed: true, status: 200 });
}

function expectDenied(answers: BothAnswers, reason: string, httpStatus = 403): void {
  const envoyStatus = httpStatus === 403 ? 'Forbidden' : 'BadRequest';
  expect(answers.grpc, 'gRPC').toMatchObject({ allowed: false, reason, status: envoyStatus });
  expect(answers.http, 'HTTP').toMatchObject({ allowed: false, reason, status: httpStatus });
}

const strictToken = (claims: Record<string, unknown> = {}) =>
  world.sign(world.strict, { ...GOOD_CLAIMS, ...claims });

describe('an issuer with every webhook policy rule', () => {
  it('allows a webhook that satisfies them all, with the claim headers set', async () => {
    const answers = await world.check(policyHeaders(await strictToken()));
    expectAllowed(answers);
    for (const answer of [answers.grpc, answers.http]) {
      expect(answer.headers).toMatchObject({
        'x-pps-auth-email': 'sender@example.com',
        'x-pps-auth-tenant': 'OU1243',
        'x-pps-auth-roles': '["reader","sender"]',
        'x-pps-auth-email-verified': 'true',
      });
      // The token has no phone_number: no header.
      expect(answer.headers['x-pps-auth-phone']).toBeUndefined();
    }
  });

  it("over gRPC overwrites a client's copy of a claim header and removes one whose claim the token lacks; the HTTP port refuses both", async () => {
    const answers = await world.check(
      policyHeaders(await strictToken(), {
        'x-pps-auth-email': 'ceo@example.com',
        'x-pps-auth-phone': '+1 555 0100',
      }),
    );
    expect(answers.grpc).toMatchObject({ allowed: true, status: 'OK' });
    expect(answers.grpc.headers['x-pps-auth-email']).toBe('sender@example.com');
    expect(answers.grpc.removed).toContain('x-pps-auth-phone');
    // Removing a header pps-gate sets would drop its own value too (Envoy removes after adding).
    expect(answers.grpc.removed).not.toContain('x-pps-auth-email');
    // Most forward-auth proxies ignore a removal list, so the HTTP port refuses the request.
    expect(answers.http).toMatchObject({ allowed: false, reason: 'reserved_header', status: 400 });
  });
});

describe('tenant rules', () => {
  it('allows a listed tenant that equals the token claim', async () => {
    const token = await strictToken({ firebase: { tenant: 'OU2000', sign_in_provider: 'custom' } });
    expectAllowed(await world.check(policyHeaders(token, { 'x-pps-tenant-id': 'OU2000' })));
  });

  it('denies a tenant outside the allow-list as tenant_not_allowed', async () => {
    const token = await strictToken({ firebase: { tenant: 'OU3000', sign_in_provider: 'custom' } });
    expectDenied(
      await world.check(policyHeaders(token, { 'x-pps-tenant-id': 'OU3000' })),
      'tenant_not_allowed',
    );
  });

  it("denies a listed tenant that is not the token's own as tenant_mismatch", async () => {
    expectDenied(
      await world.check(policyHeaders(await strictToken(), { 'x-pps-tenant-id': 'OU2000' })),
      'tenant_mismatch',
    );
  });

  it('denies a token without the tenant claim as tenant_mismatch', async () => {
    const token = await strictToken({ firebase: { sign_in_provider: 'custom' } });
    expectDenied(await world.check(policyHeaders(token)), 'tenant_mismatch');
  });
});

describe('topic globs', () => {
  it.each(['orders/placed', 'invoices', 'invoices/eu/paid', 'billing.v1/paid'])(
    'allows %s',
    async (topic) => {
      expectAllowed(
        await world.check(policyHeaders(await strictToken(), { 'x-pps-topic': topic })),
      );
    },
  );

  it.each(['orders/a/b', 'orders/', 'payments/refunded', 'billing-v1/paid', 'Orders/placed'])(
    'denies %s as topic_not_allowed',
    async (topic) => {
      expectDenied(
        await world.check(policyHeaders(await strictToken(), { 'x-pps-topic': topic })),
        'topic_not_allowed',
      );
    },
  );

  it('still answers a malformed topic with 400 invalid_webhook_headers', async () => {
    expectDenied(
      await world.check(policyHeaders(await strictToken(), { 'x-pps-topic': '/orders placed' })),
      'invalid_webhook_headers',
      400,
    );
  });
});

describe('required claims', () => {
  it('allows an array claim that contains the required value', async () => {
    expectAllowed(
      await world.check(policyHeaders(await strictToken({ roles: ['sender', 'admin'] }))),
    );
  });

  it.each([
    ['a missing claim', { email_verified: undefined }],
    ['a string where a boolean is required', { email_verified: 'true' }],
    ['a false claim', { email_verified: false }],
    ['an array without the value', { roles: ['reader'] }],
    ['a scalar other than the value', { roles: 'reader' }],
    ['a different nested claim', { firebase: { tenant: 'OU1243', sign_in_provider: 'password' } }],
  ])('denies %s as claim_mismatch', async (_name, claims) => {
    expectDenied(await world.check(policyHeaders(await strictToken(claims))), 'claim_mismatch');
  });
});

describe('maxTokenAgeSeconds, with the clock injected', () => {
  it('allows a token exactly maxTokenAgeSeconds old, and denies it a millisecond later', async () => {
    const token = await strictToken();
    world.clock.now = START_MS + MAX_TOKEN_AGE_SECONDS * 1000;
    const headers = policyHeaders(token);
    expectAllowed(await world.check(headers));
    world.clock.now += 1;
    expectDenied(await world.check(headers), 'token_too_old');
  });

  it('denies a token without iat as invalid_claims', async () => {
    expectDenied(
      await world.check(policyHeaders(await strictToken({ iat: undefined }))),
      'invalid_claims',
    );
  });
});

describe("triggeredAtWindowSeconds, with the clock injected and the guide's loose timestamp", () => {
  it('allows 2024-01-1T10:00:00.7777748Z exactly the window old, and denies it a millisecond later', async () => {
    world.clock.now = GUIDE_TRIGGERED_AT_MS + TRIGGERED_AT_WINDOW_SECONDS * 1000;
    const token = await strictToken();
    const headers = policyHeaders(token);
    expect(headers['x-pps-triggered-at']).toBe('2024-01-1T10:00:00.7777748Z');
    expectAllowed(await world.check(headers));
    world.clock.now += 1;
    expectDenied(await world.check(headers), 'webhook_too_old');
  });

  it('allows a webhook triggered after the gate clock reads', async () => {
    world.clock.now = GUIDE_TRIGGERED_AT_MS - 5000;
    expectAllowed(await world.check(policyHeaders(await strictToken())));
  });
});

describe('the replay guard (replay: jti)', () => {
  it('allows a token again for the same webhook id (a redelivery), any letter case', async () => {
    const token = await strictToken();
    const id = '7C9E6679-7425-40DE-944B-E07FC1F90AE7';
    expectAllowed(await world.check(policyHeaders(token, { 'x-pps-webhook-id': id })));
    expectAllowed(
      await world.check(policyHeaders(token, { 'x-pps-webhook-id': id.toLowerCase() })),
    );
  });

  it('denies the same token for another webhook id as token_replayed', async () => {
    const token = await strictToken();
    expectAllowed(await world.check(policyHeaders(token)));
    expectDenied(await world.check(policyHeaders(token)), 'token_replayed');
  });

  it('does not mark a token used by a request another rule denied', async () => {
    const token = await strictToken();
    expectDenied(
      await world.check(policyHeaders(token, { 'x-pps-topic': 'payments/x' })),
      'topic_not_allowed',
    );
    expectAllowed(await world.check(policyHeaders(token)));
  });

  it('denies a token without jti as invalid_claims', async () => {
    expectDenied(
      await world.check(policyHeaders(await strictToken({ jti: undefined }))),
      'invalid_claims',
    );
  });

  it('denies a jti that is not a short string as invalid_claims', async () => {
    expectDenied(
      await world.check(policyHeaders(await strictToken({ jti: 42 }))),
      'invalid_claims',
    );
    expectDenied(
      await world.check(policyHeaders(await strictToken({ jti: 'j'.repeat(257) }))),
      'invalid_claims',
    );
  });
});

describe('an issuer without policy keys', () => {
  it('keeps its old behaviour: any tenant, topic and claims, and a token reused for other ids', async () => {
    // Issued far longer ago than the strict issuer's maxTokenAgeSeconds, which does not apply
    // here; the lifetime (exp - iat) stays within the default maxTokenLifetimeSeconds (86400),
    // which, since issue 14, applies to every issuer.
    const nowSec = Math.floor(START_MS / 1000);
    const token = await world.sign(world.plain, {
      jti: undefined,
      iat: nowSec - 20 * 3600,
      exp: nowSec + 3600,
    });
    const headers = { 'x-pps-tenant-id': 'OU9999', 'x-pps-topic': 'payments/refunded' };
    expectAllowed(await world.check(policyHeaders(token, headers)));
    const again = await world.check(policyHeaders(token, headers));
    expectAllowed(again);
    const auth = Object.keys(again.grpc.headers).filter((name) => name.startsWith('x-pps-auth-'));
    expect(auth.sort()).toEqual([
      'x-pps-auth-audience',
      'x-pps-auth-claims',
      'x-pps-auth-issuer',
      'x-pps-auth-subject',
    ]);
  });
});
