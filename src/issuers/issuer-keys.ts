// One trusted issuer's signing keys: prefetched, cached for the TTL and refreshed in the
// background, last-good keys served through outages up to a maximum staleness, and refetches
// (single flight) rate-limited per issuer with failures counted and backed off. A request waits
// on a fetch at most jwks.requestWaitMs. jose's remote key set lacks the stale-if-error and
// failure cooldown, hence this cache (see README).
import type { JwksSettings } from '../config/gate-config.js';
import type { Logger } from '../telemetry/logger.js';
import { discoverJwksUri } from './discover-jwks-uri.js';
import { fetchJson, KeyFetchError, type FetchLimits } from './fetch-json.js';
import type { KeyAnswer, KeyQuery } from './key-lookup.js';
import type { FetchTracer } from './fetch-tracer.js';
import type { KeyStoreEvents } from './key-store-events.js';
import { keepSameKeys, provesAbsence, reportKeyChanges, toKeySet, type KeySet } from './key-set.js';
import { parseJwks } from './parse-jwks.js';
import { waitWithin } from './wait-within.js';

/** What an on-demand refresh (POST /keys/refresh) did for one issuer. */
export interface RefreshOutcome {
  readonly issuer: string;
  /** undefined when the fetch succeeded. */
  readonly error: string | undefined;
  /** The kids cached after it (the last good ones when it failed). */
  readonly kids: readonly string[];
}

export interface IssuerKeysOptions {
  readonly issuer: string;
  readonly jwksUri: string | undefined;
  readonly settings: JwksSettings;
  readonly allowInsecureHttp: boolean;
  readonly now: () => number;
  readonly logger: Logger;
  readonly events: KeyStoreEvents;
  /** A span per fetch; absent when tracing is off. */
  readonly tracer?: FetchTracer;
}

const MAX_BACKOFF_MS = 5 * 60_000;

export class IssuerKeys {
  private current: KeySet | undefined;
  private inflight: Promise<void> | undefined;
  /** The last fetch's error, undefined after a success. */
  private lastError: string | undefined;
  private lastAttemptMs = Number.NEGATIVE_INFINITY;
  private consecutiveFailures = 0;
  private discovered: { uri: string; atMs: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextRefreshAtMs: number | undefined;
  private lastFetch: { result: 'success' | 'failure'; atMs: number } | undefined;
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
      if (set.ambiguous.has(query.kid)) return this.ambiguous(query.kid);
      if (provesAbsence(set, query)) return this.absent(query.kid);
    }
    const pending = this.refresh();
    if (pending === undefined) return this.unavailable();
    // Join the fetch (started now or already in flight) and judge on its result, but only
    // within the request's wait budget: past it, 503 now, and the fetch carries on.
    const budgetMs = this.settings.requestWaitMs - (this.options.now() - query.receivedAtMs);
    return waitWithin(
      pending.then(() => this.afterRefetch(query)),
      budgetMs,
      () => this.unavailable(`still fetching after ${this.settings.requestWaitMs} ms`),
    );
  }

  /** Starts a fetch unless one is in flight (joined) or the cooldown forbids it (undefined). */
  refresh(): Promise<void> | undefined {
    if (this.disposed) return undefined;
    if (this.inflight !== undefined) return this.inflight;
    if (this.options.now() < this.nextAttemptAtMs()) return undefined;
    return this.startFetch();
  }

  /**
   * Refetches now, bypassing the cooldown (a suspected key compromise). A fetch already in flight
   * began before the call and may predate the change, so it is awaited and another one follows;
   * concurrent calls share that one. Keys gone from a successful answer stop verifying at once.
   */
  async refreshNow(): Promise<RefreshOutcome> {
    const earlier = this.inflight;
    if (earlier !== undefined) await earlier;
    if (!this.disposed) await (this.inflight ?? this.startFetch());
    return {
      issuer: this.options.issuer,
      error: this.disposed ? 'issuer removed by a config reload' : this.lastError,
      kids: this.current === undefined ? [] : [...this.current.keys.keys()],
    };
  }

  private startFetch(): Promise<void> {
    const { tracer, issuer } = this.options;
    const fetched =
      tracer === undefined
        ? this.fetchOnce()
        : tracer.inSpan('jwks fetch', { 'pps_gate.issuer': issuer }, () => this.fetchOnce());
    this.nextRefreshAtMs = undefined;
    const fetching = fetched.finally(() => {
      this.inflight = undefined;
      this.scheduleNextRefresh();
    });
    this.inflight = fetching;
    return fetching;
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
      lastFetch: this.lastFetch,
      nextRefreshAtMs: this.nextRefreshAtMs,
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
    if (set.ambiguous.has(query.kid)) return this.ambiguous(query.kid);
    return provesAbsence(set, query) ? this.absent(query.kid) : this.unavailable();
  }

  /** The issuer publishes the kid twice: which key is meant is unknown until it fixes its set. */
  private ambiguous(kid: string): KeyAnswer {
    return this.unavailable(
      `kid ${JSON.stringify(kid.slice(0, 64))} is published more than once (ambiguous)`,
    );
  }

  private absent(kid: string): KeyAnswer {
    return { kind: 'absent', issuer: this.options.issuer, kid };
  }

  private unavailable(reason?: string): KeyAnswer {
    const waitMs = Math.max(0, this.nextAttemptAtMs() - this.options.now());
    const set = this.current;
    const why =
      reason !== undefined
        ? reason
        : set === undefined
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
      if (parsed.ambiguous.size > 0)
        logger.warn(
          { issuer, kids: [...parsed.ambiguous] },
          'issuer publishes a kid more than once: tokens with it are refused until it is fixed',
        );
      else if (parsed.skipped.length > 0)
        logger.debug({ issuer, skipped: parsed.skipped }, 'some published keys were skipped');
      if (this.disposed) return;
      const previous = this.current;
      // A well-formed answer is authoritative even when it leaves nothing usable: that is how an
      // issuer revokes, and it must not be mistaken for an outage served from last-good keys.
      // A key republished unchanged keeps its object, so tokens verified with it stay cached.
      this.current = keepSameKeys(toKeySet(parsed, uri, startedAtMs, now()), previous?.keys);
      this.consecutiveFailures = 0;
      this.lastError = undefined;
      this.lastFetch = { result: 'success', atMs: now() };
      events.onFetch(issuer, 'success', now() - startedAtMs);
      if (parsed.keys.size === 0) {
        events.onEmptySet?.(issuer);
        logger.error(
          {
            issuer,
            jwksUri: uri,
            skipped: parsed.skipped,
            revoked: [...(previous?.keys.keys() ?? [])],
          },
          'issuer published no usable signing keys: every token of this issuer is refused',
        );
      }
      reportKeyChanges(previous?.keys, this.current.keys, { issuer, logger, events });
    } catch (error) {
      this.consecutiveFailures++;
      this.lastFetch = { result: 'failure', atMs: now() };
      const message =
        error instanceof KeyFetchError ? error.message : `unexpected: ${(error as Error).message}`;
      this.lastError = message;
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
    this.nextRefreshAtMs = dueAt;
    const arm = (): NodeJS.Timeout =>
      setTimeout(() => void this.refresh(), Math.max(0, dueAt - now) + 5);
    // A timer armed inside a check's fetch would otherwise carry that check's trace forever.
    this.timer = this.options.tracer === undefined ? arm() : this.options.tracer.outsideTrace(arm);
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
  /** The latest fetch attempt's result and when it ended (undefined before the first). */
  readonly lastFetch: { readonly result: 'success' | 'failure'; readonly atMs: number } | undefined;
  /** When the next background refresh is due (undefined while a fetch is in flight). */
  readonly nextRefreshAtMs: number | undefined;
}
