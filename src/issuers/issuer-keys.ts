// One trusted issuer's signing keys: prefetched, cached for the TTL and refreshed in the
// background, last-good keys served through outages up to a maximum staleness, and refetches
// (single flight) rate-limited per issuer with failures counted and backed off. jose's remote
// key set lacks the stale-if-error and failure cooldown, hence this cache (see README).
import type { JwksSettings } from '../config/gate-config.js';
import type { Logger } from '../telemetry/logger.js';
import { discoverJwksUri } from './discover-jwks-uri.js';
import { fetchJson, KeyFetchError, type FetchLimits } from './fetch-json.js';
import type { KeyAnswer, KeyFound, KeyQuery } from './key-lookup.js';
import type { KeyStoreEvents } from './key-store-events.js';
import { parseJwks } from './parse-jwks.js';

interface KeySet {
  /** Answers built once per fetch, so a cache hit allocates nothing. */
  readonly keys: ReadonlyMap<string, KeyFound>;
  /** When the fetch that produced this set began: the set reflects the issuer at least as of then. */
  readonly fetchStartedAtMs: number;
  readonly fetchedAtMs: number;
  readonly jwksUri: string;
}

export interface IssuerKeysOptions {
  readonly issuer: string;
  readonly jwksUri: string | undefined;
  readonly settings: JwksSettings;
  readonly allowInsecureHttp: boolean;
  readonly now: () => number;
  readonly logger: Logger;
  readonly events: KeyStoreEvents;
}

const MAX_BACKOFF_MS = 5 * 60_000;

export class IssuerKeys {
  private current: KeySet | undefined;
  private inflight: Promise<void> | undefined;
  private lastAttemptMs = Number.NEGATIVE_INFINITY;
  private consecutiveFailures = 0;
  private discovered: { uri: string; atMs: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  private settings: JwksSettings;

  constructor(private readonly options: IssuerKeysOptions) {
    this.settings = options.settings;
  }

  get issuer(): string {
    return this.options.issuer;
  }

  /** Config reloads change timings in place, keeping the cached keys (no refetch storm). */
  updateSettings(settings: JwksSettings): void {
    this.settings = settings;
  }

  /**
   * The key for `kid`, synchronously when cached. An unknown kid is 403 only when a key set
   * fetched clearly after the token was issued lacks it; otherwise it is 503, so a genuinely
   * rotated-in key is never answered with a permanent 4xx.
   */
  resolve(query: KeyQuery): KeyAnswer | Promise<KeyAnswer> {
    const set = this.current;
    if (set !== undefined && this.isUsable(set)) {
      if (this.options.now() - set.fetchedAtMs > this.settings.cacheTtlMs) void this.refresh();
      const found = set.keys.get(query.kid);
      if (found !== undefined) return found;
      if (provesAbsence(set, query)) return this.absent(query.kid);
    }
    const pending = this.refresh();
    if (pending === undefined) return this.unavailable();
    return pending.then(() => this.afterRefetch(query));
  }

  /** Starts a fetch unless one is in flight (joined) or the cooldown forbids it (undefined). */
  refresh(): Promise<void> | undefined {
    if (this.disposed) return undefined;
    if (this.inflight !== undefined) return this.inflight;
    if (this.options.now() < this.nextAttemptAtMs()) return undefined;
    this.inflight = this.fetchOnce().finally(() => {
      this.inflight = undefined;
      this.scheduleNextRefresh();
    });
    return this.inflight;
  }

  /** What /keys and metrics show; never key material beyond ids and algorithms. */
  describe(): IssuerKeysView {
    const set = this.current;
    const now = this.options.now();
    return {
      issuer: this.options.issuer,
      jwksUri: set?.jwksUri ?? this.options.jwksUri ?? this.discovered?.uri,
      keys:
        set === undefined
          ? []
          : [...set.keys.values()].map(({ key: k }) => ({
              kid: k.kid,
              alg: k.alg,
              type: k.key.asymmetricKeyType,
            })),
      fetchedAtMs: set?.fetchedAtMs,
      ageMs: set === undefined ? undefined : now - set.fetchedAtMs,
      stale: set !== undefined && now - set.fetchedAtMs > this.settings.cacheTtlMs,
      usable: set !== undefined && this.isUsable(set),
      consecutiveFailures: this.consecutiveFailures,
    };
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private isUsable(set: KeySet): boolean {
    return this.options.now() - set.fetchedAtMs <= this.settings.maxStalenessMs;
  }

  private nextAttemptAtMs(): number {
    const interval = this.settings.minRefreshIntervalMs;
    if (this.consecutiveFailures === 0) return this.lastAttemptMs + interval;
    const backoff = interval * 2 ** Math.min(this.consecutiveFailures - 1, 16);
    return this.lastAttemptMs + Math.min(backoff, Math.max(MAX_BACKOFF_MS, interval));
  }

  private afterRefetch(query: KeyQuery): KeyAnswer {
    const set = this.current;
    if (set === undefined || !this.isUsable(set)) return this.unavailable();
    const found = set.keys.get(query.kid);
    if (found !== undefined) return found;
    return provesAbsence(set, query) ? this.absent(query.kid) : this.unavailable();
  }

  private absent(kid: string): KeyAnswer {
    return { kind: 'absent', issuer: this.options.issuer, kid };
  }

  private unavailable(): KeyAnswer {
    const waitMs = Math.max(0, this.nextAttemptAtMs() - this.options.now());
    const set = this.current;
    const why =
      set === undefined
        ? 'no key set fetched yet'
        : !this.isUsable(set)
          ? `last good key set is ${Math.round((this.options.now() - set.fetchedAtMs) / 1000)} s old, beyond the maximum staleness`
          : 'the key is not in the cached set and a refetch is not possible yet';
    return {
      kind: 'unavailable',
      issuer: this.options.issuer,
      why,
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    };
  }

  private limits(): FetchLimits {
    return {
      timeoutMs: this.settings.fetchTimeoutMs,
      maxBytes: this.settings.maxResponseBytes,
      allowInsecureHttp: this.options.allowInsecureHttp,
    };
  }

  private async jwksUri(startedAtMs: number): Promise<string> {
    if (this.options.jwksUri !== undefined) return this.options.jwksUri;
    // Rediscover once the document is as old as the key TTL, or after a failed attempt.
    const known = this.discovered;
    if (
      known !== undefined &&
      this.consecutiveFailures === 0 &&
      startedAtMs - known.atMs < this.settings.cacheTtlMs
    ) {
      return known.uri;
    }
    const uri = await discoverJwksUri(this.options.issuer, this.limits());
    this.discovered = { uri, atMs: startedAtMs };
    return uri;
  }

  private async fetchOnce(): Promise<void> {
    const { now, events, logger, issuer } = this.options;
    const startedAtMs = now();
    this.lastAttemptMs = startedAtMs;
    try {
      const uri = await this.jwksUri(startedAtMs);
      const parsed = parseJwks(await fetchJson(uri, this.limits()), uri);
      if (parsed.keys.size === 0)
        throw new KeyFetchError(`${uri}: no usable signing keys (${parsed.skipped.join('; ')})`);
      if (parsed.skipped.length > 0)
        logger.debug({ issuer, skipped: parsed.skipped }, 'some published keys were skipped');
      if (this.disposed) return;
      const previous = this.current;
      this.current = {
        keys: new Map(
          [...parsed.keys].map(([kid, key]): [string, KeyFound] => [kid, { kind: 'key', key }]),
        ),
        fetchStartedAtMs: startedAtMs,
        fetchedAtMs: now(),
        jwksUri: uri,
      };
      this.consecutiveFailures = 0;
      events.onFetch(issuer, 'success', now() - startedAtMs);
      reportKeyChanges(previous?.keys, this.current.keys, { issuer, logger, events });
    } catch (error) {
      this.consecutiveFailures++;
      const message =
        error instanceof KeyFetchError ? error.message : `unexpected: ${(error as Error).message}`;
      events.onFetch(issuer, 'failure', now() - startedAtMs);
      logger.warn(
        {
          issuer,
          error: message,
          consecutiveFailures: this.consecutiveFailures,
          servingLastGood: this.current !== undefined,
        },
        'key set fetch failed',
      );
    }
  }

  private scheduleNextRefresh(): void {
    if (this.disposed) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const now = this.options.now();
    const dueAt =
      this.consecutiveFailures > 0 || this.current === undefined
        ? this.nextAttemptAtMs()
        : Math.max(this.current.fetchedAtMs + this.settings.cacheTtlMs, this.nextAttemptAtMs());
    this.timer = setTimeout(() => void this.refresh(), Math.max(0, dueAt - now) + 5);
    this.timer.unref();
  }
}

export interface IssuerKeysView {
  readonly issuer: string;
  readonly jwksUri: string | undefined;
  readonly keys: readonly { kid: string; alg: string | undefined; type: string | undefined }[];
  readonly fetchedAtMs: number | undefined;
  readonly ageMs: number | undefined;
  readonly stale: boolean;
  readonly usable: boolean;
  readonly consecutiveFailures: number;
}

/** A set proves a kid absent only if fetched after the request arrived or well after `iat`. */
function provesAbsence(set: KeySet, query: KeyQuery): boolean {
  const { issuedAt, receivedAtMs, skewMs } = query;
  if (set.fetchStartedAtMs >= receivedAtMs) return true;
  return issuedAt !== undefined && set.fetchStartedAtMs > issuedAt * 1000 + 1000 + skewMs;
}

function reportKeyChanges(
  before: ReadonlyMap<string, unknown> | undefined,
  after: ReadonlyMap<string, unknown>,
  to: { issuer: string; logger: Logger; events: KeyStoreEvents },
): void {
  const { issuer, logger, events } = to;
  const added = [...after.keys()].filter((kid) => !before?.has(kid));
  const removed = before === undefined ? [] : [...before.keys()].filter((kid) => !after.has(kid));
  if (added.length === 0 && removed.length === 0) return;
  if (before !== undefined) logger.info({ issuer, added, removed }, 'issuer key set changed');
  events.onKeysChanged(issuer, added, removed, before === undefined);
}
