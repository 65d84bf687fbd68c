// Envoy-shaped CheckRequests and CheckResponses for the benchmark, on pps-gate's own protos
// (proto/, loaded with proto-loader): encode a webhook's CheckRequest once, frame it as a gRPC
// message (RFC-free but specified: gRPC over HTTP/2, "Length-Prefixed-Message"), decode answers.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

export const CHECK_PATH = '/envoy.service.auth.v3.Authorization/Check';
const PROTO_ROOT = fileURLToPath(new URL('../../proto', import.meta.url));

export function loadAuthorization() {
  const definition = loadSync(['envoy/service/auth/v3/external_auth.proto'], {
    keepCase: true,
    longs: String,
    enums: Number,
    defaults: false,
    oneofs: true,
    includeDirs: [PROTO_ROOT],
  });
  return loadPackageDefinition(definition).envoy.service.auth.v3.Authorization;
}

/** The headers a PPS webhook delivery carries through Envoy, with `token` as its bearer. */
export function webhookHeaders(token) {
  return {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    'x-pps-topic': 'orders/placed',
    'x-pps-tenant-id': 'OU1243',
    'x-pps-webhook-id': randomUUID(),
    'x-pps-triggered-at': '2024-01-1T10:00:00.7777748Z',
  };
}

export function checkRequest(token) {
  return {
    attributes: {
      request: {
        http: {
          id: randomUUID(),
          method: 'POST',
          path: '/webhooks/orders',
          headers: { ':method': 'POST', ':path': '/webhooks/orders', ...webhookHeaders(token) },
        },
      },
    },
  };
}

/** A gRPC Length-Prefixed-Message: flag byte 0 (uncompressed), 4-byte big-endian length, bytes. */
export function grpcFrame(message) {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return frame;
}

export function messageCodec(Authorization) {
  const check = Authorization.service.Check;
  return {
    encodeRequest: (request) => check.requestSerialize(request),
    encodeResponse: (response) => check.responseSerialize(response),
    decodeResponse: (bytes) => check.responseDeserialize(bytes),
  };
}

/** Undefined for a real allow; else what is wrong. */
export function notAnAllow(response) {
  const subject = response?.ok_response?.headers?.find(
    (h) => h.header?.key === 'x-pps-auth-subject',
  );
  return response?.status?.code === 0 && subject !== undefined
    ? undefined
    : `not an allow: ${JSON.stringify(response?.status ?? response).slice(0, 200)}`;
}
