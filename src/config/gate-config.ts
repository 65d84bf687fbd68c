// The validated, immutable configuration snapshot every request reads once at its start.
import type { IssuerRules } from '../policy/issuer-rules.js';
import type { DedupSettings } from './dedup-settings.js';

export const DEFAULT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  // RFC 9864's fully-specified name for EdDSA over Ed25519, as node-oidc-provider 9 signs.
  // (Ed448 is not listed: jose does not verify it.)
  'Ed25519',
] as const;

export interface IssuerPolicy {
  /** Compared byte-for-byte with the token's `iss`. */
  readonly issuer: string;
  /** `'any'` only when the config says "*" explicitly. */
  readonly audiences: readonly string[] | 'any';
  /** When absent, found by OIDC discovery from the issuer. */
  readonly jwksUri: string | undefined;
  readonly algorithms: ReadonlySet<string>;
  readonly forwardToken: boolean;
  /** The issuer's webhook policy (README "Webhook policy"); NO_RULES when it sets none. */
  readonly rules: IssuerRules;
  /** Longest accepted `exp - iat` (or `exp - now` without iat), in seconds. */
  readonly maxTokenLifetimeSeconds: number;
  /** Whether a token without `iat` is refused (OIDC Core §2 requires it). */
  readonly requireIssuedAt: boolean;
}

export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 86_400;

export interface JwksSettings {
  readonly cacheTtlMs: number;
  readonly minRefreshIntervalMs: number;
  readonly fetchTimeoutMs: number;
  /** How long last-good keys keep serving while refreshes fail; past it, 503. */
  readonly maxStalenessMs: number;
  readonly maxResponseBytes: number;
  /** Longest a request waits on a key fetch before it is answered 503 + retry-after. */
  readonly requestWaitMs: number;
}

export interface TokenCacheSettings {
  /** 0: no token cache. */
  readonly maxEntries: number;
  readonly maxBytes: number;
}

export interface GateConfig {
  readonly issuers: ReadonlyMap<string, IssuerPolicy>;
  readonly jwks: JwksSettings;
  readonly tokenCache: TokenCacheSettings;
  readonly clockSkewSeconds: number;
  readonly allowInsecureHttp: boolean;
  readonly maxTokenBytes: number;
  readonly dedup: DedupSettings;
  /** sha256 of the normalised config, for logs, metrics and /config. */
  readonly hash: string;
  /** Where it came from (a file path or namespace/name of a ConfigMap), for messages. */
  readonly source: string;
}
