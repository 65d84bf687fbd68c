// The alert rules as shipped: the chart's files/prometheus-rules.yaml, parsed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { chartDir } from '../support/helm-cli.js';

export const RULES_FILE = join(chartDir, 'files', 'prometheus-rules.yaml');

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

export interface RulesDocument {
  readonly groups: readonly { readonly name: string; readonly rules: readonly AlertRule[] }[];
}

export function loadAlertRules(text = readFileSync(RULES_FILE, 'utf8')): AlertRule[] {
  return (parse(text) as RulesDocument).groups.flatMap((group) => group.rules);
}
