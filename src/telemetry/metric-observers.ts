// Feeds GateMetrics from what the gate reports: each decision (counter + latency histogram),
// each key cache event (fetch results, key ids appearing or disappearing) and each delivery
// store operation (latency, failures, delivery outcomes).
import type { DeliveryStoreObserver } from '../dedup/observed-delivery-store.js';
import type { KeyStoreEvents } from '../issuers/key-store-events.js';
import type { DecisionObserver, Transport } from '../pipeline/run-check.js';
import type { HistogramSeries } from './bound-histogram.js';
import type { TallySlot } from './counter-tally.js';
import type { GateMetrics } from './metrics.js';

export function decisionMetrics(metrics: GateMetrics): DecisionObserver {
  // Slots and series bound once per label set: an allow costs two Map lookups and some adds.
  const allowSlots: Record<Transport, Map<string, TallySlot<string>>> = {
    grpc: new Map(),
    http: new Map(),
  };
  const durations: Record<Transport, HistogramSeries> = {
    grpc: metrics.checkDuration.bind({ transport: 'grpc' }),
    http: metrics.checkDuration.bind({ transport: 'http' }),
  };
  return ({ transport, decision, latencyMs }) => {
    // Issuer labels only ever name a configured issuer ("" otherwise): cardinality stays bounded.
    if (decision.allowed) {
      const { issuer } = decision.identity;
      let slot = allowSlots[transport].get(issuer);
      if (slot === undefined) {
        slot = metrics.decisionTally.bind({ decision: 'allow', reason: '', issuer, transport });
        allowSlots[transport].set(issuer, slot);
      }
      slot.pending++;
    } else
      metrics.decisions.inc({
        decision: 'deny',
        reason: decision.reason,
        issuer: decision.issuer ?? '',
        transport,
      });
    durations[transport].observe(latencyMs / 1000);
  };
}

export function keyMetricsEvents(metrics: GateMetrics, next?: KeyStoreEvents): KeyStoreEvents {
  return {
    onFetch(issuer, result, durationMs) {
      metrics.jwksFetches.inc({ issuer, result });
      metrics.jwksFetchDuration.observe({ issuer }, durationMs / 1000);
      next?.onFetch(issuer, result, durationMs);
    },
    onKeysChanged(issuer, added, removed, initial) {
      // The first fetch is not a change; after it, every kid that comes or goes is worth an alert.
      if (!initial) {
        if (added.length > 0) metrics.keyChanges.inc({ issuer, change: 'added' }, added.length);
        if (removed.length > 0)
          metrics.keyChanges.inc({ issuer, change: 'removed' }, removed.length);
      }
      next?.onKeysChanged(issuer, added, removed, initial);
    },
    onEmptySet(issuer) {
      metrics.jwksEmptySets.inc({ issuer });
      next?.onEmptySet?.(issuer);
    },
  };
}

export function deliveryStoreMetrics(metrics: GateMetrics): DeliveryStoreObserver {
  // One store kind per gate, three operations, four outcomes: bound on first use, kept.
  const durations = new Map<string, HistogramSeries>();
  const outcomes = new Map<string, TallySlot<'outcome'>>();
  return {
    operation(store, operation, seconds, failed) {
      const key = store === 'memory' ? operation : `${store}:${operation}`;
      let series = durations.get(key);
      if (series === undefined) {
        series = metrics.dedupStoreDuration.bind({ store, operation });
        durations.set(key, series);
      }
      series.observe(seconds);
      if (failed) metrics.dedupStoreErrors.inc({ store });
    },
    outcome(outcome) {
      let slot = outcomes.get(outcome);
      if (slot === undefined) {
        slot = metrics.deliveryTally.bind({ outcome });
        outcomes.set(outcome, slot);
      }
      slot.pending++;
    },
  };
}
