// The delivery state machine as pure functions over one record. The memory store applies them
// directly; the Redis store's Lua scripts (redis-scripts.ts) implement the same transitions.
//
//   absent / past window --record--> seen (first)        any --record--> same state (duplicate)
//   absent / past window --claim--> in_flight (first)
//   in_flight, lease live --claim--> in_flight (in_progress)
//   in_flight past lease, failed, seen --claim--> in_flight, new lease (redelivered_after_failure)
//   delivered --claim--> delivered (duplicate)
//   any live --confirm 2xx--> delivered;  in_flight --confirm non-2xx--> failed
import {
  isSuccessStatus,
  type ConfirmResult,
  type DeliveryRecord,
  type DeliveryTimes,
} from './delivery-store.js';

export type DeliveryState = 'seen' | 'in_flight' | 'delivered' | 'failed';

export interface StoredDelivery {
  readonly state: DeliveryState;
  readonly count: number;
  readonly firstSeenAtMs: number;
  readonly leaseEndsAtMs: number;
  /** The window ends this long after the first delivery (later leases may stretch it). */
  readonly expiresAtMs: number;
}

export interface Transition {
  readonly stored: StoredDelivery;
  readonly record: DeliveryRecord;
}

function isLive(stored: StoredDelivery | undefined, nowMs: number): stored is StoredDelivery {
  return stored !== undefined && stored.expiresAtMs > nowMs;
}

function fresh(state: DeliveryState, times: DeliveryTimes): StoredDelivery {
  return {
    state,
    count: 1,
    firstSeenAtMs: times.nowMs,
    leaseEndsAtMs: state === 'in_flight' ? times.nowMs + times.leaseMs : 0,
    expiresAtMs: times.nowMs + Math.max(times.windowMs, state === 'in_flight' ? times.leaseMs : 0),
  };
}

function outcomeOf(stored: StoredDelivery, outcome: DeliveryRecord['outcome']): DeliveryRecord {
  return outcome === 'in_progress'
    ? {
        outcome,
        count: stored.count,
        firstSeenAtMs: stored.firstSeenAtMs,
        leaseEndsAtMs: stored.leaseEndsAtMs,
      }
    : { outcome, count: stored.count, firstSeenAtMs: stored.firstSeenAtMs };
}

export function applyRecord(current: StoredDelivery | undefined, times: DeliveryTimes): Transition {
  if (!isLive(current, times.nowMs)) {
    const stored = fresh('seen', times);
    return { stored, record: outcomeOf(stored, 'first') };
  }
  const stored = { ...current, count: current.count + 1 };
  return { stored, record: outcomeOf(stored, 'duplicate') };
}

export function applyClaim(current: StoredDelivery | undefined, times: DeliveryTimes): Transition {
  const { nowMs, leaseMs } = times;
  if (!isLive(current, nowMs)) {
    const stored = fresh('in_flight', times);
    return { stored, record: outcomeOf(stored, 'first') };
  }
  const count = current.count + 1;
  if (current.state === 'delivered') {
    const stored = { ...current, count };
    return { stored, record: outcomeOf(stored, 'duplicate') };
  }
  if (current.state === 'in_flight' && current.leaseEndsAtMs > nowMs) {
    const stored = { ...current, count };
    return { stored, record: outcomeOf(stored, 'in_progress') };
  }
  const stored: StoredDelivery = {
    ...current,
    count,
    state: 'in_flight',
    leaseEndsAtMs: nowMs + leaseMs,
    // A lease taken near the window's end keeps the record alive until it ends.
    expiresAtMs: Math.max(current.expiresAtMs, nowMs + leaseMs),
  };
  return { stored, record: outcomeOf(stored, 'redelivered_after_failure') };
}

export interface ConfirmTransition {
  readonly stored: StoredDelivery | undefined;
  readonly result: ConfirmResult;
}

export function applyConfirm(
  current: StoredDelivery | undefined,
  httpStatus: number,
  nowMs: number,
): ConfirmTransition {
  if (!isLive(current, nowMs)) return { stored: current, result: 'ignored' };
  // A 2xx from any attempt means the app has the event: never forward it again.
  if (isSuccessStatus(httpStatus))
    return current.state === 'delivered'
      ? { stored: current, result: 'ignored' }
      : { stored: { ...current, state: 'delivered' }, result: 'delivered' };
  // A failure only releases a delivery still in flight; a delivered one stays delivered.
  if (current.state !== 'in_flight') return { stored: current, result: 'ignored' };
  return { stored: { ...current, state: 'failed', leaseEndsAtMs: 0 }, result: 'failed' };
}
