// Envoy ext_authz messages in the object form proto-loader gives with Envoy's protos (keepCase,
// enums as names, defaults, oneofs), typed by the generated types in ./generated/envoy
// (npm run gen:proto): CheckRequest builders for both header encodings, and readers for the
// CheckResponse fields tests assert on.
import type { HeaderValueOption__Output } from './generated/envoy/envoy/config/core/v3/HeaderValueOption.js';
import type { HeaderValue__Output } from './generated/envoy/envoy/config/core/v3/HeaderValue.js';
import type { CheckRequest } from './generated/envoy/envoy/service/auth/v3/CheckRequest.js';
import type { CheckResponse__Output } from './generated/envoy/envoy/service/auth/v3/CheckResponse.js';
import type { _envoy_service_auth_v3_AttributeContext_HttpRequest as HttpRequestAttributes } from './generated/envoy/envoy/service/auth/v3/AttributeContext.js';
import type { Struct__Output } from './generated/envoy/google/protobuf/Struct.js';
import type { Value__Output } from './generated/envoy/google/protobuf/Value.js';

export type { CheckRequest, CheckResponse__Output as EnvoyCheckResponse };

/** A HeaderValueOption that carries a header (the proto allows none). */
export type EnvoyHeaderValueOption = HeaderValueOption__Output & { header: HeaderValue__Output };

export interface RequestShape {
  /** attributes.request.http.id (Envoy's x-request-id); random when not given. */
  readonly id?: string;
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
}

function httpAttributes(shape: RequestShape): HttpRequestAttributes {
  return {
    id: shape.id ?? `req-${Math.random().toString(36).slice(2)}`,
    method: shape.method ?? 'POST',
    path: shape.path ?? '/webhooks/orders',
    host: shape.host ?? 'webhooks.example.com',
    scheme: 'https',
    protocol: 'HTTP/1.1',
  };
}

/** A CheckRequest as Envoy sends it by default: a lower-cased `headers` map (repeats comma-merged). */
export function headersCheckRequest(
  headers: Readonly<Record<string, string>>,
  shape: RequestShape = {},
): CheckRequest {
  const lower: Record<string, string> = {
    ':method': shape.method ?? 'POST',
    ':path': shape.path ?? '/webhooks/orders',
    ':authority': shape.host ?? 'webhooks.example.com',
  };
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return { attributes: { request: { http: { ...httpAttributes(shape), headers: lower } } } };
}

/** A CheckRequest as Envoy sends it with encode_raw_headers: `header_map` entries with `raw_value` bytes, repeats kept apart. */
export function rawHeadersCheckRequest(
  entries: readonly (readonly [string, string])[],
  shape: RequestShape = {},
): CheckRequest {
  const headers = entries.map(([key, value]) => ({
    key: key.toLowerCase(),
    raw_value: Buffer.from(value, 'latin1'),
  }));
  return {
    attributes: { request: { http: { ...httpAttributes(shape), header_map: { headers } } } },
  };
}

/** The value set for `key` in a list of HeaderValueOptions, or undefined. */
export function headerOption(
  options: readonly HeaderValueOption__Output[] | undefined,
  key: string,
): EnvoyHeaderValueOption | undefined {
  return options?.find((option): option is EnvoyHeaderValueOption => option.header?.key === key);
}

/** google.protobuf.Struct (proto-loader object form) -> plain JSON, for assertions. */
export function structToJson(struct: Struct__Output | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(struct?.fields ?? {})) out[key] = valueToJson(value);
  return out;
}

function valueToJson(value: Value__Output): unknown {
  switch (value.kind) {
    case 'nullValue':
      return null;
    case 'numberValue':
      return value.numberValue;
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'structValue':
      return structToJson(value.structValue);
    case 'listValue':
      return (value.listValue?.values ?? []).map(valueToJson);
    default:
      throw new Error(`Struct value without a kind: ${JSON.stringify(value)}`);
  }
}
