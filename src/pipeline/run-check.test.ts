// What every transport calls: decisions are reported once, including for unreadable requests.
import { describe, expect, it } from 'vitest';
import { ConfigSnapshot } from '../config/config-snapshot.js';
import { reportUnreadable, runCheck, type CheckDeps, type DecisionReport } from './run-check.js';

function deps(): { deps: CheckDeps; reports: DecisionReport[]; received: string[] } {
  const reports: DecisionReport[] = [];
  const received: string[] = [];
  return {
    reports,
    received,
    deps: {
      config: new ConfigSnapshot(),
      keys: {
        resolve: () => ({ kind: 'unavailable', issuer: 'x', why: 'x', retryAfterSeconds: 1 }),
      },
      now: () => 0,
      observe: (report) => reports.push(report),
      onReceived: (transport) => received.push(transport),
    },
  };
}

describe('runCheck and reportUnreadable', () => {
  it('reports a request the transport could not read as an internal deny, like any decision', () => {
    const t = deps();
    const decision = reportUnreadable('grpc', 'cannot read CheckRequest: bad bytes', t.deps);
    expect(decision).toMatchObject({ allowed: false, reason: 'internal' });
    expect(t.received).toEqual(['grpc']);
    expect(t.reports).toEqual([{ transport: 'grpc', request: undefined, decision, latencyMs: 0 }]);
  });

  it('answers config_unavailable, retryable, while the snapshot is still empty', () => {
    const t = deps();
    const request = { id: 'r', method: 'POST', path: '/', headers: {}, receivedAtMs: 0 };
    expect(runCheck(request, 'http', t.deps)).toMatchObject({
      allowed: false,
      reason: 'config_unavailable',
      retryAfterSeconds: 1,
    });
    expect(t.reports).toHaveLength(1);
    expect(t.received).toEqual(['http']);
  });
});
