// Envoy ext_authz messages in the object form proto-loader gives with Envoy's protos (keepCase,
// enums as names, defaults, oneofs): CheckRequest builders for both header encodings, and
// readers for the CheckResponse fields tests assert on.

export interface EnvoyHeaderValueOption {
  header: { key: string; value: string; raw_value: Buffer };
  append: { value: boolean } | null;
  append_action: string;
}

export interface ProtoValue {
  kind?: string;
  nullValue?: string;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: ProtoStruct;
  listValue?: { values: ProtoValue[] };
}

export interface ProtoStruct {
  fields: Record<string, ProtoValue>;
}

export interface EnvoyCheckResponse {
  status: { code: number; message: string } | null;
  http_response?: 'ok_response' | 'denied_response' | 'error_response';
  ok_response?: { headers: EnvoyHeaderValueOption[]; headers_to_remove: string[] };
  denied_response?: {
    status: { code: string } | null;
    headers: EnvoyHeaderValueOption[];
    body: string;
  };
  dynamic_metadata: ProtoStruct | null;
}

interface RequestShape {
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
}

function httpAttributes(shape: RequestShape): Record<string, unknown> {
  return {
    id: `req-${Math.random().toString(36).slice(2)}`,
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
): unknown {
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
): unknown {
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
  options: readonly EnvoyHeaderValueOption[] | undefined,
  key: string,
): EnvoyHeaderValueOption | undefined {
  return options?.find((option) => option.header.key === key);
}

/** google.protobuf.Struct (proto-loader object form) -> plain JSON, for assertions. */
export function structToJson(struct: ProtoStruct | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(struct?.fields ?? {})) out[key] = valueToJson(value);
  return out;
}

function valueToJson(value: ProtoValue): unknown {
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
