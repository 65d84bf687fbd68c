// Feeds GateMetrics from what the gate reports: each decision (counter + latency histogram),
// each key cache event (fetch results, key ids appearing or disappearing) and each delivery
// store operation (latency, failures, delivery outcomes).
import type { DeliveryStoreObserver } from '../dedup/observed-delivery-store.js';
import type { KeyStoreEvents } from '../issuers/key-store-events.js';
import type { DecisionObserver, Transport } from '../pipeline/run-check.js';
import type { HistogramSeries } from './bound-histogram.js';
import type { TallySlot } from './counter-tally.js';
import type { GateMetrics } from './metrics.js';

/**
 * `bind` remembered per key: the per-check path looks a bound slot or series up by a value it
 * already holds (an issuer, an outcome) instead of building a label object and key each time.
 */
function boundBy<K, V>(bind: (key: K) => V): (key: K) => V {
  const bound = new Map<K, V>();
  return (key) => {
    let value = bound.get(key);
    if (value === undefined) bound.set(key, (value = bind(key)));
    return value;
  };
}

export function decisionMetrics(metrics: GateMetrics): DecisionObserver {
  // An allow costs two Map lookups and some adds.
  const allowSlot = (transport: Transport): ((issuer: string) => TallySlot<string>) =>
    boundBy((issuer) =>
      metrics.decisionTally.bind({ decision: 'allow', reason: '', issuer, transport }),
    );
  const allows = { grpc: allowSlot('grpc'), http: allowSlot('http') };
  const durations: Record<Transport, HistogramSeries> = {
    grpc: metrics.checkDuration.bind({ transport: 'grpc' }),
    http: metrics.checkDuration.bind({ transport: 'http' }),
  };
  return ({ transport, decision, latencyMs }) => {
    // Issuer labels only ever name a configured issuer ("" otherwise): cardinality stays bounded.
    if (decision.allowed) allows[transport](decision.identity.issuer).pending++;
    else
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
  const durations = boundBy((store: string) =>
    boundBy((operation: string) => metrics.dedupStoreDuration.bind({ store, operation })),
  );
  const outcomes = boundBy((outcome: string) => metrics.deliveryTally.bind({ outcome }));
  return {
    operation(store, operation, seconds, failed) {
      durations(store)(operation).observe(seconds);
      if (failed) metrics.dedupStoreErrors.inc({ store });
    },
    outcome(outcome) {
      outcomes(outcome).pending++;
    },
  };
}
