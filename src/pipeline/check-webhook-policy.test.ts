import { describe, expect, it } from 'vitest';
import { compileIssuerRules } from '../policy/issuer-rules.js';
import { checkWebhookPolicy, type WebhookPolicyInput } from './check-webhook-policy.js';

const NOW = Date.UTC(2024, 0, 1, 11, 0, 0, 777);
const rules = compileIssuerRules({
  tenantClaim: 'firebase.tenant',
  tenants: ['OU1243', 'OU2000'],
  topics: ['orders/*'],
  triggeredAtWindowSeconds: 3600,
});

function input(overrides: Partial<WebhookPolicyInput['webhook']> = {}, nowMs = NOW) {
  return {
    rules,
    issuer: 'https://issuer',
    claims: { firebase: { tenant: 'OU1243' } },
    webhook: {
      topic: 'orders/placed',
      tenantId: 'OU1243',
      webhookId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      triggeredAt: '2024-01-01T10:00:00.777Z',
      ...overrides,
    },
    skewSeconds: 0,
    nowMs,
  };
}

describe('checkWebhookPolicy', () => {
  it('passes a webhook every rule allows, exactly at the window boundary', () => {
    expect(checkWebhookPolicy(input())).toBeUndefined();
  });

  it('denies with the failing rule as reason and the issuer attached', () => {
    expect(checkWebhookPolicy(input({ tenantId: 'OU9' }))).toMatchObject({
      allowed: false,
      reason: 'tenant_not_allowed',
      issuer: 'https://issuer',
    });
    expect(checkWebhookPolicy(input({ tenantId: 'OU2000' }))?.reason).toBe('tenant_mismatch');
    expect(checkWebhookPolicy(input({ topic: 'orders/a/b' }))?.reason).toBe('topic_not_allowed');
    expect(checkWebhookPolicy(input({}, NOW + 1))?.reason).toBe('webhook_too_old');
  });

  it('passes anything for an issuer without rules', () => {
    expect(
      checkWebhookPolicy({
        ...input({ tenantId: 'X', topic: 'y' }, NOW * 2),
        rules: compileIssuerRules({}),
      }),
    ).toBeUndefined();
  });
});
