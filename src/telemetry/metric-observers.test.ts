import { describe, expect, it } from 'vitest';
import type { Allow } from '../pipeline/decision.js';
import { deny } from '../pipeline/decision.js';
import type { CheckDeps, DecisionReport } from '../pipeline/run-check.js';
import { countInFlight } from './count-in-flight.js';
import { GateMetrics } from './metrics.js';
import { decisionMetrics, keyMetricsEvents } from './metric-observers.js';

const allow = { allowed: true, identity: { issuer: 'https://i.test' } } as unknown as Allow;
const report = (
  decision: DecisionReport['decision'],
  transport: 'grpc' | 'http' = 'grpc',
): DecisionReport => ({
  transport,
  decision,
  latencyMs: 3,
  request: { id: 'r', method: 'POST', path: '/', headers: {}, receivedAtMs: 0 },
});

async function values(
  metrics: GateMetrics,
  name: string,
): Promise<[Record<string, string | number>, number][]> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name)!;
  return metric.values.map((v) => [v.labels as Record<string, string | number>, v.value]);
}

describe('decisionMetrics', () => {
  it('counts by decision, reason code, issuer ("" for an untrusted one) and transport, and times each check', async () => {
    const metrics = new GateMetrics({ processMetrics: false });
    const observe = decisionMetrics(metrics);
    observe(report(allow));
    observe(report(allow, 'http'));
    observe(report(deny('untrusted_issuer', 'iss "x" is not trusted')));
    observe(report(deny('token_expired', 'expired', { issuer: 'https://i.test' })));
    observe(report(deny('token_expired', 'expired', { issuer: 'https://i.test' })));
    const byLabels = (rows: [Record<string, string | number>, number][]) =>
      rows.toSorted(([a], [b]) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(byLabels(await values(metrics, 'pps_gate_decisions_total'))).toEqual(
      byLabels([
        [{ decision: 'allow', reason: '', issuer: 'https://i.test', transport: 'grpc' }, 1],
        [{ decision: 'allow', reason: '', issuer: 'https://i.test', transport: 'http' }, 1],
        [{ decision: 'deny', reason: 'untrusted_issuer', issuer: '', transport: 'grpc' }, 1],
        [
          {
            decision: 'deny',
            reason: 'token_expired',
            issuer: 'https://i.test',
            transport: 'grpc',
          },
          2,
        ],
      ]),
    );
    const durations = await values(metrics, 'pps_gate_check_duration_seconds');
    expect(durations.filter(([l]) => l.le === 0.005)).toEqual([
      [{ le: 0.005, transport: 'grpc' }, 4],
      [{ le: 0.005, transport: 'http' }, 1],
    ]);
    // Allow counts wait in slots until a scrape: a second scrape still shows the totals.
    observe(report(allow));
    const again = await values(metrics, 'pps_gate_decisions_total');
    expect(again.find(([l]) => l.decision === 'allow' && l.transport === 'grpc')?.[1]).toBe(2);
  });
});

describe('keyMetricsEvents', () => {
  it('counts fetch results and key ids coming and going, but not the first fetch, and passes events on', async () => {
    const metrics = new GateMetrics({ processMetrics: false });
    const seen: string[] = [];
    const events = keyMetricsEvents(metrics, {
      onFetch: (issuer, result) => seen.push(`fetch ${issuer} ${result}`),
      onKeysChanged: (issuer, added, removed, initial) =>
        seen.push(`keys ${issuer} +${added.length} -${removed.length} ${initial}`),
    });
    events.onFetch('i', 'success', 20);
    events.onKeysChanged('i', ['k1', 'k2'], [], true);
    events.onFetch('i', 'failure', 5000);
    events.onFetch('i', 'success', 20);
    events.onKeysChanged('i', ['k3'], ['k1', 'k2'], false);
    expect(await values(metrics, 'pps_gate_jwks_fetches_total')).toEqual([
      [{ issuer: 'i', result: 'success' }, 2],
      [{ issuer: 'i', result: 'failure' }, 1],
    ]);
    expect(await values(metrics, 'pps_gate_jwks_key_changes_total')).toEqual([
      [{ issuer: 'i', change: 'added' }, 1],
      [{ issuer: 'i', change: 'removed' }, 2],
    ]);
    expect(seen).toEqual([
      'fetch i success',
      'keys i +2 -0 true',
      'fetch i failure',
      'fetch i success',
      'keys i +1 -2 false',
    ]);
  });
});

describe('countInFlight', () => {
  it('raises the gauge as a check arrives and lowers it as it is reported', async () => {
    const metrics = new GateMetrics({ processMetrics: false });
    const reported: DecisionReport[] = [];
    const deps = countInFlight(
      { observe: (r: DecisionReport) => reported.push(r) } as unknown as CheckDeps,
      metrics.checksInFlight,
    );
    deps.onReceived!('grpc');
    deps.onReceived!('http');
    expect((await metrics.checksInFlight.get()).values[0]!.value).toBe(2);
    deps.observe(report(allow));
    expect((await metrics.checksInFlight.get()).values[0]!.value).toBe(1);
    expect(reported).toHaveLength(1);
  });
});
