// CheckRequest (as proto-loader decodes it) -> WebhookRequest. Envoy sends either `headers`
// (lower-cased, repeats comma-merged) or, with encode_raw_headers, `header_map` (raw bytes,
// repeats kept apart); both become the same merged, lower-cased record.
import { mergeHeaders, type WebhookRequest } from '../../pipeline/webhook-request.js';

interface HeaderValueMessage {
  key?: string;
  value?: string;
  raw_value?: Buffer;
}

export interface CheckRequestMessage {
  attributes?: {
    request?: {
      http?: {
        id?: string;
        method?: string;
        path?: string;
        headers?: Record<string, string>;
        header_map?: { headers?: HeaderValueMessage[] };
      };
    };
  };
}

/** Envoy's `header_map` as a flat [name, value, ...] list. */
function flattenHeaderMap(list: HeaderValueMessage[]): string[] {
  const flat: string[] = [];
  for (const header of list) {
    if (header.key === undefined) continue;
    // Header bytes are not necessarily UTF-8; latin1 keeps every byte distinct.
    const value =
      header.raw_value !== undefined && header.raw_value.length > 0
        ? header.raw_value.toString('latin1')
        : (header.value ?? '');
    flat.push(header.key, value);
  }
  return flat;
}

/** Envoy's `headers` map as a flat list; only own keys (protobufjs builds it as a plain object). */
function flattenHeaders(map: Record<string, string> | undefined): string[] {
  const flat: string[] = [];
  if (map !== undefined) for (const name of Object.keys(map)) flat.push(name, map[name]!);
  return flat;
}

export function toWebhookRequest(
  message: CheckRequestMessage,
  receivedAtMs: number,
): WebhookRequest {
  const http = message.attributes?.request?.http ?? {};
  const raw = http.header_map?.headers;
  const headers =
    raw !== undefined && raw.length > 0
      ? mergeHeaders(flattenHeaderMap(raw))
      : mergeHeaders(flattenHeaders(http.headers));
  return {
    id: http.id || headers['x-request-id'],
    method: http.method ?? headers[':method'] ?? '',
    path: http.path ?? headers[':path'] ?? '',
    headers,
    receivedAtMs,
  };
}
