import { describe, expect, it } from 'vitest';
import { DELIVERY_KEY_PATTERN, deliveryKey } from './delivery-key.js';

const principal = {
  issuer: 'https://issuer.example',
  subject: 'sender-1',
  tenantId: 'OU1243',
  webhookId: '0b7c6f43-6a55-4f0e-9a55-1b2c3d4e5f60',
};

describe('deliveryKey', () => {
  it('is the sha256 hex of iss|sub|tenant|lower(webhook id)', async () => {
    const { createHash } = await import('node:crypto');
    const expected = createHash('sha256')
      .update('https://issuer.example|sender-1|OU1243|0b7c6f43-6a55-4f0e-9a55-1b2c3d4e5f60', 'utf8')
      .digest('hex');
    expect(deliveryKey(principal)).toBe(expected);
    expect(deliveryKey(principal)).toMatch(DELIVERY_KEY_PATTERN);
  });

  it('gives an upper-case webhook id the same key as its lower-case spelling', () => {
    expect(deliveryKey({ ...principal, webhookId: principal.webhookId.toUpperCase() })).toBe(
      deliveryKey(principal),
    );
  });

  it('gives the same id under another subject, tenant or issuer a different key', () => {
    const key = deliveryKey(principal);
    expect(deliveryKey({ ...principal, subject: 'sender-2' })).not.toBe(key);
    expect(deliveryKey({ ...principal, tenantId: 'OU9999' })).not.toBe(key);
    expect(deliveryKey({ ...principal, issuer: 'https://other.example' })).not.toBe(key);
  });

  it('cannot be made to collide by moving a "|" between issuer and subject', () => {
    expect(deliveryKey({ ...principal, issuer: 'a|b', subject: 'c' })).not.toBe(
      deliveryKey({ ...principal, issuer: 'a', subject: 'b|c' }),
    );
  });

  it('contains none of the raw values', () => {
    const key = deliveryKey(principal);
    expect(key).not.toContain('OU1243');
    expect(key).not.toContain(principal.webhookId.slice(0, 8));
  });
});
