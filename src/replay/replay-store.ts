// The replay guard's memory of tokens already used (`replay: jti`): each token, named by its
// issuer and jti, is remembered with the webhook id it first carried until the token expires.
// The same webhook id again is a redelivery (dedup's business), another id is a replay.

export type ReplayVerdict = 'first' | 'redelivery' | 'replayed';

export interface ReplayStore {
  /** `memory` is per process; `redis` is shared by every replica and worker. */
  readonly kind: 'memory' | 'redis';
  /**
   * Records `webhookId` for the token unless the token was seen before, atomically, and says
   * which case this is. `expiresAtMs` is when the token stops being accepted (exp plus skew).
   * A rejected promise means the store could not answer (a retryable failure).
   */
  check(
    tokenKey: string,
    webhookId: string,
    expiresAtMs: number,
  ): ReplayVerdict | Promise<ReplayVerdict>;
  close(): Promise<void>;
}

/** The store key of a token: its issuer and jti (a jti is unique per issuer, RFC 7519 §4.1.7). */
export const replayTokenKey = (issuer: string, jti: string): string => `${issuer}\n${jti}`;
