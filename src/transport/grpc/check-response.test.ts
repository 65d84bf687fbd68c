// Decision -> CheckResponse: explicit status, overwrite semantics, removals, deny encoding.
import { describe, expect, it } from 'vitest';
import { GrpcCode, REASON_CODES, REASONS } from '../../errors/reasons.js';
import { deny, type Allow } from '../../pipeline/decision.js';
import type { WebhookRequest } from '../../pipeline/webhook-request.js';
import { headersToRemove, IDENTITY_HEADERS } from '../../pipeline/headers-to-remove.js';
import { toCheckResponse } from './check-response.js';

const claims = {
  iss: 'https://issuer.example/p',
  sub: 'sender',
  aud: 'p',
  exp: 2_000_000_000,
  nested: { n: [1, 'two'] },
};
const allow = (forwardToken = false): Allow => ({
  allowed: true,
  identity: {
    issuer: claims.iss,
    subject: 'sender',
    audience: 'p',
    claims,
    encodedClaims: Buffer.from(JSON.stringify(claims)).toString('base64url'),
  },
  webhook: {
    topic: 'orders/placed',
    tenantId: 'OU1',
    webhookId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    triggeredAt: '2024-01-01T10:00:00.000Z',
  },
  // As the pipeline computes it from the request it judged.
  headersToRemove: headersToRemove(request.headers, forwardToken),
});
const request: WebhookRequest = {
  id: 'r1',
  method: 'POST',
  path: '/hook',
  headers: {
    authorization: 'Bearer a.b.c',
    'x-pps-auth-foo': 'forged',
    'x-pps-auth-issuer': 'forged',
    'content-type': 'application/json',
  },
  receivedAtMs: 0,
};

describe('toCheckResponse for an allow', () => {
  it('has status code 0 and sets the four identity headers with overwrite semantics', () => {
    const response = toCheckResponse(allow());
    expect(response.status.code).toBe(GrpcCode.OK);
    expect(response.denied_response).toBeUndefined();
    const headers = response.ok_response!.headers;
    expect(headers.map((h) => h.header.key).sort()).toEqual([...IDENTITY_HEADERS].sort());
    for (const option of headers) {
      expect(option.append_action).toBe('OVERWRITE_IF_EXISTS_OR_ADD');
      expect(option.append).toEqual({ value: false });
    }
    const encoded = headers.find((h) => h.header.key === 'x-pps-auth-claims')!.header.value;
    expect(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'))).toEqual(claims);
  });

  it('removes authorization and foreign reserved headers, but not the ones it sets', () => {
    const remove = toCheckResponse(allow()).ok_response!.headers_to_remove;
    expect([...remove].sort()).toEqual(['authorization', 'x-pps-auth-foo']);
    expect(toCheckResponse(allow(true)).ok_response!.headers_to_remove).toEqual(['x-pps-auth-foo']);
  });

  it('puts identity and webhook into dynamic metadata as a Struct', () => {
    const fields = toCheckResponse(allow()).dynamic_metadata!.fields;
    expect(fields.subject).toEqual({ stringValue: 'sender' });
    expect(fields.webhook?.structValue?.fields.topic).toEqual({ stringValue: 'orders/placed' });
    expect(fields.claims?.structValue?.fields.nested?.structValue?.fields.n).toEqual({
      listValue: { values: [{ numberValue: 1 }, { stringValue: 'two' }] },
    });
  });
});

describe('toCheckResponse for a deny', () => {
  it('always has a non-zero status and the HTTP status, code and JSON body of its reason', () => {
    for (const reason of REASON_CODES) {
      const response = toCheckResponse(deny(reason, `private detail for ${reason}`));
      expect(response.status.code, reason).not.toBe(0);
      expect(response.status.code, reason).toBe(REASONS[reason].grpcCode);
      expect(response.denied_response!.status.code, reason).toBe(REASONS[reason].httpStatus);
      expect(JSON.parse(response.denied_response!.body), reason).toEqual({
        error: REASONS[reason].message,
        reason,
      });
      expect(response.denied_response!.body).not.toContain('private detail');
      expect(response.ok_response, reason).toBeUndefined();
      const headers = Object.fromEntries(
        response.denied_response!.headers.map((h) => [h.header.key, h.header.value]),
      );
      expect(headers['content-type'], reason).toBe('application/json');
      expect(headers['x-pps-gate-reason'], reason).toBe(reason);
    }
  });

  it('adds retry-after to keys_unavailable', () => {
    const response = toCheckResponse(deny('keys_unavailable', 'down', { retryAfterSeconds: 17 }));
    expect(response.denied_response!.status.code).toBe(503);
    const retry = response.denied_response!.headers.find((h) => h.header.key === 'retry-after');
    expect(retry?.header.value).toBe('17');
  });

  it('sends no retry-after on a permanent deny', () => {
    const response = toCheckResponse(deny('token_expired', 'old'));
    expect(response.denied_response!.headers.some((h) => h.header.key === 'retry-after')).toBe(
      false,
    );
  });
});
