// Counts checks between arrival and decision, so a drain (and its operator) can see what is left.
// run-check calls onReceived once per check and observe exactly once per check: the two edges.
import type { Gauge } from 'prom-client';
import type { CheckDeps } from '../pipeline/run-check.js';

export function countInFlight(deps: CheckDeps, gauge: Gauge): CheckDeps {
  return {
    ...deps,
    onReceived: (transport) => {
      gauge.inc();
      deps.onReceived?.(transport);
    },
    observe: (report) => {
      gauge.dec();
      deps.observe(report);
    },
  };
}
