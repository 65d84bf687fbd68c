// The pipeline's verdict: allow with the verified identity, or deny with a stable reason.
// Transports encode it; nothing here knows about gRPC or HTTP.
import type { Reason } from '../errors/reasons.js';

export interface VerifiedIdentity {
  readonly issuer: string;
  readonly subject: string;
  /** The audience that matched the issuer's allow-list (or the token's first one for "*"). */
  readonly audience: string;
  /** The verified payload, as pps-gate itself parsed it (duplicates were rejected). */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The token's own payload segment: base64url of exactly the JSON that was verified. */
  readonly encodedClaims: string;
}

export interface WebhookInfo {
  readonly topic: string;
  readonly tenantId: string;
  /** Lower-case canonical UUID. */
  readonly webhookId: string;
  /** Normalised ISO-8601 UTC instant. */
  readonly triggeredAt: string;
}

export interface Allow {
  readonly allowed: true;
  readonly identity: VerifiedIdentity;
  readonly webhook: WebhookInfo;
  /** Client headers upstream must not see: the token unless the issuer forwards it, and any
   * client-sent reserved x-pps-auth-* header pps-gate does not set itself. */
  readonly headersToRemove: readonly string[];
}

export interface Deny {
  readonly allowed: false;
  readonly reason: Reason;
  /** Private detail for logs; never sent to the client. */
  readonly detail: string;
  /** Public detail safe to show the sender (e.g. which webhook header is wrong). */
  readonly publicDetail?: string;
  /** Seconds the sender should wait before retrying (retryable reasons only). */
  readonly retryAfterSeconds?: number;
  /** The issuer, once it is known to be a trusted one (for logs and metrics). */
  readonly issuer?: string;
}

export type Decision = Allow | Deny;

export function deny(
  reason: Reason,
  detail: string,
  extra?: { publicDetail?: string; retryAfterSeconds?: number; issuer?: string },
): Deny {
  return { allowed: false, reason, detail, ...extra };
}

export function isDeny(value: object): value is Deny {
  return (value as Partial<Deny>).allowed === false;
}
