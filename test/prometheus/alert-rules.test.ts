// The alert rules, proven with Debian's promtool: the chart renders them as a PrometheusRule that
// `promtool check rules` accepts, the plain file in deploy/ is the same file, and
// `promtool test rules` shows every alert firing when it should and silent when it should not.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { REASONS, REASON_CODES } from '../../src/errors/reasons.js';
import { findObject, installTools, renderChart, repoRoot } from '../support/helm-cli.js';
import { loadAlertRules, RULES_FILE, type RulesDocument } from './alert-rules.js';
import {
  gateMetricFamilies,
  METRICS_FROM_OTHER_BRANCHES,
  metricFamiliesIn,
} from './metric-names.js';
import { promtool } from './promtool.js';

const CASES_FILE = join(repoRoot, 'test', 'prometheus', 'alert-cases.yaml');
const DEPLOY_COPY = join(repoRoot, 'deploy', 'prometheus', 'pps-gate-rules.yaml');
const RUNBOOK = join(repoRoot, 'docs', 'runbook.md');
const RUNBOOK_BASE = 'https://github.com/pps-gate/pps-gate/blob/main/docs/runbook.md';

interface AlertCase {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts: readonly { exp_labels: Record<string, string> }[];
}
interface CasesDocument {
  readonly tests: readonly {
    readonly name: string;
    readonly input_series: readonly { series: string }[];
    readonly alert_rule_test: readonly AlertCase[];
  }[];
}

let dir: string;

function renderRulesSpec(extraArgs: string[] = []): RulesDocument {
  const objects = renderChart('default-values.yaml', [
    '--set',
    'metrics.prometheusRule.enabled=true',
    ...extraArgs,
  ]);
  const rule = findObject(objects, 'PrometheusRule');
  if (rule === undefined) throw new Error('the chart rendered no PrometheusRule');
  return rule.spec as RulesDocument;
}

beforeAll(() => {
  installTools();
  dir = mkdtempSync(join(tmpdir(), 'pps-gate-rules-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('pps-gate alert rules', () => {
  const alerts = loadAlertRules();
  const cases = parse(readFileSync(CASES_FILE, 'utf8')) as CasesDocument;

  it('ship in deploy/prometheus as a byte-for-byte copy of the chart file', () => {
    expect(readFileSync(DEPLOY_COPY, 'utf8')).toBe(readFileSync(RULES_FILE, 'utf8'));
  });

  it('render as a PrometheusRule only when metrics.prometheusRule.enabled, with its labels', () => {
    expect(findObject(renderChart('default-values.yaml'), 'PrometheusRule')).toBeUndefined();
    const objects = renderChart('default-values.yaml', [
      '--set',
      'metrics.prometheusRule.enabled=true',
      '--set',
      'metrics.prometheusRule.labels.release=prometheus',
    ]);
    const rule = findObject(objects, 'PrometheusRule')!;
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata).toMatchObject({ name: 'rel-pps-gate', namespace: 'authz' });
    expect(rule.metadata.labels).toMatchObject({ release: 'prometheus' });
    expect(rule.spec).toEqual(parse(readFileSync(RULES_FILE, 'utf8')));
  });

  it('pass promtool check rules as rendered by the chart', () => {
    const path = join(dir, 'rendered-check.yaml');
    writeFileSync(path, stringify(renderRulesSpec()));
    const result = promtool(['check', 'rules', path]);
    expect(result.output).toContain(`SUCCESS: ${alerts.length} rules found`);
    expect(result.status, result.output).toBe(0);
  });

  it('fire when they should and stay silent when they should not (promtool test rules)', () => {
    writeFileSync(join(dir, 'rendered.yaml'), stringify(renderRulesSpec()));
    writeFileSync(
      join(dir, 'cases.yaml'),
      readFileSync(CASES_FILE, 'utf8').replace('[RENDERED_RULES]', '[rendered.yaml]'),
    );
    const result = promtool(['test', 'rules', 'cases.yaml'], dir);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });

  it('are each tested firing and silent, with series that must not fire', () => {
    for (const { alert } of alerts) {
      const evals = cases.tests.flatMap((test) =>
        test.alert_rule_test
          .filter((c) => c.alertname === alert)
          .map((c) => ({ test, fired: c.exp_alerts.length })),
      );
      expect(
        evals.some((e) => e.fired > 0),
        `${alert} never fires in a test`,
      ).toBe(true);
      expect(
        evals.some((e) => e.fired === 0),
        `${alert} is never shown silent`,
      ).toBe(true);
      // Beyond an early evaluation, some input series of the firing test must stay silent.
      const firing = evals.find((e) => e.fired > 0)!.test;
      const firingSeries = firing.input_series.length;
      expect(firingSeries, `${alert}: every input series fires`).toBeGreaterThan(
        Math.max(...firing.alert_rule_test.map((c) => c.exp_alerts.length)),
      );
    }
  });

  it('promtool test rules fails when an expected alert does not fire (the test can fail)', () => {
    writeFileSync(join(dir, 'rendered.yaml'), stringify(renderRulesSpec()));
    const broken = readFileSync(CASES_FILE, 'utf8')
      .replace('[RENDERED_RULES]', '[rendered.yaml]')
      .replace("values: '0 1 2 3x15'", "values: '0 1 2 2x15'");
    writeFileSync(join(dir, 'broken.yaml'), broken);
    const result = promtool(['test', 'rules', 'broken.yaml'], dir);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('PpsGateKeyFetchFailing');
  });

  it('link a runbook section that exists for every alert, and the chart can move the link', () => {
    const runbook = readFileSync(RUNBOOK, 'utf8');
    const headings = new Set(
      [...runbook.matchAll(/^## (\S+)$/gm)].map((match) => match[1]!.toLowerCase()),
    );
    for (const { alert, annotations } of alerts) {
      expect(annotations.runbook_url).toBe(`${RUNBOOK_BASE}#${alert.toLowerCase()}`);
      expect(headings, `docs/runbook.md has no "## ${alert}"`).toContain(alert.toLowerCase());
      expect(annotations.summary).toBeTruthy();
      expect(annotations.description).toBeTruthy();
    }
    const moved = renderRulesSpec([
      '--set',
      'metrics.prometheusRule.runbookUrl=https://wiki.example.com/pps-gate',
    ]);
    const urls = moved.groups.flatMap((g) => g.rules.map((r) => r.annotations.runbook_url));
    expect(urls).toEqual(
      alerts.map((a) => `https://wiki.example.com/pps-gate#${a.alert.toLowerCase()}`),
    );
  });

  it('cover the alerts the operators asked for, each with a severity', () => {
    expect(alerts.map((a) => a.alert)).toEqual([
      'PpsGateKeyFetchFailing',
      'PpsGateKeysNearingMaxStaleness',
      'PpsGateSignatureDenySurge',
      'PpsGateRetryableDenies',
      'PpsGateConfigReloadRejected',
      'PpsGateNoReadyReplica',
      'PpsGateDedupStoreFailing',
    ]);
    for (const { alert, labels } of alerts)
      expect(['warning', 'critical'], alert).toContain(labels.severity);
  });

  it('count as retryable exactly the retryable reasons of the reasons table', () => {
    const expr = alerts.find((a) => a.alert === 'PpsGateRetryableDenies')!.expr;
    const listed = /reason=~"([^"]+)"/.exec(expr)![1]!.split('|').sort();
    expect(listed).toEqual(REASON_CODES.filter((code) => REASONS[code].retryable).sort());
  });

  it('name only reason codes that exist', () => {
    for (const { alert, expr } of alerts) {
      for (const match of expr.matchAll(/reason=~?"([^"]*)"/g))
        for (const reason of match[1]!.split('|'))
          expect(REASON_CODES as string[], `${alert}: ${reason}`).toContain(reason);
    }
  });

  it('read only metrics the gate registers (or that another issue branch adds)', () => {
    const families = gateMetricFamilies();
    for (const { alert, expr } of alerts) {
      for (const name of metricFamiliesIn(expr, families))
        expect(families.has(name), `${alert} reads ${name}, which nothing exports`).toBe(true);
    }
    // Named so the lead knows what to re-check after merging those branches.
    const pending = alerts.filter(({ expr }) =>
      metricFamiliesIn(expr, families).some((name) => METRICS_FROM_OTHER_BRANCHES.has(name)),
    );
    expect(pending.map((a) => a.alert)).toEqual(['PpsGateDedupStoreFailing']);
  });
});
