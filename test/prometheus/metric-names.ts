// Metric names in PromQL text, and the ones other issue branches add (named in the helpers'
// brief), so panels and alerts can reference them before those branches are merged.
import { GateMetrics } from '../../src/telemetry/metrics.js';

/** Metrics another branch exports, with the issue that adds them. */
export const METRICS_FROM_OTHER_BRANCHES: ReadonlyMap<string, string> = new Map([
  ['pps_gate_deliveries_total', 'issue 11 (dedup)'],
  ['pps_gate_dedup_store_errors_total', 'issue 11 (dedup)'],
  ['pps_gate_dedup_store_duration_seconds', 'issue 11 (dedup)'],
  ['pps_gate_token_cache_events_total', 'issue 10 (token cache)'],
  ['pps_gate_token_cache_entries', 'issue 10 (token cache)'],
]);

const HISTOGRAM_SERIES = /_(bucket|count|sum)$/;

/** Every pps_gate_* family a PromQL expression reads (histogram series mapped to their family). */
export function metricFamiliesIn(expr: string, families: ReadonlySet<string>): string[] {
  const names = expr.match(/\bpps_gate_[a-z0-9_]+/g) ?? [];
  return [
    ...new Set(
      names.map((name) => {
        const family = name.replace(HISTOGRAM_SERIES, '');
        return family !== name && families.has(family) ? family : name;
      }),
    ),
  ];
}

/** The metric families GateMetrics registers (what /metrics exposes, series or not). */
export function gateMetricFamilies(): Set<string> {
  const metrics = new GateMetrics();
  const names = metrics.registry.getMetricsAsArray().map((metric) => metric.name);
  // Other branches' histograms are families too, so their _bucket series map to them.
  return new Set([...names, ...METRICS_FROM_OTHER_BRANCHES.keys()]);
}
