import { describe, expect, it } from 'vitest';
import { isReservedHeader } from './headers-to-remove.js';

describe('isReservedHeader', () => {
  it.each([
    'x-pps-auth-subject',
    'x-pps-auth-email',
    'x_pps_auth_role',
    'x-pps_auth-role',
    'x-pps-delivery-attempt',
    'x_pps_delivery_id',
    'x-pps-duplicate',
    'x_pps_duplicate',
    'x-pps-first-seen-at',
    'x_pps_first_seen_at',
    'x-pps-dedup',
    'x_pps_dedup',
  ])('reserves %s', (name) => {
    expect(isReservedHeader(name)).toBe(true);
  });

  it.each([
    'x-pps-topic',
    'x-pps-tenant-id',
    'x-pps-webhook-id',
    'x_pps_webhook_id',
    'x-pps-triggered-at',
    'x-pps-auth',
    'x-pps-dedup-x',
    'x-pps-duplicates',
    'authorization',
    'x-ppsauth-role',
  ])('leaves %s alone', (name) => {
    expect(isReservedHeader(name)).toBe(false);
  });
});
