// A Prometheus histogram for the per-check path. prom-client's Histogram#observe validates and
// hashes its label object on every call (about half a microsecond, twice per check); here each
// label set is bound once to a series, and observing it is a bucket search and three adds. It
// registers on a prom-client Registry and answers get() in prom-client's own shape, so /metrics,
// the cluster AggregatorRegistry (sum) and the text format treat it like any other histogram.
import type { Metric, Registry } from 'prom-client';

/** One label set's counts: observe() is all the per-check path calls. */
export class HistogramSeries {
  /** Per bucket, not cumulative (cumulated at scrape time). */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    private readonly upperBounds: readonly number[],
    readonly labels: Readonly<Record<string, string>>,
  ) {
    this.counts = new Float64Array(upperBounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return; // a metric never throws on the per-check path
    const bounds = this.upperBounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    if (i < bounds.length) this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

interface ExportedValue {
  readonly value: number;
  readonly labels: Record<string, string | number>;
  readonly metricName: string;
  /** prom-client writes null on bucket lines when exemplars are off; kept for equal JSON. */
  readonly exemplar?: null;
}

export interface BoundHistogramOptions<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly buckets: readonly number[];
  readonly registers: readonly Registry[];
}

export class BoundHistogram<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly upperBounds: readonly number[];
  private readonly labelNames: readonly L[];
  private readonly series = new Map<string, HistogramSeries>();

  constructor(options: BoundHistogramOptions<L>) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    this.upperBounds = [...options.buckets].sort((a, b) => a - b);
    // The registry only stores the object and calls get() (and reset()): the shape it reads is
    // prom-client's MetricObjectWithValues, which get() below produces.
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** The series for one label set; call once per label set and keep it (not per observation). */
  bind(labels: Readonly<Record<L, string>>): HistogramSeries {
    const key = this.labelNames.map((name) => labels[name]).join('\u0000');
    let series = this.series.get(key);
    if (series === undefined) {
      const own: Record<string, string> = {};
      for (const name of this.labelNames) own[name] = labels[name];
      series = new HistogramSeries(this.upperBounds, own);
      this.series.set(key, series);
    }
    return series;
  }

  get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: ExportedValue[];
  }> {
    const values: ExportedValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const series of this.series.values()) {
      let cumulative = 0;
      this.upperBounds.forEach((le, i) => {
        cumulative += series.counts[i]!;
        const labels = { le, ...series.labels };
        values.push({ value: cumulative, labels, metricName: bucket, exemplar: null });
      });
      const infinity = { le: '+Inf', ...series.labels };
      values.push({ value: series.count, labels: infinity, metricName: bucket, exemplar: null });
      values.push({
        value: series.sum,
        labels: { ...series.labels },
        metricName: `${this.name}_sum`,
      });
      values.push({
        value: series.count,
        labels: { ...series.labels },
        metricName: `${this.name}_count`,
      });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }

  /** Registry#resetMetrics: every bound series back to zero (handles stay valid). */
  reset(): void {
    for (const series of this.series.values()) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }
}
