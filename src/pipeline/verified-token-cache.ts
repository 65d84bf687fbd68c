// The verified-token cache: the exact token strings that already verified, with what their allow
// needs, so a sender reusing one token for an hour costs one signature check, not thousands.
// Bounded in entries and (estimated) bytes, least recently used evicted first; an entry dies at
// its deadline (the token's exp plus the clock skew), and callers sweep it when its issuer's
// config or its key changes. Only the pipeline's verified-token step writes here; a hit never
// skips a check that depends on the request (webhook headers, headers_to_remove) or the clock.
//
// A Map keeps insertion order, so re-inserting on use makes it an LRU with O(1) get, set and
// evict. The Map is keyed by the token's last 32 characters (its signature's end) and an entry is
// a hit only when its whole token string is equal: a lookup then hashes 32 characters instead of
// the whole ~1 KiB token, every time (each request brings a new string). Two different verified
// tokens sharing a tail would only replace each other; a forged one sharing it never matches. node-cache was the design card's choice, but its maxKeys throws on insert when full
// instead of evicting, and it has no byte bound: a burst of distinct tokens would turn into
// errors, not into the oldest entries leaving.

export interface TokenCacheLimits {
  /** 0 turns the cache off. */
  readonly maxEntries: number;
  readonly maxBytes: number;
}

export interface CachedToken<T> {
  readonly issuer: string;
  readonly kid: string;
  /** Epoch ms from which the token is expired even with the skew: (exp + skew) * 1000. */
  readonly deadAtMs: number;
  /** Estimated memory held by the entry, counted against maxBytes. */
  readonly bytes: number;
  readonly value: T;
}

/** Monotonic counts since start, read at scrape time (no metric work on the hot path). */
export interface TokenCacheCounts {
  readonly hits: number;
  readonly misses: number;
  /** Entries dropped before use: over a bound, expired, or swept by a reload or key removal. */
  readonly evictions: number;
  readonly entries: number;
  readonly bytes: number;
}

const TAIL = 32;
const keyOf = (token: string): string => (token.length > TAIL ? token.slice(-TAIL) : token);

interface Slot<T> {
  readonly token: string;
  readonly entry: CachedToken<T>;
}

export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, Slot<T>>();
  private newest: string | undefined;
  private limits: TokenCacheLimits;
  private byteCount = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(limits: TokenCacheLimits) {
    this.limits = limits;
  }

  /**
   * The entry for `token` if it is alive at `nowMs` and `valid(entry, context)` says it still
   * stands (config and key unchanged); a dead or invalid entry is dropped and counts as a miss.
   */
  get<C>(
    token: string,
    nowMs: number,
    context: C,
    valid: (entry: CachedToken<T>, context: C) => boolean,
  ): CachedToken<T> | undefined {
    const key = keyOf(token);
    const slot = this.entries.get(key);
    if (slot === undefined || slot.token !== token) {
      this.misses++;
      return undefined;
    }
    const { entry } = slot;
    if (nowMs >= entry.deadAtMs || !valid(entry, context)) {
      this.remove(key, entry);
      this.evictions++;
      this.misses++;
      return undefined;
    }
    // Move to the young end, unless it is already there (the hot-token case costs nothing).
    if (this.newest !== key) {
      this.entries.delete(key);
      this.entries.set(key, slot);
      this.newest = key;
    }
    this.hits++;
    return entry;
  }

  set(token: string, entry: CachedToken<T>): void {
    if (this.limits.maxEntries === 0 || entry.bytes > this.limits.maxBytes) return;
    const key = keyOf(token);
    const previous = this.entries.get(key);
    if (previous !== undefined) this.remove(key, previous.entry);
    this.entries.set(key, { token, entry });
    this.newest = key;
    this.byteCount += entry.bytes;
    this.shrinkTo(this.limits);
  }

  /** Drops every entry `doomed` picks (a reload changed its issuer, its key left the set). */
  sweep(doomed: (entry: CachedToken<T>) => boolean): number {
    let dropped = 0;
    for (const [key, { entry }] of this.entries) {
      if (!doomed(entry)) continue;
      this.remove(key, entry);
      dropped++;
    }
    this.evictions += dropped;
    return dropped;
  }

  /** New bounds (a config reload); shrinks at once if they are smaller. */
  resize(limits: TokenCacheLimits): void {
    this.limits = limits;
    this.shrinkTo(limits);
  }

  counts(): TokenCacheCounts {
    return {
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      entries: this.entries.size,
      bytes: this.byteCount,
    };
  }

  private shrinkTo(limits: TokenCacheLimits): void {
    while (this.entries.size > limits.maxEntries || this.byteCount > limits.maxBytes) {
      const oldest = this.entries.entries().next();
      if (oldest.done === true) return;
      this.remove(oldest.value[0], oldest.value[1].entry);
      this.evictions++;
    }
  }

  private remove(key: string, entry: CachedToken<T>): void {
    this.entries.delete(key);
    this.byteCount -= entry.bytes;
    if (this.newest === key) this.newest = undefined;
  }
}
