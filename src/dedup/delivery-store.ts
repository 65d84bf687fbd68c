// What a delivery store does, independent of where it keeps records: count deliveries (annotate),
// lease a delivery to exactly one caller at a time (enforce), and learn the upstream's answer.
// Every operation is one atomic step in the store, so replicas sharing it agree.
import type { DeliveryStoreKind } from '../config/dedup-settings.js';

export type { DeliveryStoreKind };

/** What this delivery is, relative to earlier ones with the same key (the metric label too). */
export type DeliveryOutcome = 'first' | 'duplicate' | 'in_progress' | 'redelivered_after_failure';

export const DELIVERY_OUTCOMES: readonly DeliveryOutcome[] = [
  'first',
  'duplicate',
  'in_progress',
  'redelivered_after_failure',
];

export interface DeliveryRecord {
  readonly outcome: DeliveryOutcome;
  /** Deliveries seen with this key inside the window, this one included. */
  readonly count: number;
  readonly firstSeenAtMs: number;
  /** For `in_progress`: when the current lease ends (the sender may retry then). */
  readonly leaseEndsAtMs?: number;
}

export interface DeliveryTimes {
  /** The caller's clock (injected in tests); leases and windows are judged against it. */
  readonly nowMs: number;
  readonly leaseMs: number;
  readonly windowMs: number;
}

/** What a confirmation did: `ignored` when there was nothing (live) to confirm. */
export type ConfirmResult = 'delivered' | 'failed' | 'ignored';

/**
 * A store answers at once when it can (the memory store: no promise on the request path) and
 * with a promise when it has to ask elsewhere (Redis).
 */
export type StoreAnswer<T> = T | Promise<T>;

export interface DeliveryStore {
  readonly kind: DeliveryStoreKind;
  /**
   * Annotate mode: counts the delivery and never leases. `first` for a new key (or one past its
   * window), `duplicate` for any repeat.
   */
  record(key: string, times: DeliveryTimes): StoreAnswer<DeliveryRecord>;
  /**
   * Enforce mode. `first` and `redelivered_after_failure` hold the lease (the caller forwards the
   * delivery); `in_progress` means another attempt holds a live lease; `duplicate` means the
   * upstream already answered 2xx inside the window.
   */
  claim(key: string, times: DeliveryTimes): StoreAnswer<DeliveryRecord>;
  /** The upstream's HTTP answer for a forwarded delivery: 2xx delivers, anything else fails it. */
  confirm(key: string, httpStatus: number, nowMs: number): Promise<ConfirmResult>;
  close(): Promise<void>;
}

/** A store operation, for metrics and logs. */
export type DeliveryStoreOperation = 'record' | 'claim' | 'confirm';

/** The upstream answered a delivery successfully: senders count only 2xx as success. */
export function isSuccessStatus(httpStatus: number): boolean {
  return httpStatus >= 200 && httpStatus <= 299;
}
