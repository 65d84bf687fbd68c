// Every Prometheus metric pps-gate exports, in one place, on its own registry. Labels come from
// bounded sets only: reason codes, decisions, transports, configured issuers; never a token,
// tenant or webhook id.
// Key-set gauges are computed at scrape time from the key caches, so the hot path never touches them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BoundHistogram } from './bound-histogram.js';
import { CounterTally } from './counter-tally.js';

/** What the key-set gauges read per issuer. The key caches' views fit it structurally, so
 * metrics never imports the issuers it measures. */
export interface KeySetSample {
  readonly issuer: string;
  readonly keys: readonly unknown[];
  readonly ageMs: number | undefined;
  readonly stale: boolean;
  readonly usable: boolean;
  readonly consecutiveFailures: number;
}

/** What a reload attempt came to (config-reloader's ReloadResult; kept here so telemetry imports no config code). */
export type ReloadOutcome = 'success' | 'invalid' | 'unchanged' | 'deleted' | 'source_error';
/** What the token-cache metrics read: the cache's own monotonic counts (it fits structurally). */
export interface TokenCacheSample {
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
  readonly entries: number;
}

const NO_TOKEN_CACHE: TokenCacheSample = { hits: 0, misses: 0, evictions: 0, entries: 0 };

export class GateMetrics {
  readonly registry = new Registry();

  /** Per-check counts of `decisions` (metric-observers.ts binds a slot per label set). */
  readonly decisionTally = new CounterTally(['decision', 'reason', 'issuer', 'transport'] as const);

  readonly decisions = new Counter({
    name: 'pps_gate_decisions_total',
    help: 'Check decisions by decision (allow/deny), reason code and issuer ("" when not a trusted one).',
    labelNames: ['decision', 'reason', 'issuer', 'transport'] as const,
    registers: [this.registry],
    collect: (): void => this.decisionTally.drainInto(this.decisions),
  });

  readonly checkDuration = new BoundHistogram({
    name: 'pps_gate_check_duration_seconds',
    help: 'Time from receiving a check to deciding it, by transport.',
    labelNames: ['transport'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly checksInFlight = new Gauge({
    name: 'pps_gate_checks_in_flight',
    help: 'Checks received and not yet answered (a drain waits for these).',
    registers: [this.registry],
    aggregator: 'sum',
  });

  private tokenCacheSource: () => TokenCacheSample = () => NO_TOKEN_CACHE;
  private tokenCacheReported = { hits: 0, misses: 0, evictions: 0 };

  readonly tokenCacheEvents = this.tokenCacheCounter();

  readonly tokenCacheEntries = new Gauge({
    name: 'pps_gate_token_cache_entries',
    help: 'Verified tokens held in the token cache (bounded by tokenCache.maxEntries and maxBytes).',
    registers: [this.registry],
    aggregator: 'sum',
    collect: (): void => {
      this.tokenCacheEntries.set(this.tokenCacheSource().entries);
    },
  });

  private dedupEntriesSource: () => number | undefined = () => undefined;

  readonly dedupStoreEntries = new Gauge({
    name: 'pps_gate_dedup_store_entries',
    help: 'Delivery records held by the in-process (memory) dedup store, bounded by dedup.memoryMaxEntries; absent for Redis.',
    registers: [this.registry],
    aggregator: 'sum',
    collect: (): void => {
      const entries = this.dedupEntriesSource();
      if (entries !== undefined) this.dedupStoreEntries.set(entries);
    },
  });

  readonly jwksFetches = new Counter({
    name: 'pps_gate_jwks_fetches_total',
    help: 'Discovery + JWKS fetches by issuer and result (success/failure).',
    labelNames: ['issuer', 'result'] as const,
    registers: [this.registry],
  });

  readonly jwksFetchDuration = new Histogram({
    name: 'pps_gate_jwks_fetch_duration_seconds',
    help: 'Time a discovery + JWKS fetch took, by issuer.',
    labelNames: ['issuer'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly keyChanges = new Counter({
    name: 'pps_gate_jwks_key_changes_total',
    help: 'Key ids appearing in (added) or disappearing from (removed) an issuer key set after the first fetch.',
    labelNames: ['issuer', 'change'] as const,
    registers: [this.registry],
  });

  readonly deliveryTally = new CounterTally(['outcome'] as const);

  readonly deliveries = new Counter({
    name: 'pps_gate_deliveries_total',
    help: 'Authenticated deliveries by dedup outcome (first, duplicate, in_progress, redelivered_after_failure).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
    collect: (): void => this.deliveryTally.drainInto(this.deliveries),
  });

  readonly dedupStoreErrors = new Counter({
    name: 'pps_gate_dedup_store_errors_total',
    help: 'Delivery store operations that failed or timed out, by store (memory, redis).',
    labelNames: ['store'] as const,
    registers: [this.registry],
  });

  readonly dedupStoreDuration = new BoundHistogram({
    name: 'pps_gate_dedup_store_duration_seconds',
    help: 'Delivery store operation latency by store and operation (record, claim, confirm).',
    labelNames: ['store', 'operation'] as const,
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  readonly dedupEvictions = new Counter({
    name: 'pps_gate_dedup_evictions_total',
    help: 'Live delivery records the bounded memory store evicted to make room (repeats of them count as first).',
    labelNames: ['store'] as const,
    registers: [this.registry],
  });

  readonly jwksEmptySets = new Counter({
    name: 'pps_gate_jwks_empty_sets_total',
    help: 'Well-formed key set answers with no usable signing key (every key of the issuer revoked), by issuer.',
    labelNames: ['issuer'] as const,
    registers: [this.registry],
  });

  readonly keyRefreshRequests = new Counter({
    name: 'pps_gate_key_refresh_requests_total',
    help: 'POST /keys/refresh calls on the admin port, by issuer refreshed.',
    labelNames: ['issuer'] as const,
    registers: [this.registry],
  });

  private keySource: () => readonly KeySetSample[] = () => [];

  // With --workers, every worker keeps its own key caches; /metrics shows the worst of them
  // (oldest, stale, fewest keys, most failures) rather than a meaningless sum.
  readonly keySetAge = this.keyGauge(
    'pps_gate_jwks_age_seconds',
    'Age of the key set currently served per issuer (absent before the first fetch).',
    (view) => (view.ageMs === undefined ? undefined : view.ageMs / 1000),
    'max',
  );

  readonly keySetStale = this.keyGauge(
    'pps_gate_jwks_stale',
    '1 when an issuer is served from a key set older than its cache TTL (refresh failing).',
    (view) => (view.stale ? 1 : 0),
    'max',
  );

  readonly keysPerIssuer = this.keyGauge(
    'pps_gate_jwks_keys',
    'Usable keys in the cached set per issuer (0 when none can be served).',
    (view) => (view.usable ? view.keys.length : 0),
    'min',
  );

  readonly keyFetchFailures = this.keyGauge(
    'pps_gate_jwks_consecutive_failures',
    'Key set fetches failed in a row per issuer (0 after a success).',
    (view) => view.consecutiveFailures,
    'max',
  );

  readonly configReloads = new Counter({
    name: 'pps_gate_config_reloads_total',
    help: 'Config reload attempts by result (success, invalid, unchanged, deleted, source_error) and source (file, api).',
    labelNames: ['result', 'source'] as const,
    registers: [this.registry],
  });

  readonly configLastReloadSuccessful = new Gauge({
    name: 'pps_gate_config_last_reload_successful',
    help: '1 when the latest config the gate saw is the one serving, 0 when it was rejected (invalid or deleted) and the last good one serves instead.',
    registers: [this.registry],
  });

  readonly configLastSuccess = new Gauge({
    name: 'pps_gate_config_last_success_timestamp_seconds',
    help: 'When the active config was loaded.',
    registers: [this.registry],
    aggregator: 'max',
  });

  readonly configInfo = new Gauge({
    name: 'pps_gate_config_info',
    help: 'Always 1; the hash label identifies the active config.',
    labelNames: ['hash'] as const,
    registers: [this.registry],
    aggregator: 'max',
  });

  readonly keyMaxStaleness = new Gauge({
    name: 'pps_gate_jwks_max_staleness_seconds',
    help: 'jwks.maxStalenessSeconds of the active config: how old a key set may get before checks answer 503.',
    registers: [this.registry],
  });

  private readySource: () => boolean = () => false;

  readonly ready = ((): Gauge => {
    const isReady = (): boolean => this.readySource();
    return new Gauge({
      name: 'pps_gate_ready',
      help: '1 when this replica is ready for checks (what /readyz says), else 0.',
      registers: [this.registry],
      collect(this: Gauge) {
        this.set(isReady() ? 1 : 0);
      },
    });
  })();

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'pps_gate_' });
  }

  /** Where the key-set gauges read from at scrape time (the gate's KeyStore.describe). */
  trackKeys(source: () => readonly KeySetSample[]): void {
    this.keySource = source;
  }

  /** Where pps_gate_ready reads from at scrape time (the gate's Readiness). */
  trackReadiness(isReady: () => boolean): void {
    this.readySource = isReady;
  }

  /** Where the token-cache metrics read from at scrape time (the gate's VerifiedTokenCache). */
  trackTokenCache(source: () => TokenCacheSample): void {
    this.tokenCacheSource = source;
  }

  /** The memory dedup store's size, read at scrape time. */
  trackDedupStore(entries: () => number): void {
    this.dedupEntriesSource = entries;
  }

  /** Records the active config (one hash label at a time keeps cardinality at one). */
  setActiveConfig(hash: string, loadedAtMs: number, maxStalenessMs?: number): void {
    this.configInfo.reset();
    this.configInfo.set({ hash }, 1);
    this.configLastSuccess.set(loadedAtMs / 1000);
    if (maxStalenessMs !== undefined) this.keyMaxStaleness.set(maxStalenessMs / 1000);
    this.configLastReloadSuccessful.set(1);
  }

  /**
   * Counts a reload attempt. A rejected config (invalid, deleted) marks the gauge 0 until the next
   * good one; "unchanged" means the latest text means what serves, as good as a success. A
   * source_error (a watch that failed and retries, a swap that threw) says nothing about the
   * config itself and leaves the gauge alone: the same text coming back is never re-judged.
   */
  recordReload(result: ReloadOutcome, source: string): void {
    this.configReloads.inc({ result, source });
    if (result === 'source_error') return;
    this.configLastReloadSuccessful.set(result === 'invalid' || result === 'deleted' ? 0 : 1);
  }

  /** Counts kept by the cache itself (no metric work per check), added here at scrape time. */
  private tokenCacheCounter(): Counter<'event'> {
    const counter = new Counter({
      name: 'pps_gate_token_cache_events_total',
      help: 'Verified-token cache lookups by event: hit, miss, and eviction (an entry dropped over a bound, expired, or swept by a reload or key removal).',
      labelNames: ['event'] as const,
      registers: [this.registry],
      collect: (): void => {
        const now = this.tokenCacheSource();
        const last = this.tokenCacheReported;
        counter.inc({ event: 'hit' }, now.hits - last.hits);
        counter.inc({ event: 'miss' }, now.misses - last.misses);
        counter.inc({ event: 'eviction' }, now.evictions - last.evictions);
        this.tokenCacheReported = { hits: now.hits, misses: now.misses, evictions: now.evictions };
      },
    });
    return counter;
  }

  private keyGauge(
    name: string,
    help: string,
    value: (view: KeySetSample) => number | undefined,
    aggregator: 'max' | 'min',
  ): Gauge<'issuer'> {
    const views = (): readonly KeySetSample[] => this.keySource();
    return new Gauge({
      name,
      help,
      labelNames: ['issuer'] as const,
      registers: [this.registry],
      aggregator,
      // Reset first: an issuer removed by a reload must disappear from the exposition.
      collect(this: Gauge<'issuer'>) {
        this.reset();
        for (const view of views()) {
          const v = value(view);
          if (v !== undefined) this.set({ issuer: view.issuer }, v);
        }
      },
    });
  }
}
