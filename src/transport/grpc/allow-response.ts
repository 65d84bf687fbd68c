// An allow's CheckResponse as protobuf bytes, assembled from parts built once per verified
// identity (the four identity headers, the identity's dynamic_metadata fields) and the few bytes
// that depend on the request (headers_to_remove, the webhook's metadata). The bytes are exactly
// what protobufjs writes for toCheckResponse(allow) (allow-response.test.ts holds them equal);
// building them this way spares re-encoding the claims on every check of a reused token.
import type { Allow, VerifiedIdentity } from '../../pipeline/decision.js';
import { identityHeaders, requestAllowHeaders } from '../allow-headers.js';
import {
  delimitedSize,
  encodeStructFields,
  lengthDelimited,
  nestedStringsEntrySize,
  ProtoWriter,
  stringEntrySize,
  stringField,
  stringFieldsSize,
  stringSize,
  varintField,
  writeNestedStringsEntry,
  writeStringEntry,
} from './protobuf-writer.js';

interface PrebuiltParts {
  /** OkHttpResponse.headers (field 2) entries. */
  readonly okHeaders: Buffer;
  /** dynamic_metadata Struct map entries for issuer, subject, audience, claims. */
  readonly identityFields: Buffer;
}

// CheckResponse.status (field 1): google.rpc.Status{code: 0, message: ""}, written explicitly,
// because to Envoy an unset status means allow by accident rather than by decision.
const STATUS_OK = lengthDelimited(1, Buffer.concat([varintField(1, 0), stringField(2, '')]));
const OVERWRITE_IF_EXISTS_OR_ADD = 2;

// OkHttpResponse.headers (field 2) entry, a HeaderValueOption: header 1 {key 1, value 2},
// append 2 (BoolValue{value 1: false}, written explicitly), append_action 3. Sized, then written
// straight into the answer's buffer: a per-request header costs no Buffer of its own.
const APPEND_FALSE_AND_ACTION_SIZE = delimitedSize(2) + 2;

/** HeaderValue {key 1, value 2}: the body of the option's `header` field. */
const headerValueSize = (key: string, value: string): number => stringSize(key) + stringSize(value);
const optionBodySize = (headerValue: number): number =>
  delimitedSize(headerValue) + APPEND_FALSE_AND_ACTION_SIZE;
const headerOptionSize = (key: string, value: string): number =>
  delimitedSize(optionBodySize(headerValueSize(key, value)));

function writeHeaderOption(w: ProtoWriter, key: string, value: string): void {
  const headerValue = headerValueSize(key, value);
  w.head(2, optionBodySize(headerValue))
    .head(1, headerValue)
    .string(1, key)
    .string(2, value)
    .head(2, 2)
    .varintField(1, 0)
    .varintField(3, OVERWRITE_IF_EXISTS_OR_ADD);
}

/** Identity headers, kept as long as their token cache entry (see ProtoWriter's `kept`). */
function keptHeaderOptions(headers: readonly (readonly [string, string])[]): Buffer {
  let size = 0;
  for (const [key, value] of headers) size += headerOptionSize(key, value);
  const w = new ProtoWriter(size, true);
  for (const [key, value] of headers) writeHeaderOption(w, key, value);
  return w.done();
}

// Keyed by the identity object: a verified-token cache entry keeps one for its lifetime, so the
// parts live exactly as long as the entry (a fresh verification's identity is built once, used once).
const prebuilt = new WeakMap<VerifiedIdentity, PrebuiltParts>();

function partsOf(allow: Allow): PrebuiltParts {
  const { identity } = allow;
  let parts = prebuilt.get(identity);
  if (parts === undefined) {
    parts = {
      okHeaders: keptHeaderOptions(identityHeaders(identity)),
      identityFields: encodeStructFields(
        {
          issuer: identity.issuer,
          subject: identity.subject,
          audience: identity.audience,
          claims: identity.claims,
        },
        true,
      ),
    };
    prebuilt.set(identity, parts);
  }
  return parts;
}

export function encodeAllowResponse(allow: Allow): Buffer {
  const parts = partsOf(allow);
  // Claim headers and dedup marks belong to this request: encoded per call, after the identity.
  const requestHeaders = requestAllowHeaders(allow);
  let okSize = parts.okHeaders.length;
  for (const [key, value] of requestHeaders) okSize += headerOptionSize(key, value);
  for (const name of allow.headersToRemove) okSize += stringSize(name);
  const { delivery } = allow;
  // Envoy stores dynamic_metadata under envoy.filters.http.ext_authz; its access log carries
  // delivery_key back to pps-gate (dedup enforce).
  // The per-request metadata, {webhook: {...}, delivery_key?}, sized once and written by hand.
  const { webhook } = allow;
  const webhookSize = stringFieldsSize(webhook);
  const deliveryKey =
    delivery !== undefined && delivery !== 'unavailable' ? delivery.deliveryKey : undefined;
  const metadataSize =
    parts.identityFields.length +
    nestedStringsEntrySize('webhook', webhookSize) +
    (deliveryKey === undefined ? 0 : stringEntrySize('delivery_key', deliveryKey));
  const w = new ProtoWriter(STATUS_OK.length + delimitedSize(okSize) + delimitedSize(metadataSize));
  w.bytes(STATUS_OK).head(3, okSize).bytes(parts.okHeaders);
  for (const [key, value] of requestHeaders) writeHeaderOption(w, key, value);
  for (const name of allow.headersToRemove) w.string(5, name);
  w.head(4, metadataSize).bytes(parts.identityFields);
  writeNestedStringsEntry(w, 'webhook', webhook, webhookSize);
  if (deliveryKey !== undefined) writeStringEntry(w, 'delivery_key', deliveryKey);
  return w.done();
}
