// The one table of deny reasons: each stable code's HTTP status, gRPC code and retryability.
// The same string is the `reason` in deny bodies, the log field and the metric label.

/** google.rpc.Code values used in CheckResponse.status (googleapis google/rpc/code.proto). */
export const GrpcCode = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  PERMISSION_DENIED: 7,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcCode = (typeof GrpcCode)[keyof typeof GrpcCode];

export interface ReasonSpec {
  readonly httpStatus: 400 | 403 | 500 | 503;
  readonly grpcCode: GrpcCode;
  /** Retryable reasons are our (or a dependency's) fault: senders must retry them (5xx). */
  readonly retryable: boolean;
  /** Public, stable text for the deny body; private detail goes to logs only. */
  readonly message: string;
}

const tokenFailure = (message: string): ReasonSpec => ({
  httpStatus: 403,
  grpcCode: GrpcCode.UNAUTHENTICATED,
  retryable: false,
  message,
});

export const REASONS = {
  missing_token: tokenFailure('no bearer token in the Authorization header'),
  malformed_token: tokenFailure('the bearer token is not a well-formed compact JWS'),
  unsupported_token_type: tokenFailure('the token type (typ) is not JWT'),
  untrusted_issuer: tokenFailure('the token issuer is not trusted'),
  invalid_audience: tokenFailure('the token audience is not allowed for its issuer'),
  token_expired: tokenFailure('the token has expired'),
  token_not_yet_valid: tokenFailure('the token is not yet valid'),
  invalid_claims: tokenFailure('the token claims are invalid'),
  disallowed_algorithm: tokenFailure('the token signing algorithm is not allowed'),
  unknown_key: tokenFailure('the token was signed with a key its issuer does not publish'),
  invalid_signature: tokenFailure('the token signature is invalid'),
  invalid_webhook_headers: {
    httpStatus: 400,
    grpcCode: GrpcCode.INVALID_ARGUMENT,
    retryable: false,
    message: 'the webhook headers are invalid',
  },
  // A header only pps-gate may set (x-pps-auth-*, x-pps-delivery-*, ...) arrived from the
  // client at the HTTP forward-auth port: upstreams trust those names, so the request is refused
  // rather than judged (src/pipeline/reserved-headers.ts).
  reserved_header: {
    httpStatus: 400,
    grpcCode: GrpcCode.INVALID_ARGUMENT,
    retryable: false,
    message: 'the request carries a header reserved for pps-gate',
  },
  keys_unavailable: {
    httpStatus: 503,
    grpcCode: GrpcCode.UNAVAILABLE,
    retryable: true,
    message: 'the issuer signing keys are temporarily unavailable; retry later',
  },
  config_unavailable: {
    httpStatus: 503,
    grpcCode: GrpcCode.UNAVAILABLE,
    retryable: true,
    message: 'the gate has no trusted-issuer config yet; retry later',
  },
  internal: {
    httpStatus: 500,
    grpcCode: GrpcCode.INTERNAL,
    retryable: true,
    message: 'internal error; retry later',
  },
} as const satisfies Record<string, ReasonSpec>;

export type Reason = keyof typeof REASONS;

export const REASON_CODES = Object.keys(REASONS) as Reason[];
