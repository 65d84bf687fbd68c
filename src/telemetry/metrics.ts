// Every Prometheus metric pps-gate exports, in one place, on its own registry. Labels come from
// bounded sets only: reason codes, decisions, transports, configured issuers; never a token,
// tenant or webhook id.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class GateMetrics {
  readonly registry = new Registry();

  readonly decisions = new Counter({
    name: 'pps_gate_decisions_total',
    help: 'Check decisions by decision (allow/deny), reason code and issuer ("" when not a trusted one).',
    labelNames: ['decision', 'reason', 'issuer', 'transport'] as const,
    registers: [this.registry],
  });

  readonly checkDuration = new Histogram({
    name: 'pps_gate_check_duration_seconds',
    help: 'Time from receiving a check to deciding it, by transport.',
    labelNames: ['transport'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly jwksFetches = new Counter({
    name: 'pps_gate_jwks_fetches_total',
    help: 'Discovery + JWKS fetches by issuer and result (success/failure).',
    labelNames: ['issuer', 'result'] as const,
    registers: [this.registry],
  });

  readonly keyChanges = new Counter({
    name: 'pps_gate_jwks_key_changes_total',
    help: 'Key ids appearing in (added) or disappearing from (removed) an issuer key set after the first fetch.',
    labelNames: ['issuer', 'change'] as const,
    registers: [this.registry],
  });

  readonly keySetAge = new Gauge({
    name: 'pps_gate_jwks_age_seconds',
    help: 'Age of the key set currently served per issuer.',
    labelNames: ['issuer'] as const,
    registers: [this.registry],
  });

  readonly keySetStale = new Gauge({
    name: 'pps_gate_jwks_stale',
    help: '1 when an issuer is served from a key set older than its cache TTL (refresh failing).',
    labelNames: ['issuer'] as const,
    registers: [this.registry],
  });

  readonly keysPerIssuer = new Gauge({
    name: 'pps_gate_jwks_keys',
    help: 'Usable keys in the cached set per issuer.',
    labelNames: ['issuer'] as const,
    registers: [this.registry],
  });

  readonly configReloads = new Counter({
    name: 'pps_gate_config_reloads_total',
    help: 'Config reload attempts by result (success, invalid, unchanged, source_error).',
    labelNames: ['result', 'source'] as const,
    registers: [this.registry],
  });

  readonly configLastSuccess = new Gauge({
    name: 'pps_gate_config_last_success_timestamp_seconds',
    help: 'When the active config was loaded.',
    registers: [this.registry],
  });

  readonly configInfo = new Gauge({
    name: 'pps_gate_config_info',
    help: 'Always 1; the hash label identifies the active config.',
    labelNames: ['hash'] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'pps_gate_' });
  }

  /** Records the active config (one hash label at a time keeps cardinality at one). */
  setActiveConfig(hash: string, loadedAtMs: number): void {
    this.configInfo.reset();
    this.configInfo.set({ hash }, 1);
    this.configLastSuccess.set(loadedAtMs / 1000);
  }
}
