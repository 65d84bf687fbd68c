// The benchmark's report: medians over rounds, ratios to each case's baseline from the same run,
// latency, server CPU per call, RSS at rest, token-cache counts; true if any call failed.
const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r) =>
    `| ${r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  return [
    line(rows[0]),
    `|${widths.map((w, i) => (i === 0 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

const sumMetric = (text, name, labels = '') =>
  text
    .split('\n')
    .filter((l) => l.startsWith(name) && l.includes(labels))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);

export function printReport({ cases, restingRss, servers, metrics, machine, rounds }) {
  const summary = new Map(
    cases.map((c) => [
      c.id,
      {
        ...c,
        throughput: median(c.rounds.map((r) => r.throughput)),
        p50: median(c.rounds.map((r) => r.p50)),
        p99: median(c.rounds.map((r) => r.p99)),
        cpu: median(c.rounds.map((r) => r.cpuMicrosPerCall)),
        done: c.rounds.reduce((s, r) => s + r.done, 0),
        failed: c.rounds.reduce((s, r) => s + r.failed, 0),
        firstError: c.rounds.find((r) => r.firstError)?.firstError,
      },
    ]),
  );
  const rows = [
    ['case', 'req/s (median)', 'ratio', 'vs', 'p50 ms', 'p99 ms', 'server CPU µs/call', 'failed'],
  ];
  for (const s of summary.values()) {
    const base = s.vs === undefined ? undefined : summary.get(s.vs);
    const ratio =
      base === undefined
        ? '1.00'
        : s.latency
          ? `p99 x${(s.p99 / base.p99).toFixed(2)}`
          : (s.throughput / base.throughput).toFixed(2);
    rows.push([
      s.label,
      s.throughput.toFixed(0),
      ratio,
      s.vs ?? '',
      s.p50.toFixed(2),
      s.p99.toFixed(2),
      s.cpu.toFixed(0),
      `${s.failed}/${s.done}`,
    ]);
  }
  console.log(`\n${machine}; medians over ${rounds} rounds\n`);
  console.log(table(rows));
  console.log('\nRSS at rest (after warm-up, 2 s idle), MiB:');
  for (const [name, mib] of Object.entries(restingRss))
    console.log(`  ${servers[name].name.padEnd(40)} ${mib.toFixed(1)}`);
  for (const [name, text] of Object.entries(metrics)) {
    const events = (e) => sumMetric(text, 'pps_gate_token_cache_events_total', `event="${e}"`);
    const denies = sumMetric(text, 'pps_gate_decisions_total', 'decision="deny"');
    const allows = sumMetric(text, 'pps_gate_decisions_total', 'decision="allow"');
    console.log(
      `${servers[name].name}: ${allows} allows, ${denies} denies (validation sends 2 forged); token cache ${events('hit')} hits, ${events('miss')} misses, ${events('eviction')} evictions`,
    );
  }
  const failing = [...summary.values()].filter((s) => s.failed > 0);
  for (const s of failing)
    console.log(`FAILED calls in ${s.id}: ${s.failed} (${s.firstError ?? 'see tool output'})`);
  return failing.length > 0;
}
