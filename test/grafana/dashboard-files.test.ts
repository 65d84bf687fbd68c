// The Grafana dashboard as files: deploy/grafana is the chart's file byte for byte, the chart ships
// it (opt-in) in a ConfigMap Grafana's sidecar picks up, and the JSON is a sound dashboard.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findObject, installTools, renderChart, repoRoot } from '../support/helm-cli.js';
import { DASHBOARD_FILE, loadDashboard, panelQueries } from './dashboard.js';

const DEPLOY_COPY = join(repoRoot, 'deploy', 'grafana', 'pps-gate.json');

beforeAll(() => {
  installTools();
});

describe('the Grafana dashboard files', () => {
  const dashboard = loadDashboard();

  it('ship in deploy/grafana as a byte-for-byte copy of the chart file', () => {
    expect(readFileSync(DEPLOY_COPY, 'utf8')).toBe(readFileSync(DASHBOARD_FILE, 'utf8'));
  });

  it('render as a ConfigMap labelled grafana_dashboard: "1" only when enabled', () => {
    expect(
      renderChart('default-values.yaml').filter((o) => o.metadata.name.endsWith('-dashboard')),
    ).toEqual([]);
    const objects = renderChart('default-values.yaml', [
      '--set',
      'metrics.grafanaDashboard.enabled=true',
      '--set',
      'metrics.grafanaDashboard.namespace=monitoring',
      '--set',
      'metrics.grafanaDashboard.annotations.grafana_folder=pps-gate',
    ]);
    const configMap = findObject(objects, 'ConfigMap', 'rel-pps-gate-dashboard')!;
    expect(configMap.metadata.namespace).toBe('monitoring');
    expect(configMap.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    expect(configMap.metadata.annotations).toEqual({ grafana_folder: 'pps-gate' });
    const data = configMap.data as Record<string, string>;
    expect(Object.keys(data)).toEqual(['pps-gate.json']);
    expect(JSON.parse(data['pps-gate.json']!)).toEqual(dashboard);
  });

  it('has unique panel ids, a stable uid, and panels that do not overlap', () => {
    expect(dashboard.uid).toBe('pps-gate');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const { gridPos, title } of dashboard.panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++)
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  it('queries the data source variable and scopes every query to $namespace and $job', () => {
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row'))
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
    for (const { where, expr } of panelQueries(dashboard)) {
      for (const selector of expr.match(/pps_gate_\w+\{[^}]*\}/g) ?? [])
        expect(selector, where).toMatch(/namespace=~"\$namespace", job=~"\$job"/);
      expect(expr, where).not.toMatch(/pps_gate_\w+(?!\{|\w)/);
    }
  });
});
