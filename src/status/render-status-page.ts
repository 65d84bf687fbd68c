// The admin port's GET /: one server-rendered HTML page for an operator who port-forwards into a
// pod. No script, no framework, every dynamic string escaped; it refreshes itself every 10 s.
import { DECISION_OUTCOMES } from '../telemetry/decision-counts.js';
import { escapeHtml as esc } from './escape-html.js';
import type { IssuerStatus, StatusView } from './status-view.js';

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1d2330;background:#fafbfc}
h1{font-size:1.4rem;margin:0 0 .2rem}h2{font-size:1.1rem;margin:1.6rem 0 .5rem}
table{border-collapse:collapse;background:#fff}th,td{border:1px solid #d8dde6;padding:.3rem .55rem;text-align:left;vertical-align:top}
th{background:#eef1f6;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#17692f;font-weight:600}.warn{color:#8a5a00;font-weight:600}.bad{color:#b3261e;font-weight:600}
code{font-size:.9em}.muted{color:#667085}`;

function duration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function when(atMs: number | undefined, nowMs: number): string {
  if (atMs === undefined) return '<span class="muted">never</span>';
  const iso = new Date(atMs).toISOString();
  const rel = atMs <= nowMs ? `${duration(nowMs - atMs)} ago` : `in ${duration(atMs - nowMs)}`;
  return `<time datetime="${esc(iso)}">${esc(rel)}</time>`;
}

/** ok / stale / failing: what an operator needs first about an issuer. */
export function issuerHealth(issuer: IssuerStatus): 'ok' | 'stale' | 'failing' {
  if (!issuer.usable || issuer.lastFetch?.result === 'failure') return 'failing';
  return issuer.stale ? 'stale' : 'ok';
}

const HEALTH_CLASS = { ok: 'ok', stale: 'warn', failing: 'bad' } as const;

function issuerRow(issuer: IssuerStatus, nowMs: number): string {
  const health = issuerHealth(issuer);
  const keys =
    issuer.keys.length === 0
      ? '<span class="muted">none</span>'
      : issuer.keys
          .map((k) => `<code>${esc(k.kid)}</code>${k.alg ? ` ${esc(k.alg)}` : ''}`)
          .join('<br>');
  const last =
    issuer.lastFetch === undefined
      ? '<span class="muted">not yet</span>'
      : `<span class="${issuer.lastFetch.result === 'success' ? 'ok' : 'bad'}">${issuer.lastFetch.result}</span> ${when(issuer.lastFetch.atMs, nowMs)}` +
        (issuer.consecutiveFailures > 0 ? ` (${issuer.consecutiveFailures} in a row)` : '');
  return `<tr data-issuer="${esc(issuer.issuer)}" data-health="${health}">
<td><code>${esc(issuer.issuer)}</code>${issuer.jwksUri ? `<br><span class="muted">${esc(issuer.jwksUri)}</span>` : ''}</td>
<td class="${HEALTH_CLASS[health]}">${health}${issuer.usable ? '' : ' (no usable keys: 503)'}</td>
<td>${keys}</td>
<td>${issuer.ageMs === undefined ? '<span class="muted">-</span>' : esc(duration(issuer.ageMs))}</td>
<td>${last}</td>
<td>${when(issuer.nextRefreshAtMs, nowMs)}</td></tr>`;
}

function decisionsTable(view: StatusView): string {
  const minutes = view.decisions;
  const seen = DECISION_OUTCOMES.filter(
    (outcome) => outcome === 'allow' || minutes.some((m) => (m.counts[outcome] ?? 0) > 0),
  );
  const head = minutes
    .map((m) => `<th>${esc(new Date(m.startMs).toISOString().slice(11, 16))}</th>`)
    .join('');
  const rows = seen
    .map((outcome) => {
      const cells = minutes.map((m) => m.counts[outcome] ?? 0);
      const total = cells.reduce((a, b) => a + b, 0);
      return `<tr data-outcome="${esc(outcome)}"><th>${esc(outcome)}</th>${cells
        .map((c) => `<td class="n">${c === 0 ? '' : c}</td>`)
        .join('')}<td class="n">${total}</td></tr>`;
    })
    .join('\n');
  return `<table id="decisions"><tr><th>outcome (UTC minute)</th>${head}<th>total</th></tr>\n${rows}</table>`;
}

export function renderStatusPage(view: StatusView): string {
  const { config, readiness, nowMs } = view;
  const ready = readiness.ready
    ? '<span class="ok">ready</span>'
    : `<span class="bad">not ready</span> (waiting for ${esc(readiness.waitingFor.join(', '))})`;
  const reload =
    config.lastReload === undefined
      ? '<span class="muted">none since start</span>'
      : `<span class="${config.lastReload.result === 'success' || config.lastReload.result === 'unchanged' ? 'ok' : 'bad'}">${esc(config.lastReload.result)}</span> ${when(config.lastReload.atMs, nowMs)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="10">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>pps-gate status</title><style>${STYLE}</style></head>
<body>
<h1>pps-gate <span class="muted">${esc(view.version)}</span></h1>
<p id="readiness">${ready} &middot; ${esc(new Date(nowMs).toISOString())}</p>
<h2>Config</h2>
<table id="config">
<tr><th>source</th><td>${esc(config.source)}</td></tr>
<tr><th>hash</th><td><code>${config.hash === undefined ? 'none loaded yet' : esc(config.hash)}</code></td></tr>
<tr><th>loaded</th><td>${when(config.loadedAtMs, nowMs)}</td></tr>
<tr><th>last reload</th><td>${reload}</td></tr>
</table>
<h2>Issuers</h2>
<table id="issuers"><tr><th>issuer</th><th>state</th><th>key ids</th><th>key age</th><th>last fetch</th><th>next refresh</th></tr>
${view.issuers.map((issuer) => issuerRow(issuer, nowMs)).join('\n')}
</table>
<h2>Decisions, last ${view.decisions.length} minutes</h2>
${decisionsTable(view)}
<p class="muted">JSON: <a href="/keys">/keys</a> &middot; <a href="/config">/config</a> &middot; <a href="/metrics">/metrics</a> &middot; <a href="/readyz">/readyz</a></p>
</body></html>
`;
}
