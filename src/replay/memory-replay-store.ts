// The in-process replay store: a map of token -> first webhook id, each entry living until its
// token expires. Memory is bounded: past `maxEntries`, the entry closest to expiry goes first
// (its token has the least time left to be replayed in), and the eviction is counted.
import type { ReplayStore, ReplayVerdict } from './replay-store.js';

interface Entry {
  readonly key: string;
  readonly webhookId: string;
  readonly expiresAtMs: number;
}

export interface MemoryReplayStoreOptions {
  readonly maxEntries: number;
  readonly now: () => number;
}

export const DEFAULT_MAX_REPLAY_ENTRIES = 100_000;

export class MemoryReplayStore implements ReplayStore {
  readonly kind = 'memory';
  /** Entries dropped before their token expired, because the store was full. */
  evictions = 0;
  private readonly entries = new Map<string, Entry>();
  /** A binary min-heap on expiresAtMs holding exactly the entries of the map. */
  private readonly heap: Entry[] = [];

  constructor(private readonly options: MemoryReplayStoreOptions) {
    if (!(options.maxEntries >= 1)) throw new RangeError('maxEntries must be at least 1');
  }

  get size(): number {
    return this.entries.size;
  }

  check(tokenKey: string, webhookId: string, expiresAtMs: number): ReplayVerdict {
    const now = this.options.now();
    this.dropExpired(now);
    const seen = this.entries.get(tokenKey);
    if (seen !== undefined) return seen.webhookId === webhookId ? 'redelivery' : 'replayed';
    if (expiresAtMs <= now) return 'first';
    if (this.entries.size >= this.options.maxEntries) {
      this.remove(this.popMin());
      this.evictions++;
    }
    const entry = { key: tokenKey, webhookId, expiresAtMs };
    this.entries.set(tokenKey, entry);
    this.push(entry);
    return 'first';
  }

  close(): Promise<void> {
    this.entries.clear();
    this.heap.length = 0;
    return Promise.resolve();
  }

  private dropExpired(now: number): void {
    while (this.heap.length > 0 && this.heap[0]!.expiresAtMs <= now) this.remove(this.popMin());
  }

  private remove(entry: Entry): void {
    this.entries.delete(entry.key);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    let i = heap.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.expiresAtMs <= entry.expiresAtMs) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  private popMin(): Entry {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && heap[right]!.expiresAtMs < heap[left]!.expiresAtMs ? right : left;
      if (heap[child]!.expiresAtMs >= last.expiresAtMs) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
