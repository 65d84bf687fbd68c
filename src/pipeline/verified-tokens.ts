// The pipeline's side of the verified-token cache: what a verified token leaves behind (its
// decoded parts, the key that verified it, and the identity an allow carries, built once so
// transports can pre-encode it), and when that must be forgotten: at exp plus the skew, when a
// reload removes or edits its issuer, when its key leaves the issuer's set. A hit still runs the
// claim checks (against the request's own config snapshot and clock) and the key lookup; it
// skips only the signature, and only for the very key object that verified it.
import type { GateConfig, IssuerPolicy } from '../config/gate-config.js';
import type { PublicKeyEntry } from '../issuers/parse-jwks.js';
import type { DecodedToken } from './decode-token.js';
import type { VerifiedIdentity } from './decision.js';
import type { TokenUnderCheck } from './token-under-check.js';
import {
  VerifiedTokenCache,
  type TokenCacheCounts,
  type TokenCacheLimits,
} from './verified-token-cache.js';

export interface VerifiedToken {
  readonly decoded: DecodedToken;
  readonly policy: IssuerPolicy;
  /** The key object that verified the signature; a hit is good only while lookups return it. */
  readonly key: PublicKeyEntry;
  /** One object per entry: transports key their pre-encoded allow parts on it. */
  readonly identity: VerifiedIdentity;
}

// What an entry holds besides the token string: the decoded claims, the identity, the
// transports' pre-encoded allow parts (about the claims segment again per transport, plus
// headers), and the Map and WeakMap entries. Calibrated with bench/memory.mjs: the live heap the
// cache retained stayed within this estimate for ~1 KiB ID tokens (~7 KiB each).
const ENTRY_OVERHEAD_BYTES = 2048;
const estimateBytes = (token: TokenUnderCheck): number =>
  token.framed.token.length + 6 * token.framed.payload.length + ENTRY_OVERHEAD_BYTES;

/** A policy's meaning as a string, so a reload that leaves an issuer as it was keeps its entries. */
const fingerprints = new WeakMap<IssuerPolicy, string>();
function fingerprint(policy: IssuerPolicy): string {
  let print = fingerprints.get(policy);
  if (print === undefined) {
    print = JSON.stringify(policy, (_key, value: unknown) =>
      value instanceof Set ? [...(value as Set<unknown>)].sort() : value,
    );
    fingerprints.set(policy, print);
  }
  return print;
}

const noCheck = (): boolean => true;

export class VerifiedTokens {
  private readonly cache: VerifiedTokenCache<VerifiedToken>;

  constructor(limits: TokenCacheLimits) {
    this.cache = new VerifiedTokenCache(limits);
  }

  lookup(token: string, nowMs: number): VerifiedToken | undefined {
    return this.cache.get(token, nowMs, undefined, noCheck)?.value;
  }

  /** Called only after the signature verified: a token that failed anything is never here. */
  remember(token: TokenUnderCheck, key: PublicKeyEntry, identity: VerifiedIdentity): void {
    const exp = token.decoded.claims.exp as number;
    this.cache.set(token.framed.token, {
      issuer: token.checked.policy.issuer,
      kid: key.kid,
      deadAtMs: (exp + token.config.clockSkewSeconds) * 1000,
      bytes: estimateBytes(token),
      value: { decoded: token.decoded, policy: token.checked.policy, key, identity },
    });
  }

  /** A reload: new bounds, and the entries of issuers it removed or edited are dropped. */
  applyConfig(config: GateConfig): void {
    this.cache.resize(config.tokenCache);
    this.cache.sweep((entry) => {
      const now = config.issuers.get(entry.issuer);
      return now === undefined || fingerprint(now) !== fingerprint(entry.value.policy);
    });
  }

  /** Keys that left an issuer's published set take their verified tokens with them. */
  forgetKeys(issuer: string, kids: readonly string[]): void {
    if (kids.length === 0) return;
    this.cache.sweep((entry) => entry.issuer === issuer && kids.includes(entry.kid));
  }

  counts(): TokenCacheCounts {
    return this.cache.counts();
  }
}
