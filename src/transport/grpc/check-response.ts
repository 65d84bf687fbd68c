// Decision -> CheckResponse. The status is always explicit (an unset status means allow to
// Envoy), and a deny always carries its own HTTP status, body and, when retryable, retry-after.
import { GrpcCode, REASONS } from '../../errors/reasons.js';
import type { Decision } from '../../pipeline/decision.js';
import { allowHeaders } from '../allow-headers.js';
import { denyBody } from '../deny-body.js';
import { toProtoStruct, type ProtoStruct } from './struct.js';

interface HeaderValueOption {
  header: { key: string; value: string };
  append: { value: boolean };
  append_action: 'OVERWRITE_IF_EXISTS_OR_ADD';
}

export interface CheckResponseMessage {
  status: { code: number; message: string };
  ok_response?: { headers: HeaderValueOption[]; headers_to_remove: readonly string[] };
  denied_response?: { status: { code: number }; headers: HeaderValueOption[]; body: string };
  dynamic_metadata?: ProtoStruct;
}

function setHeader(key: string, value: string): HeaderValueOption {
  // append_action for current Envoys; append:false for those that only honour the old field.
  return {
    header: { key, value },
    append: { value: false },
    append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
  };
}

export function toCheckResponse(decision: Decision): CheckResponseMessage {
  if (decision.allowed) {
    const { identity, webhook } = decision;
    return {
      status: { code: GrpcCode.OK, message: '' },
      ok_response: {
        headers: allowHeaders(decision).map(([key, value]) => setHeader(key, value)),
        headers_to_remove: decision.headersToRemove,
      },
      dynamic_metadata: toProtoStruct({
        issuer: identity.issuer,
        subject: identity.subject,
        audience: identity.audience,
        claims: identity.claims,
        webhook: { ...webhook },
      }),
    };
  }
  const spec = REASONS[decision.reason];
  const headers = [
    setHeader('content-type', 'application/json'),
    setHeader('x-pps-gate-reason', decision.reason),
  ];
  if (decision.retryAfterSeconds !== undefined)
    headers.push(setHeader('retry-after', String(decision.retryAfterSeconds)));
  return {
    status: { code: spec.grpcCode, message: decision.reason },
    denied_response: { status: { code: spec.httpStatus }, headers, body: denyBody(decision) },
  };
}
