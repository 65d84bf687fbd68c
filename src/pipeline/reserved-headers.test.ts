// The reserved names: what counts (both spellings, prefixes and exact names) and what does not.
import { describe, expect, it } from 'vitest';
import { REASONS } from '../errors/reasons.js';
import { isReservedHeader, refuseReservedHeaders } from './reserved-headers.js';

describe('isReservedHeader', () => {
  it.each([
    'x-pps-auth-issuer',
    'x-pps-auth-role',
    'x-pps-delivery-attempt',
    'x-pps-duplicate',
    'x-pps-first-seen-at',
    'x-pps-dedup',
    'x_pps_auth_role',
    'x_pps_delivery_id',
    'x-pps_auth-role',
    'x_pps_first_seen_at',
    'x-pps-auth-email',
    'x_pps_duplicate',
    'x_pps_dedup',
  ])('reserves %s', (name) => {
    expect(isReservedHeader(name)).toBe(true);
  });

  it.each([
    'x-pps-topic',
    'x-pps-tenant-id',
    'x-pps-webhook-id',
    'x-pps-triggered-at',
    'x-pps-gate-reason',
    'x-pps-auth',
    'x-pps-duplicates',
    'x-pps-dedup-key',
    'authorization',
    'x-request-id',
    'a-pps-auth-role',
    'x_pps_webhook_id',
    'x-pps-dedup-x',
    'x-ppsauth-role',
  ])('leaves %s alone', (name) => {
    expect(isReservedHeader(name)).toBe(false);
  });
});

describe('refuseReservedHeaders', () => {
  it('refuses a request carrying a reserved header with 400 reserved_header, naming it publicly', () => {
    const refused = refuseReservedHeaders({
      authorization: 'Bearer x',
      'x-pps-topic': 'orders/placed',
      'x-pps-auth-role': 'admin',
    });
    expect(refused).toMatchObject({
      allowed: false,
      reason: 'reserved_header',
      publicDetail: 'x-pps-auth-role is reserved for pps-gate and must not come from the client',
    });
    expect(REASONS.reserved_header).toMatchObject({ httpStatus: 400, retryable: false });
  });

  it('passes a request with only webhook headers', () => {
    expect(
      refuseReservedHeaders({ authorization: 'Bearer x', 'x-pps-topic': 'orders/placed' }),
    ).toBeUndefined();
  });
});
