// The Grafana dashboard as shipped (the chart's files/grafana-dashboard.json), with every query
// it runs: panel targets and template variable queries.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartDir } from '../support/helm-cli.js';

export const DASHBOARD_FILE = join(chartDir, 'files', 'grafana-dashboard.json');

export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { h: number; w: number; x: number; y: number };
  readonly datasource?: { type: string; uid: string };
  readonly targets?: readonly { refId: string; expr: string; legendFormat?: string }[];
}

export interface TemplateVariable {
  readonly name: string;
  readonly type: string;
  readonly query: string | { query: string };
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly templating: { list: readonly TemplateVariable[] };
}

export interface PanelQuery {
  /** "panel title / refId" */
  readonly where: string;
  readonly expr: string;
}

export function loadDashboard(text = readFileSync(DASHBOARD_FILE, 'utf8')): Dashboard {
  return JSON.parse(text) as Dashboard;
}

export function panelQueries(dashboard: Dashboard): PanelQuery[] {
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({ where: `${panel.title} / ${t.refId}`, expr: t.expr })),
  );
}

/** label_values(selector, label) variable queries, parsed. */
export function variableQueries(
  dashboard: Dashboard,
): { name: string; selector: string; label: string }[] {
  return dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => {
      const text = typeof v.query === 'string' ? v.query : v.query.query;
      const match = /^label_values\((.+),\s*(\w+)\)$/.exec(text);
      if (match === null) throw new Error(`variable ${v.name}: not label_values(...): ${text}`);
      return { name: v.name, selector: match[1]!, label: match[2]! };
    });
}
