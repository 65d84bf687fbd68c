// An HTTP forward-auth call -> WebhookRequest: repeats kept and comma-merged, hop-by-hop headers
// dropped, and the original method and path recovered from the proxy's X-Forwarded-*/X-Original-*.
import type { IncomingMessage } from 'node:http';
import { mergeHeaders, type WebhookRequest } from '../../pipeline/webhook-request.js';
import { originalRequest, withoutHopHeaders } from './original-request.js';

export function toWebhookRequest(message: IncomingMessage, receivedAtMs: number): WebhookRequest {
  // rawHeaders keeps every repeat (Node's `headers` silently drops a second Authorization) and
  // is read in one pass, without building headersDistinct's arrays.
  const headers = withoutHopHeaders(mergeHeaders(message.rawHeaders));
  const { method, path } = originalRequest(message.method ?? 'GET', message.url ?? '/', headers);
  return { id: headers['x-request-id'], method, path, headers, receivedAtMs };
}
