// BoundHistogram must be indistinguishable from prom-client's Histogram wherever a histogram is
// read: the text exposition, getMetricsAsJSON, and the cluster AggregatorRegistry's sum.
import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BoundHistogram } from './bound-histogram.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const OBSERVED: [string, number][] = [
  ['grpc', 0.0004],
  ['grpc', 0.001],
  ['grpc', 0.05],
  ['http', 0.5],
  ['grpc', 7],
  ['http', 0.0099],
];

function both(): { ours: Registry; theirs: Registry } {
  const ours = new Registry();
  const theirs = new Registry();
  const options = { name: 'h_seconds', help: 'h', labelNames: ['transport'] as const };
  const bound = new BoundHistogram({ ...options, buckets: BUCKETS, registers: [ours] });
  const reference = new Histogram({ ...options, buckets: BUCKETS, registers: [theirs] });
  const series = {
    grpc: bound.bind({ transport: 'grpc' }),
    http: bound.bind({ transport: 'http' }),
  };
  for (const [transport, value] of OBSERVED) {
    series[transport as 'grpc' | 'http'].observe(value);
    reference.observe({ transport }, value);
  }
  return { ours, theirs };
}

describe('BoundHistogram', () => {
  it("writes the same text exposition as prom-client's Histogram for the same observations", async () => {
    const { ours, theirs } = both();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('gives the same JSON, and the cluster aggregator sums it the same way', async () => {
    const { ours, theirs } = both();
    const [oursJson, theirsJson] = [await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON()];
    expect(oursJson[0]!.values).toEqual(theirsJson[0]!.values);
    const summed = AggregatorRegistry.aggregate([oursJson, oursJson]);
    const reference = AggregatorRegistry.aggregate([theirsJson, theirsJson]);
    expect(await summed.metrics()).toBe(await reference.metrics());
  });

  it('ignores a non-finite value instead of throwing on the check path', async () => {
    const registry = new Registry();
    const histogram = new BoundHistogram({
      name: 'x_seconds',
      help: 'x',
      labelNames: ['transport'] as const,
      buckets: BUCKETS,
      registers: [registry],
    });
    histogram.bind({ transport: 'grpc' }).observe(Number.NaN);
    expect(await registry.metrics()).toContain('x_seconds_count{transport="grpc"} 0');
  });
});
