// An HTTP forward-auth call -> WebhookRequest: repeats kept and comma-merged, hop-by-hop headers
// dropped, and the original method and path recovered from the proxy's X-Forwarded-*/X-Original-*.
import type { IncomingMessage } from 'node:http';
import { mergeHeaders, type WebhookRequest } from '../../pipeline/webhook-request.js';
import { originalRequest, withoutHopHeaders } from './original-request.js';

function* headerEntries(message: IncomingMessage): Generator<[string, string]> {
  // headersDistinct keeps repeats (Node's `headers` silently drops a second Authorization).
  for (const [name, values] of Object.entries(message.headersDistinct)) {
    for (const value of values ?? []) yield [name, value];
  }
}

export function toWebhookRequest(message: IncomingMessage, receivedAtMs: number): WebhookRequest {
  const headers = withoutHopHeaders(mergeHeaders(headerEntries(message)));
  const { method, path } = originalRequest(message.method ?? 'GET', message.url ?? '/', headers);
  return { id: headers['x-request-id'], method, path, headers, receivedAtMs };
}
