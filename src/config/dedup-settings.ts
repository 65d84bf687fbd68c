// The validated `dedup` config section (dedup-schema.ts parses it; defaults apply even when the
// config has no `dedup` section at all: annotate mode, memory store).
/** Where delivery records live (src/dedup has a store for each). */
export type DeliveryStoreKind = 'memory' | 'redis';

export type DedupMode = 'annotate' | 'enforce';

export interface RedisTlsSettings {
  /** PEM bundle to trust instead of the system roots (a private CA). */
  readonly caFile?: string;
  /** The name to check in the server certificate when it differs from the URL's host. */
  readonly serverName?: string;
}

export interface RedisSettings {
  /** redis://[user@]host:port[/db] or rediss:// (TLS). Never carries a password. */
  readonly url: string;
  readonly keyPrefix: string;
  /** Present when TLS is on (`tls: true`, a TLS object, or a rediss:// URL). */
  readonly tls: RedisTlsSettings | undefined;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
}

export interface DedupSettings {
  readonly mode: DedupMode;
  readonly store: DeliveryStoreKind;
  readonly windowMs: number;
  /** How long a forwarded delivery is held as in flight: the upstream timeout plus a margin. */
  readonly leaseMs: number;
  /** Memory store bound (entries); past it the oldest records are evicted. */
  readonly memoryMaxEntries: number;
  readonly redis: RedisSettings | undefined;
}

export const DEFAULT_WINDOW_SECONDS = 7 * 86_400;
export const DEFAULT_LEASE_SECONDS = 60;
export const MIN_LEASE_SECONDS = 30;
export const DEFAULT_MEMORY_MAX_ENTRIES = 100_000;
export const DEFAULT_REDIS_KEY_PREFIX = 'pps-gate:delivery:';
