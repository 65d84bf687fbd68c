// The replay guard (`replay: jti`), the last policy step: a token's jti already used for another
// webhook id is a replay (403 token_replayed); the same id again is a redelivery, left to dedup.
// A store that cannot answer is our failure, not the sender's: 503, retry.
import { replayTokenKey, type ReplayStore, type ReplayVerdict } from '../replay/replay-store.js';
import { deny, type Deny } from './decision.js';

export interface ReplayInput {
  readonly store: ReplayStore;
  readonly issuer: string;
  readonly claims: Readonly<Record<string, unknown>>;
  /** Lower-case canonical webhook id. */
  readonly webhookId: string;
  readonly skewSeconds: number;
}

const MAX_JTI_LENGTH = 256;

function judge(verdict: ReplayVerdict, issuer: string): Deny | undefined {
  return verdict === 'replayed'
    ? deny('token_replayed', 'jti already used for another webhook id', { issuer })
    : undefined;
}

function unavailable(error: unknown, issuer: string): Deny {
  return deny('replay_store_unavailable', `replay store: ${(error as Error)?.message}`, {
    issuer,
    retryAfterSeconds: 1,
  });
}

export function checkReplay(input: ReplayInput): Deny | undefined | Promise<Deny | undefined> {
  const { issuer, claims } = input;
  const { jti, exp } = claims;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH)
    return deny('invalid_claims', `jti must be a string of 1 to ${MAX_JTI_LENGTH} characters`, {
      issuer,
    });
  // The claim checks already required a finite exp; the record outlives the token's last
  // accepted instant (exp plus skew).
  const expiresAtMs = ((exp as number) + input.skewSeconds) * 1000;
  let verdict: ReplayVerdict | Promise<ReplayVerdict>;
  try {
    verdict = input.store.check(replayTokenKey(issuer, jti), input.webhookId, expiresAtMs);
  } catch (error) {
    return unavailable(error, issuer);
  }
  return verdict instanceof Promise
    ? verdict.then(
        (v) => judge(v, issuer),
        (error: unknown) => unavailable(error, issuer),
      )
    : judge(verdict, issuer);
}
