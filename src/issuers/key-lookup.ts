// The one key-lookup contract between the pipeline and the key caches. The caches answer in their
// own terms (a key, absent, or unavailable with a retry time); the pipeline maps that to a reason,
// as jose's callers map its error codes, so issuers never import the pipeline above them.
import type { PublicKeyEntry } from './parse-jwks.js';

export interface KeyQuery {
  readonly issuer: string;
  readonly kid: string;
  /** The token's `iat` (epoch seconds), when it has one. */
  readonly issuedAt: number | undefined;
  /** Epoch milliseconds at which the request arrived. */
  readonly receivedAtMs: number;
  readonly skewMs: number;
}

export interface KeyFound {
  readonly kind: 'key';
  readonly key: PublicKeyEntry;
}

/** A key set fetched clearly after the token was issued lacks the kid: permanent. */
export interface KeyAbsent {
  readonly kind: 'absent';
  readonly issuer: string;
  readonly kid: string;
}

/** No usable key set, or absence not yet proven and a refetch not allowed yet: retry later. */
export interface KeyUnavailable {
  readonly kind: 'unavailable';
  readonly issuer: string;
  readonly why: string;
  readonly retryAfterSeconds: number;
}

export type KeyAnswer = KeyFound | KeyAbsent | KeyUnavailable;

/** Cached keys answer synchronously; only a fetch makes the answer a promise. */
export interface KeyLookup {
  resolve(query: KeyQuery): KeyAnswer | Promise<KeyAnswer>;
}
