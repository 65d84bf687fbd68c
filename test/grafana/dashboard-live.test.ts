// Every dashboard panel and every alert, against the real thing: Debian's Prometheus scrapes the
// built pps-gate (child process on loopback, 1 s interval, with the alert rules loaded) while a
// short mixed load runs (allows over gRPC and HTTP, forged and unknown-kid tokens, an expired
// token, an issuer that is down, an untrusted issuer, bad webhook headers, a key rotation, a
// config swap that adds an issuer, a rejected config). Then each query goes through
// Prometheus's HTTP API: no errors, series for everything the gate exports, and no metric or
// label the gate does not export. Metrics other branches add are listed, not guessed at.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import { parseExposition, type Family } from '../operations/exposition-format.js';
import { loadAlertRules, RULES_FILE } from '../prometheus/alert-rules.js';
import {
  gateMetricFamilies,
  METRICS_FROM_OTHER_BRANCHES,
  metricFamiliesIn,
} from '../prometheus/metric-names.js';
import { startPrometheus, type PrometheusServer } from '../prometheus/prometheus-server.js';
import {
  boolComparisons,
  labelNamesIn,
  resolveVariables,
  TARGET_LABELS,
} from '../prometheus/promql-text.js';
import {
  createEnvoyAuthClient,
  headersCheckRequest,
  type EnvoyAuthClient,
} from '../support/envoy-client.js';
import { startGateProcess, type GateProcess } from '../support/start-gate-process.js';
import { webhookHeaders } from '../support/webhook-fixtures.js';
import { loadDashboard, panelQueries, variableQueries } from './dashboard.js';

const NAMESPACE = 'pps-gate-test';
const JOB = 'pps-gate';
const VARIABLES = { namespace: NAMESPACE, job: JOB, issuer: '.*', __rate_interval: '1m' };

let trusted: LocalIssuer;
let down: LocalIssuer;
let added: LocalIssuer;
let stranger: LocalIssuer;
let gate: GateProcess;
let grpc: EnvoyAuthClient;
let prometheus: PrometheusServer;
let exported: Map<string, Family>;

const dashboard = loadDashboard();
const alerts = loadAlertRules();
const families = gateMetricFamilies();

function configWith(issuers: LocalIssuer[]): unknown {
  return {
    issuers: issuers.map((i) => ({ issuer: i.issuer, audiences: [i.audience] })),
    allowInsecureHttp: true,
    jwks: { minRefreshIntervalSeconds: 1 },
  };
}

async function viaHttp(headers: Record<string, string>): Promise<number> {
  const response = await fetch(`${gate.httpUrl}/hooks`, { method: 'POST', headers });
  await response.arrayBuffer();
  return response.status;
}

async function viaGrpc(headers: Record<string, string>): Promise<number> {
  const response = await grpc.check(headersCheckRequest(headers));
  return response.status?.code ?? -1;
}

/** One round of mixed traffic: every kind of decision the panels show. */
async function mixedRound(): Promise<void> {
  const forgedKey = await trusted.unpublishedKey();
  const nowS = Math.floor(Date.now() / 1000);
  const [good, other, forged, unknownKid, expired, fromDown, fromStranger] = await Promise.all([
    trusted.sign(),
    trusted.sign(),
    // Signed by a key the issuer never published, under a kid it does publish: invalid_signature.
    trusted.sign({ key: forgedKey, kid: trusted.publishedKids[0] }),
    // A kid the issuer never published: unknown_key (keys_unavailable inside the refetch cooldown).
    trusted.sign({ key: forgedKey }),
    trusted.sign({ claims: { iat: nowS - 7200, exp: nowS - 3600 } }),
    down.sign(),
    stranger.sign(),
  ]);
  await Promise.all([
    viaHttp(webhookHeaders(good)),
    viaHttp(webhookHeaders(other)),
    viaGrpc(webhookHeaders(good)),
    viaGrpc(webhookHeaders(other)),
    viaHttp(webhookHeaders(forged)),
    viaGrpc(webhookHeaders(unknownKid)),
    viaHttp(webhookHeaders(expired)),
    viaGrpc(webhookHeaders(fromDown)),
    viaHttp(webhookHeaders(fromStranger)),
    viaGrpc(webhookHeaders(good, { 'x-pps-topic': undefined })),
  ]);
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls Prometheus until `expr` returns a series (bounded). */
async function untilSeries(expr: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const result = await prometheus.query(expr);
    if ((result.data?.result.length ?? 0) > 0) return;
    await pause(250);
  }
  throw new Error(`Prometheus never returned a series for ${expr}`);
}

beforeAll(async () => {
  [trusted, down, added, stranger] = await Promise.all([
    startLocalIssuer({ project: 'dash-trusted' }),
    startLocalIssuer({ project: 'dash-down' }),
    startLocalIssuer({ project: 'dash-added' }),
    startLocalIssuer({ project: 'dash-stranger' }),
  ]);
  down.mode = 'down';
  gate = await startGateProcess({ config: configWith([trusted, down]) });
  grpc = createEnvoyAuthClient(gate.grpcAddress);
  prometheus = await startPrometheus({
    targets: [
      {
        job: JOB,
        address: `127.0.0.1:${gate.adminPort}`,
        labels: { namespace: NAMESPACE },
      },
    ],
    ruleFiles: [RULES_FILE],
    scrapeIntervalSeconds: 1,
  });

  // About ten seconds of traffic, so that every rate() sees several scrapes.
  for (let round = 0; round < 8; round++) {
    if (round === 2) await trusted.rotate();
    if (round === 4)
      writeFileSync(gate.configPath, JSON.stringify(configWith([trusted, down, added])));
    if (round === 5) await viaHttp(webhookHeaders(await added.sign()));
    if (round === 6) writeFileSync(gate.configPath, JSON.stringify({ issuers: [] }));
    await mixedRound();
    await pause(1200);
  }
  // The last scrapes and one rule evaluation after them.
  await untilSeries('pps_gate_config_last_reload_successful == 0');
  await untilSeries('pps_gate_jwks_key_changes_total');
  await untilSeries('pps_gate_config_reloads_total{result="success"}');
  await pause(2500);
  exported = parseExposition(await (await fetch(`${gate.adminUrl}/metrics`)).text());
}, 90_000);

afterAll(async () => {
  grpc?.close();
  await prometheus?.stop();
  await gate?.stop();
  await Promise.all([trusted, down, added, stranger].map((i) => i?.close()));
});

/** Label names the gate exports per family (from /metrics), histogram series folded in. */
function exportedLabels(family: string): Set<string> {
  const samples = exported.get(family)?.samples ?? [];
  return new Set(samples.flatMap((s) => Object.keys(s.labels)));
}

function otherBranchMetrics(expr: string): string[] {
  return metricFamiliesIn(expr, families).filter((name) => !exported.has(name));
}

describe('the Grafana dashboard against a real Prometheus scraping pps-gate', () => {
  const queries = panelQueries(dashboard);
  const pending: string[] = [];

  afterAll(() => {
    // For the lead: queries checked for errors only, until the branch adding their metrics lands.
    if (pending.length > 0)
      console.info(
        `dashboard queries waiting for other branches' metrics:\n  ${pending.join('\n  ')}`,
      );
  });

  it('has panels for every area the operators asked for', () => {
    const all = queries.map((q) => q.expr).join('\n');
    for (const metric of [
      'pps_gate_decisions_total',
      'pps_gate_check_duration_seconds_bucket',
      'pps_gate_checks_in_flight',
      'pps_gate_jwks_age_seconds',
      'pps_gate_jwks_fetches_total',
      'pps_gate_config_reloads_total',
      'pps_gate_deliveries_total',
      'pps_gate_token_cache_events_total',
    ])
      expect(all).toContain(metric);
  });

  it.each(queries.map((q) => [q.where, q.expr] as const))(
    'panel %s evaluates without error and returns series',
    async (_where, expr) => {
      const resolved = resolveVariables(expr, VARIABLES);
      expect(resolved).not.toMatch(/\$\w/);
      const result = await prometheus.query(resolved);
      expect(result.error, resolved).toBeUndefined();
      expect(result.status).toBe('success');
      const missing = otherBranchMetrics(expr);
      if (missing.length > 0) {
        // Only another branch's metrics may be missing here; the lead re-runs after merging.
        for (const name of missing)
          expect(METRICS_FROM_OTHER_BRANCHES.has(name), `${name} is not exported`).toBe(true);
        pending.push(`${_where}: ${missing.join(', ')}`);
        return;
      }
      expect(result.data!.result.length, resolved).toBeGreaterThan(0);
    },
  );

  it('references only metrics and labels the gate exports (checked against /metrics)', () => {
    const errors: string[] = [];
    const exprs = [
      ...queries,
      ...alerts.map((a) => ({ where: `alert ${a.alert}`, expr: a.expr })),
      ...variableQueries(dashboard).map((v) => ({
        where: `variable ${v.name}`,
        expr: `${v.selector} by (${v.label})`,
      })),
    ];
    for (const { where, expr } of exprs) {
      const names = metricFamiliesIn(expr, families);
      const labels = new Set(['le', ...TARGET_LABELS]);
      for (const name of names) {
        if (!exported.has(name)) {
          if (!METRICS_FROM_OTHER_BRANCHES.has(name))
            errors.push(`${where}: ${name} is not exported`);
          continue;
        }
        for (const label of exportedLabels(name)) labels.add(label);
      }
      // Exact only when every metric it reads is exported here.
      if (names.some((name) => !exported.has(name))) continue;
      for (const label of labelNamesIn(expr))
        if (!labels.has(label))
          errors.push(`${where}: label ${label} is not on ${names.join(', ')}`);
    }
    expect(errors).toEqual([]);
  });

  it.each(variableQueries(dashboard).map((v) => [v.name, v] as const))(
    'template variable %s lists values',
    async (_name, variable) => {
      const values = await prometheus.labelValues(
        variable.label,
        resolveVariables(variable.selector, VARIABLES),
      );
      expect(values.length).toBeGreaterThan(0);
    },
  );

  it('lists the trusted issuers in the issuer variable, including the one a reload added', async () => {
    const values = await prometheus.labelValues('issuer', 'pps_gate_jwks_keys');
    expect(values).toEqual(expect.arrayContaining([trusted.issuer, down.issuer, added.issuer]));
  });
});

describe('the alert rules against a real Prometheus scraping pps-gate', () => {
  it.each(alerts.map((a) => [a.alert, a.expr] as const))(
    '%s evaluates without error and its comparisons return series',
    async (_alert, expr) => {
      const exact = await prometheus.query(expr);
      expect(exact.error, expr).toBeUndefined();
      expect(exact.status).toBe('success');
      const signal = boolComparisons(expr);
      const result = await prometheus.query(signal);
      expect(result.error, signal).toBeUndefined();
      if (otherBranchMetrics(expr).length > 0) return;
      expect(result.data!.result.length, signal).toBeGreaterThan(0);
    },
  );

  it('are loaded by Prometheus and evaluate healthy', async () => {
    const rules = await prometheus.rules();
    expect(rules.map((r) => r.name).sort()).toEqual(alerts.map((a) => a.alert).sort());
    for (const rule of rules) {
      expect(rule.lastError ?? '', rule.name).toBe('');
      expect(rule.health, rule.name).toBe('ok');
    }
  });

  it('show what the load did: the rejected config is visible in the rejected-reload signal', async () => {
    const result = await prometheus.query(
      'min by (namespace, job) (pps_gate_config_last_reload_successful)',
    );
    expect(result.data!.result).toEqual([
      expect.objectContaining({
        metric: { namespace: NAMESPACE, job: JOB },
        value: [expect.any(Number), '0'],
      }),
    ]);
  });
});
