// The dedup step's verdict for one authenticated delivery, in dedup's own terms (the pipeline
// maps it to a Decision). annotate: count and flag, always forward. enforce: forward the first
// (or one after a failure) under a lease; answer a repeat in flight "retry later"; answer a
// repeat after a 2xx "already delivered" without forwarding. A store that fails or is slower than
// `deadlineMs` yields `unavailable` (the Check must answer within a second, whatever Redis does).
import { isoInstant } from '../time/iso-instant.js';
import { deliveryKey, type DeliveryPrincipal } from './delivery-key.js';
import type { DeliveryRecord, DeliveryStore, StoreAnswer } from './delivery-store.js';
import type { DedupSettings } from '../config/dedup-settings.js';

export interface DeliveryInfo {
  /** Deliveries seen with this key inside the window, this one included. */
  readonly count: number;
  /** RFC 3339 (UTC, milliseconds). */
  readonly firstSeenAt: string;
  readonly duplicate: boolean;
  /** enforce only, on a forwarded delivery: the key Envoy reports back in its access log. */
  readonly deliveryKey?: string;
}

export type DeliveryCheck =
  | { readonly kind: 'forward'; readonly delivery: DeliveryInfo }
  | { readonly kind: 'already_delivered'; readonly delivery: DeliveryInfo }
  | {
      readonly kind: 'in_progress';
      readonly delivery: DeliveryInfo;
      readonly retryAfterSeconds: number;
    }
  | { readonly kind: 'unavailable'; readonly detail: string };

export interface CheckDeliveryDeps {
  readonly store: DeliveryStore;
  readonly settings: DedupSettings;
  /** Upper bound on a store answer that comes as a promise (ms); one given at once needs none. */
  readonly deadlineMs: number;
}

/** A sender told "in progress" waits at most this long: the answer usually lands within a second. */
export const MAX_IN_PROGRESS_RETRY_AFTER_SECONDS = 10;

function info(record: DeliveryRecord, key: string | undefined): DeliveryInfo {
  const base = {
    count: record.count,
    firstSeenAt: isoInstant(record.firstSeenAtMs),
    duplicate: record.count > 1,
  };
  return key === undefined ? base : { ...base, deliveryKey: key };
}

function verdict(
  record: DeliveryRecord,
  key: string,
  nowMs: number,
  enforce: boolean,
): DeliveryCheck {
  if (!enforce) return { kind: 'forward', delivery: info(record, undefined) };
  switch (record.outcome) {
    case 'first':
    case 'redelivered_after_failure':
      return { kind: 'forward', delivery: info(record, key) };
    case 'duplicate':
      return { kind: 'already_delivered', delivery: info(record, undefined) };
    case 'in_progress': {
      const leftSeconds = Math.ceil(((record.leaseEndsAtMs ?? nowMs) - nowMs) / 1000);
      return {
        kind: 'in_progress',
        delivery: info(record, undefined),
        retryAfterSeconds: Math.min(Math.max(leftSeconds, 1), MAX_IN_PROGRESS_RETRY_AFTER_SECONDS),
      };
    }
  }
}

function withDeadline<T>(pending: Promise<T>, deadlineMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer from the delivery store within ${deadlineMs} ms`)),
      deadlineMs,
    );
  });
  return Promise.race([pending, expired]).finally(() => clearTimeout(timer));
}

const unavailable = (store: DeliveryStore, error: unknown): DeliveryCheck => ({
  kind: 'unavailable',
  detail: `${store.kind} delivery store: ${(error as Error).message}`,
});

/** Synchronous when the store answers at once (memory); a promise bounded by the deadline otherwise. */
export function checkDelivery(
  principal: DeliveryPrincipal,
  nowMs: number,
  deps: CheckDeliveryDeps,
): DeliveryCheck | Promise<DeliveryCheck> {
  const { store, settings } = deps;
  const key = deliveryKey(principal);
  const times = { nowMs, leaseMs: settings.leaseMs, windowMs: settings.windowMs };
  const enforce = settings.mode === 'enforce';
  let answer: StoreAnswer<DeliveryRecord>;
  try {
    answer = enforce ? store.claim(key, times) : store.record(key, times);
  } catch (error) {
    return unavailable(store, error);
  }
  if (!(answer instanceof Promise)) return verdict(answer, key, nowMs, enforce);
  return withDeadline(answer, deps.deadlineMs).then(
    (record) => verdict(record, key, nowMs, enforce),
    (error: unknown) => unavailable(store, error),
  );
}
