// The issuer's rules on the webhook headers, judged once the token is verified and the headers
// are well-formed: tenant allow-list and binding, topic globs, and the triggered-at window.
import type { IssuerRules } from '../policy/issuer-rules.js';
import { checkWebhookAge } from '../policy/freshness.js';
import { checkTenant } from '../policy/tenant-binding.js';
import { topicMatches } from '../policy/topic-glob.js';
import { deny, type Deny, type WebhookInfo } from './decision.js';

export interface WebhookPolicyInput {
  readonly rules: IssuerRules;
  readonly issuer: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly webhook: WebhookInfo;
  readonly skewSeconds: number;
  readonly nowMs: number;
}

export function checkWebhookPolicy(input: WebhookPolicyInput): Deny | undefined {
  const { rules, issuer, webhook } = input;
  const tenant = checkTenant(rules, input.claims, webhook.tenantId);
  if (tenant !== undefined) return deny(tenant.reason, tenant.detail, { issuer });
  if (rules.topics !== undefined && !topicMatches(rules.topics, webhook.topic))
    return deny('topic_not_allowed', `topic ${JSON.stringify(webhook.topic)} matches no glob`, {
      issuer,
    });
  if (rules.triggeredAtWindowSeconds !== undefined) {
    // triggeredAt is the canonical ISO form check-webhook-headers made, which Date reads exactly.
    const tooOld = checkWebhookAge(
      Date.parse(webhook.triggeredAt),
      rules.triggeredAtWindowSeconds,
      input.skewSeconds,
      input.nowMs,
    );
    if (tooOld !== undefined) return deny(tooOld.reason, tooOld.detail, { issuer });
  }
  return undefined;
}
