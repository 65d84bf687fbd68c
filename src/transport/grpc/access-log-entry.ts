// One Envoy HTTP access-log entry -> the delivery confirmation it carries, if any: the delivery
// key pps-gate handed out on the allow, and the HTTP status the client got (the upstream's).
// The key comes from the ext_authz dynamic metadata (pps-gate's CheckResponse.dynamic_metadata,
// stored by Envoy under the filter's namespace) or, failing that, from the logged request header
// x-pps-delivery-key (which pps-gate set on the allow, overwriting any client copy).
// Entries ext_authz denied are skipped: their headers are the client's own and unverified.
import { DELIVERY_KEY_PATTERN } from '../../dedup/delivery-key.js';

export const EXT_AUTHZ_NAMESPACE = 'envoy.filters.http.ext_authz';
export const DELIVERY_KEY_FIELD = 'delivery_key';
export const DELIVERY_KEY_HEADER = 'x-pps-delivery-key';

/** google.protobuf.Value as proto-loader decodes it: protobufjs keeps camelCase for this type. */
interface DecodedValue {
  stringValue?: string;
  string_value?: string;
}

/** The fields of envoy.data.accesslog.v3.HTTPAccessLogEntry pps-gate reads (proto/ subset). */
export interface HttpAccessLogEntryMessage {
  common_properties?: {
    response_flags?: { unauthorized_details?: object | null } | null;
    metadata?: {
      filter_metadata?: Record<string, { fields?: Record<string, DecodedValue> } | undefined>;
    } | null;
  } | null;
  request?: { request_headers?: Record<string, string> } | null;
  response?: { response_code?: { value?: number } | null } | null;
}

export interface DeliveryConfirmation {
  readonly deliveryKey: string;
  /** 0 when Envoy logged no response code (the client never got an answer). */
  readonly httpStatus: number;
}

function metadataKey(entry: HttpAccessLogEntryMessage): string | undefined {
  const field =
    entry.common_properties?.metadata?.filter_metadata?.[EXT_AUTHZ_NAMESPACE]?.fields?.[
      DELIVERY_KEY_FIELD
    ];
  return field?.stringValue ?? field?.string_value;
}

export function deliveryConfirmation(
  entry: HttpAccessLogEntryMessage,
): DeliveryConfirmation | undefined {
  const common = entry.common_properties;
  if (common?.response_flags?.unauthorized_details) return undefined;
  const deliveryKey = metadataKey(entry) ?? entry.request?.request_headers?.[DELIVERY_KEY_HEADER];
  if (deliveryKey === undefined || !DELIVERY_KEY_PATTERN.test(deliveryKey)) return undefined;
  return { deliveryKey, httpStatus: entry.response?.response_code?.value ?? 0 };
}
