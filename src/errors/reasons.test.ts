// The reason table: every code is either the sender's permanent fault (4xx) or ours, retryable (5xx).
import { describe, expect, it } from 'vitest';
import { GrpcCode, REASON_CODES, REASONS } from './reasons.js';

describe('REASONS', () => {
  it('pairs 4xx with permanent and 5xx with retryable for every reason but the 200 duplicate', () => {
    expect(REASON_CODES.length).toBeGreaterThanOrEqual(17);
    for (const code of REASON_CODES.filter((c) => c !== 'duplicate_delivery')) {
      const spec = REASONS[code];
      const permanent = spec.httpStatus >= 400 && spec.httpStatus < 500;
      const retryable = spec.httpStatus >= 500 && spec.httpStatus < 600;
      expect(permanent !== retryable, code).toBe(true);
      expect(spec.retryable, code).toBe(retryable);
    }
  });

  it('gives every reason a non-OK gRPC code that agrees with its HTTP status', () => {
    const expected: Record<number, number> = {
      400: GrpcCode.INVALID_ARGUMENT,
      403: GrpcCode.UNAUTHENTICATED,
      500: GrpcCode.INTERNAL,
      503: GrpcCode.UNAVAILABLE,
    };
    for (const code of REASON_CODES.filter((c) => c !== 'duplicate_delivery')) {
      expect(REASONS[code].grpcCode, code).not.toBe(GrpcCode.OK);
      expect(REASONS[code].grpcCode, code).toBe(expected[REASONS[code].httpStatus]);
    }
  });

  it('answers token failures with 403, bad webhook headers with 400 and missing keys with 503', () => {
    for (const code of [
      'missing_token',
      'malformed_token',
      'untrusted_issuer',
      'token_expired',
      'unknown_key',
      'invalid_signature',
      'disallowed_algorithm',
    ] as const) {
      expect(REASONS[code].httpStatus, code).toBe(403);
    }
    expect(REASONS.invalid_webhook_headers.httpStatus).toBe(400);
    expect(REASONS.keys_unavailable).toMatchObject({ httpStatus: 503, retryable: true });
  });

  it('has a public message for every reason, and never uses 410, which disables senders', () => {
    for (const code of REASON_CODES) {
      expect(REASONS[code].message.length, code).toBeGreaterThan(10);
      expect(REASONS[code].httpStatus, code).not.toBe(410);
    }
  });

  it('answers a repeat of a delivered webhook 200 (never a 4xx) with a non-OK gRPC status, so Envoy sends the deny', () => {
    expect(REASONS.duplicate_delivery).toMatchObject({
      httpStatus: 200,
      grpcCode: GrpcCode.ALREADY_EXISTS,
      retryable: false,
    });
  });

  it('answers a repeat in flight and a store outage 503, retryable (never 409)', () => {
    expect(REASONS.delivery_in_progress).toMatchObject({ httpStatus: 503, retryable: true });
    expect(REASONS.dedup_unavailable).toMatchObject({ httpStatus: 503, retryable: true });
  });
});
