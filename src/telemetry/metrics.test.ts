// The gauges the alert rules read: readiness, the staleness limit, and whether the latest config
// the gate saw was accepted.
import { describe, expect, it } from 'vitest';
import { GateMetrics } from './metrics.js';

async function gauge(metrics: GateMetrics, name: string): Promise<number | undefined> {
  const metric = metrics.registry.getSingleMetric(name);
  return (await metric?.get())?.values[0]?.value;
}

describe('GateMetrics', () => {
  it('reports readiness at scrape time from the tracked source', async () => {
    const metrics = new GateMetrics({ processMetrics: false });
    expect(await gauge(metrics, 'pps_gate_ready')).toBe(0);
    let ready = true;
    metrics.trackReadiness(() => ready);
    expect(await gauge(metrics, 'pps_gate_ready')).toBe(1);
    ready = false;
    expect(await gauge(metrics, 'pps_gate_ready')).toBe(0);
  });

  it('exports the active config maxStalenessSeconds', async () => {
    const metrics = new GateMetrics({ processMetrics: false });
    metrics.setActiveConfig('abc', 1_000, 86_400_000);
    expect(await gauge(metrics, 'pps_gate_jwks_max_staleness_seconds')).toBe(86_400);
  });

  it('marks the latest reload rejected after invalid or deleted, and accepted again after success or unchanged', async () => {
    const metrics = new GateMetrics({ processMetrics: false });
    const accepted = (): Promise<number | undefined> =>
      gauge(metrics, 'pps_gate_config_last_reload_successful');
    metrics.setActiveConfig('abc', 1_000, 60_000);
    expect(await accepted()).toBe(1);
    metrics.recordReload('invalid', 'file');
    expect(await accepted()).toBe(0);
    // A failing watch says nothing about the config: the rejection stands.
    metrics.recordReload('source_error', 'api');
    expect(await accepted()).toBe(0);
    metrics.recordReload('unchanged', 'file');
    expect(await accepted()).toBe(1);
    metrics.recordReload('deleted', 'file');
    expect(await accepted()).toBe(0);
    metrics.recordReload('success', 'file');
    expect(await accepted()).toBe(1);
    metrics.recordReload('source_error', 'api');
    expect(await accepted()).toBe(1);
    const counted = (await metrics.configReloads.get()).values.map((v) => [
      v.labels.result,
      v.value,
    ]);
    expect(counted).toEqual([
      ['invalid', 1],
      ['source_error', 2],
      ['unchanged', 1],
      ['deleted', 1],
      ['success', 1],
    ]);
  });
});
