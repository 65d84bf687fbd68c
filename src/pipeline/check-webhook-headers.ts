// Step 7: the PPS webhook headers, judged only once the token is good (a bad token is 403 first).
// Malformed headers are the sender's own fault and can never succeed: 400.
import type { WebhookInfo } from './decision.js';
import { deny, type Deny } from './decision.js';
import { parseTriggeredAt } from './parse-triggered-at.js';
import type { WebhookRequest } from './webhook-request.js';

const TOPIC = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function invalid(header: string, problem: string): Deny {
  const text = `${header} ${problem}`;
  return deny('invalid_webhook_headers', text, { publicDetail: text });
}

export function checkWebhookHeaders(request: WebhookRequest): WebhookInfo | Deny {
  const { headers } = request;
  const topic = headers['x-pps-topic'];
  if (topic === undefined || topic === '') return invalid('X-Pps-Topic', 'is missing');
  if (!TOPIC.test(topic))
    return invalid(
      'X-Pps-Topic',
      'must look like "orders/placed" (letters, digits, . _ : / -; at most 200)',
    );
  const tenantId = headers['x-pps-tenant-id'];
  if (tenantId === undefined || tenantId === '') return invalid('X-Pps-Tenant-Id', 'is missing');
  if (!TENANT_ID.test(tenantId))
    return invalid(
      'X-Pps-Tenant-Id',
      'must look like "OU1243" (letters, digits, . _ -; at most 128)',
    );
  const webhookId = headers['x-pps-webhook-id'];
  if (webhookId === undefined || webhookId === '') return invalid('X-Pps-Webhook-Id', 'is missing');
  if (!UUID.test(webhookId)) return invalid('X-Pps-Webhook-Id', 'must be one UUID');
  // The nil UUID (RFC 9562 §5.9) identifies nothing: a sender that sends it has no id to dedup on.
  if (webhookId === NIL_UUID) return invalid('X-Pps-Webhook-Id', 'must not be the nil UUID');
  const triggeredAtRaw = headers['x-pps-triggered-at'];
  if (triggeredAtRaw === undefined || triggeredAtRaw === '')
    return invalid('X-Pps-Triggered-At', 'is missing');
  const triggeredAt = parseTriggeredAt(triggeredAtRaw);
  if (typeof triggeredAt === 'string') return invalid('X-Pps-Triggered-At', triggeredAt);
  return { topic, tenantId, webhookId: webhookId.toLowerCase(), triggeredAt: triggeredAt.iso };
}
