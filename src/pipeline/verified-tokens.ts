// The pipeline's side of the verified-token cache: what a verified token leaves behind (its
// framed and decoded parts, the claim checks' result, the key that verified it, and the identity
// an allow carries, built once so transports can pre-encode it), and when that must be
// forgotten: at exp plus the skew, when a reload removes or edits its issuer, when its key leaves
// the issuer's set. A hit skips framing, decoding and the signature (the last only for the very
// key object that verified it); it reuses the claim checks only against the same config snapshot
// and inside the time window they hold for, and the key lookup still runs on every hit.
import type { GateConfig, IssuerPolicy } from '../config/gate-config.js';
import type { PublicKeyEntry } from '../issuers/parse-jwks.js';
import type { CheckedClaims } from './check-claims.js';
import type { DecodedToken } from './decode-token.js';
import type { VerifiedIdentity } from './decision.js';
import type { CompactToken } from './extract-token.js';
import type { TokenUnderCheck } from './token-under-check.js';
import {
  VerifiedTokenCache,
  type TokenCacheCounts,
  type TokenCacheLimits,
} from './verified-token-cache.js';

/** The claim checks' result and the config snapshot they were judged against. */
export interface ClaimsVerdict {
  readonly config: GateConfig;
  readonly checked: CheckedClaims;
}

export interface VerifiedToken {
  readonly framed: CompactToken;
  readonly decoded: DecodedToken;
  readonly policy: IssuerPolicy;
  /**
   * Replaced when a hit under a newer snapshot passes the claim checks again, so later hits
   * reuse it; only its clock bounds (checked.validFromMs to validUntilMs) are re-judged.
   */
  lastClaims: ClaimsVerdict;
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
const BEARER = 'Bearer ';

export class VerifiedTokens {
  private readonly cache: VerifiedTokenCache<VerifiedToken>;

  constructor(limits: TokenCacheLimits) {
    this.cache = new VerifiedTokenCache(limits);
  }

  lookup(token: string, nowMs: number): VerifiedToken | undefined {
    return this.cache.get(token, nowMs, undefined, noCheck)?.value;
  }

  /**
   * The token of an Authorization value written exactly `Bearer <token>` (the form senders use),
   * so a hit can skip framing: a cached token string was framed when it first verified, and a
   * value with this prefix and no surrounding whitespace frames to exactly that string. Any
   * other spelling returns undefined and goes through framing first.
   */
  static bearerToken(authorization: string | undefined): string | undefined {
    if (authorization === undefined || !authorization.startsWith(BEARER)) return undefined;
    const first = authorization.charCodeAt(BEARER.length);
    const last = authorization.charCodeAt(authorization.length - 1);
    if (first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09) return undefined;
    return authorization.slice(BEARER.length);
  }

  /** Called only after the signature verified: a token that failed anything is never here. */
  remember(token: TokenUnderCheck, key: PublicKeyEntry, identity: VerifiedIdentity): void {
    const exp = token.decoded.claims.exp as number;
    this.cache.set(token.framed.token, {
      issuer: token.checked.policy.issuer,
      kid: key.kid,
      deadAtMs: (exp + token.config.clockSkewSeconds) * 1000,
      bytes: estimateBytes(token),
      value: {
        framed: token.framed,
        decoded: token.decoded,
        policy: token.checked.policy,
        lastClaims: { config: token.config, checked: token.checked },
        key,
        identity,
      },
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
