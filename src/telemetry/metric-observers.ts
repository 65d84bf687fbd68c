// Feeds GateMetrics from what the gate reports: each decision (counter + latency histogram),
// each key cache event (fetch results, key ids appearing or disappearing) and each delivery
// store operation (latency, failures, delivery outcomes).
import type { DeliveryStoreObserver } from '../dedup/observed-delivery-store.js';
import type { KeyStoreEvents } from '../issuers/key-store-events.js';
import type { DecisionObserver } from '../pipeline/run-check.js';
import type { GateMetrics } from './metrics.js';

export function decisionMetrics(metrics: GateMetrics): DecisionObserver {
  return ({ transport, decision, latencyMs }) => {
    // Issuer labels only ever name a configured issuer ("" otherwise): cardinality stays bounded.
    const labels = decision.allowed
      ? { decision: 'allow', reason: '', issuer: decision.identity.issuer, transport }
      : { decision: 'deny', reason: decision.reason, issuer: decision.issuer ?? '', transport };
    metrics.decisions.inc(labels);
    metrics.checkDuration.observe({ transport }, latencyMs / 1000);
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
  return {
    operation(store, operation, seconds, failed) {
      metrics.dedupStoreDuration.observe({ store, operation }, seconds);
      if (failed) metrics.dedupStoreErrors.inc({ store });
    },
    outcome(outcome) {
      metrics.deliveries.inc({ outcome });
    },
  };
}
