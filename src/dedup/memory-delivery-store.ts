// The in-process delivery store: one replica (one worker) only, bounded by entry count. Records
// live in a Map in insertion order, which is window-expiry order (every record gets the same
// window when first seen), so expired records are swept from the front in O(1) per insert and,
// when the store is full, the oldest live record is evicted (reported through `onEvict`).
//
// Why not node-cache (the design card's suggestion): its `maxKeys` refuses new keys with an
// ECACHEFULL error instead of evicting, which would turn a busy gate into a failing one, and its
// TTLs read Date.now() and a background timer, so a test cannot inject the clock.
import { applyClaim, applyConfirm, applyRecord, type StoredDelivery } from './delivery-state.js';
import type {
  ConfirmResult,
  DeliveryRecord,
  DeliveryStore,
  DeliveryTimes,
} from './delivery-store.js';

export interface MemoryDeliveryStoreOptions {
  readonly maxEntries: number;
  /** Called when a live record had to go to make room (a repeat of it would count as first). */
  readonly onEvict?: (evicted: number) => void;
}

/** Expired records removed per insert at most, so one insert never walks the whole map. */
const SWEEP_PER_INSERT = 8;

export class MemoryDeliveryStore implements DeliveryStore {
  readonly kind = 'memory';
  private readonly records = new Map<string, StoredDelivery>();

  constructor(private readonly options: MemoryDeliveryStoreOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1)
      throw new Error(`maxEntries must be a positive integer, got ${options.maxEntries}`);
  }

  get size(): number {
    return this.records.size;
  }

  // Synchronous: the check that asks needs no promise hop (delivery-store.ts StoreAnswer).
  record(key: string, times: DeliveryTimes): DeliveryRecord {
    const { stored, record } = applyRecord(this.records.get(key), times);
    this.put(key, stored, times.nowMs);
    return record;
  }

  claim(key: string, times: DeliveryTimes): DeliveryRecord {
    const { stored, record } = applyClaim(this.records.get(key), times);
    this.put(key, stored, times.nowMs);
    return record;
  }

  confirm(key: string, httpStatus: number, nowMs: number): Promise<ConfirmResult> {
    const current = this.records.get(key);
    const { stored, result } = applyConfirm(current, httpStatus, nowMs);
    if (stored !== undefined && stored !== current) this.records.set(key, stored);
    return Promise.resolve(result);
  }

  close(): Promise<void> {
    this.records.clear();
    return Promise.resolve();
  }

  private put(key: string, stored: StoredDelivery, nowMs: number): void {
    const existing = this.records.get(key);
    if (existing !== undefined && existing.firstSeenAtMs === stored.firstSeenAtMs) {
      this.records.set(key, stored); // same record: keeps its place in expiry order
      return;
    }
    // A new record (or one restarted after its window): goes to the back.
    this.records.delete(key);
    this.sweep(nowMs);
    let evicted = 0;
    while (this.records.size >= this.options.maxEntries) {
      const oldest = this.records.entries().next();
      if (oldest.done === true) break;
      const [oldestKey, oldestRecord] = oldest.value;
      this.records.delete(oldestKey);
      if (oldestRecord.expiresAtMs > nowMs) evicted += 1;
    }
    this.records.set(key, stored);
    if (evicted > 0) this.options.onEvict?.(evicted);
  }

  private sweep(nowMs: number): void {
    let budget = SWEEP_PER_INSERT;
    for (const [key, stored] of this.records) {
      if (budget-- === 0 || stored.expiresAtMs > nowMs) return;
      this.records.delete(key);
    }
  }
}
