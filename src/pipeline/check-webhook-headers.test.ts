// The PPS webhook headers: each one required and shaped, the failure named publicly (400).
import { describe, expect, it } from 'vitest';
import { REASONS } from '../errors/reasons.js';
import { checkWebhookHeaders } from './check-webhook-headers.js';
import type { WebhookRequest } from './webhook-request.js';

const GOOD = {
  'x-pps-topic': 'orders/placed',
  'x-pps-tenant-id': 'OU1243',
  'x-pps-webhook-id': '3F2504E0-4F89-11D3-9A0C-0305E82C3301',
  'x-pps-triggered-at': '2024-01-1T10:00:00.7777748Z',
};

function check(
  headers: Record<string, string | undefined>,
): ReturnType<typeof checkWebhookHeaders> {
  const merged = Object.fromEntries(
    Object.entries({ ...GOOD, ...headers }).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  const request: WebhookRequest = {
    id: undefined,
    method: 'POST',
    path: '/hook',
    headers: merged,
    receivedAtMs: 0,
  };
  return checkWebhookHeaders(request);
}

describe('checkWebhookHeaders', () => {
  it('returns the webhook info with a lower-case UUID and a normalised instant', () => {
    expect(check({})).toEqual({
      topic: 'orders/placed',
      tenantId: 'OU1243',
      webhookId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
      triggeredAt: '2024-01-01T10:00:00.777Z',
    });
  });

  it('names each missing or empty header in the public detail of a 400', () => {
    const names: Record<string, string> = {
      'x-pps-topic': 'X-Pps-Topic',
      'x-pps-tenant-id': 'X-Pps-Tenant-Id',
      'x-pps-webhook-id': 'X-Pps-Webhook-Id',
      'x-pps-triggered-at': 'X-Pps-Triggered-At',
    };
    for (const [header, shown] of Object.entries(names)) {
      for (const value of [undefined, '']) {
        const result = check({ [header]: value });
        expect(result).toMatchObject({
          allowed: false,
          reason: 'invalid_webhook_headers',
          publicDetail: `${shown} is missing`,
        });
      }
    }
    expect(REASONS.invalid_webhook_headers.httpStatus).toBe(400);
  });

  it('requires exactly one UUID in the webhook id, in any case', () => {
    expect(check({ 'x-pps-webhook-id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301' })).toMatchObject({
      webhookId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    });
    for (const bad of [
      'not-a-uuid',
      '{3f2504e0-4f89-11d3-9a0c-0305e82c3301}',
      '3f2504e04f8911d39a0c0305e82c3301',
      '3f2504e0-4f89-11d3-9a0c-0305e82c3301, 3f2504e0-4f89-11d3-9a0c-0305e82c3302',
    ]) {
      expect(check({ 'x-pps-webhook-id': bad }), bad).toMatchObject({
        reason: 'invalid_webhook_headers',
        publicDetail: 'X-Pps-Webhook-Id must be one UUID',
      });
    }
  });

  it('rejects the nil UUID as a webhook id: it identifies nothing', () => {
    expect(check({ 'x-pps-webhook-id': '00000000-0000-0000-0000-000000000000' })).toMatchObject({
      reason: 'invalid_webhook_headers',
      publicDetail: 'X-Pps-Webhook-Id must not be the nil UUID',
    });
    expect(check({ 'x-pps-webhook-id': '00000000-0000-0000-0000-000000000001' })).toMatchObject({
      webhookId: '00000000-0000-0000-0000-000000000001',
    });
  });

  it('rejects a triggered-at that is not a real instant, naming the header', () => {
    for (const bad of ['yesterday', '2024-02-30T00:00:00Z']) {
      const result = check({ 'x-pps-triggered-at': bad });
      expect(result).toMatchObject({ reason: 'invalid_webhook_headers' });
      expect((result as { publicDetail: string }).publicDetail).toMatch(/^X-Pps-Triggered-At /);
    }
  });

  it('rejects a topic or tenant id with characters that could not be a header value', () => {
    expect(check({ 'x-pps-topic': 'orders placed' })).toMatchObject({
      reason: 'invalid_webhook_headers',
    });
    expect(check({ 'x-pps-topic': 'a'.repeat(201) })).toMatchObject({
      reason: 'invalid_webhook_headers',
    });
    expect(check({ 'x-pps-tenant-id': 'OU 1243' })).toMatchObject({
      reason: 'invalid_webhook_headers',
    });
  });
});
