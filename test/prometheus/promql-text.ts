// Small, honest PromQL text operations for the dashboard/alert tests: substitute Grafana's
// variables, find the labels an expression names, and turn every comparison into its `bool`
// form (so an alert's expression returns its 0/1 series whether or not it would fire).

/** Grafana variables as a test dashboard would resolve them. */
export function resolveVariables(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(/\$(__rate_interval|\w+)/g, (whole, name: string) => values[name] ?? whole);
}

/** Calls `visit` on each stretch of the expression outside "..." strings and {...} matchers. */
function outsideMatchers(expr: string, visit: (text: string) => string): string {
  let out = '';
  let plain = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i]!;
    if (quoted) {
      out += ch;
      if (ch === '\\') out += expr[++i] ?? '';
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"' || (ch === '{' && depth === 0)) {
      out += visit(plain);
      plain = '';
      if (ch === '"') quoted = true;
      else depth++;
      out += ch;
      continue;
    }
    if (depth > 0) {
      if (ch === '}') depth--;
      out += ch;
      continue;
    }
    plain += ch;
  }
  return out + visit(plain);
}

const COMPARISON = /(==|!=|>=|<=|>|<)(\s*)(?!\s*bool\b)/g;

/** `a > 0.5 and b == 1` becomes `a > bool 0.5 and b == bool 1`. */
export function boolComparisons(expr: string): string {
  return outsideMatchers(expr, (text) =>
    text.replace(COMPARISON, (_whole, op: string, space: string) => `${op} bool${space || ' '}`),
  );
}

/** Label names an expression refers to: matchers, by/without and on/ignoring lists. */
export function labelNamesIn(expr: string): string[] {
  const names = new Set<string>();
  for (const matchers of expr.matchAll(/\{([^}]*)\}/g))
    for (const m of matchers[1]!.matchAll(/([a-zA-Z_]\w*)\s*(=~|!~|!=|=)/g)) names.add(m[1]!);
  for (const list of expr.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g))
    for (const name of list[1]!.split(',')) if (name.trim() !== '') names.add(name.trim());
  return [...names];
}

/** Labels Prometheus adds (job, instance) or Kubernetes service discovery relabels onto a target. */
export const TARGET_LABELS: ReadonlySet<string> = new Set([
  'job',
  'instance',
  'namespace',
  'pod',
  'service',
  'container',
  'endpoint',
]);
