// The one table of deny reasons: each stable code's HTTP status, gRPC code and retryability.
// The same string is the `reason` in deny bodies, the log field and the metric label.

/** google.rpc.Code values used in CheckResponse.status (googleapis google/rpc/code.proto). */
export const GrpcCode = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcCode = (typeof GrpcCode)[keyof typeof GrpcCode];

export interface ReasonSpec {
  /** 200 only for duplicate_delivery: a "deny" that tells the sender its webhook is delivered. */
  readonly httpStatus: 200 | 400 | 403 | 500 | 503;
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
  // Per-issuer webhook policy (README "Webhook policy"): the token is genuine but may not send this.
  tenant_mismatch: tokenFailure('the tenant is not the one the token was issued for'),
  tenant_not_allowed: tokenFailure('the tenant is not allowed for this issuer'),
  topic_not_allowed: tokenFailure('the topic is not allowed for this issuer'),
  claim_mismatch: tokenFailure('the token lacks a claim this issuer requires'),
  token_too_old: tokenFailure('the token was issued too long ago'),
  webhook_too_old: tokenFailure('the webhook was triggered too long ago'),
  token_replayed: tokenFailure('the token was already used for another webhook'),
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
  replay_store_unavailable: {
    httpStatus: 503,
    grpcCode: GrpcCode.UNAVAILABLE,
    retryable: true,
    message: 'the replay guard store is temporarily unavailable; retry later',
  },
  config_unavailable: {
    httpStatus: 503,
    grpcCode: GrpcCode.UNAVAILABLE,
    retryable: true,
    message: 'the gate has no trusted-issuer config yet; retry later',
  },
  // Dedup enforce mode (README "Duplicate deliveries"). A repeat of a delivered webhook is
  // answered 200 without reaching the upstream: senders count only 2xx as success, and a 4xx
  // would make strict ones drop the event. The gRPC status must still be non-OK for Envoy to
  // send the denied_response.
  duplicate_delivery: {
    httpStatus: 200,
    grpcCode: GrpcCode.ALREADY_EXISTS,
    retryable: false,
    message: 'duplicate delivery: this webhook was already delivered and is not delivered again',
  },
  // Never 409: strict senders drop an event for good on any 4xx.
  delivery_in_progress: {
    httpStatus: 503,
    grpcCode: GrpcCode.UNAVAILABLE,
    retryable: true,
    message: 'an earlier delivery of this webhook is still in progress; retry later',
  },
  dedup_unavailable: {
    httpStatus: 503,
    grpcCode: GrpcCode.UNAVAILABLE,
    retryable: true,
    message: 'the delivery store is temporarily unavailable; retry later',
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
