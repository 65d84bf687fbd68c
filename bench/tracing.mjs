// Tracing cost benchmark: one allowed check through runCheck (the path every transport calls),
// run side by side with a baseline of authorize() alone, in two phases in one process:
//   1. tracing never started (OpenTelemetry not even loaded): runCheck with no tracer vs baseline
//      -- "free when off";
//   2. after startTracing (exporting to a loopback OTLP sink): runCheck with the tracer, every
//      trace sampled, vs runCheck without it in the same process (AsyncLocalStorage now enabled).
// Rounds alternate between cases; medians and ratios to the phase's baseline. Loopback only.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { ConfigSnapshot } from '../dist/config/config-snapshot.js';
import { parseConfig } from '../dist/config/parse-config.js';
import { startLocalIssuer } from '../dist/dev/local-issuer.js';
import { KeyStore } from '../dist/issuers/key-store.js';
import { authorize } from '../dist/pipeline/authorize.js';
import { runCheck } from '../dist/pipeline/run-check.js';
import { silentLogger } from '../dist/telemetry/logger.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const PER_ROUND = Number(process.env.BENCH_ITERATIONS ?? 3000);

const issuer = await startLocalIssuer({ project: 'bench-tracing' });
const config = parseConfig(
  JSON.stringify({
    issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }],
    allowInsecureHttp: true,
  }),
  'bench',
);
const keys = new KeyStore({ logger: silentLogger });
await Promise.all(keys.applyConfig(config));
const token = await issuer.sign();
const request = {
  id: undefined,
  method: 'POST',
  path: '/webhooks',
  receivedAtMs: Date.now(),
  headers: {
    authorization: `Bearer ${token}`,
    'x-pps-topic': 'orders/placed',
    'x-pps-tenant-id': 'OU1243',
    'x-pps-webhook-id': randomUUID(),
    'x-pps-triggered-at': '2024-01-1T10:00:00.7777748Z',
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  },
};
const plain = { config: new ConfigSnapshot(config), keys, now: Date.now, observe: () => {} };

async function timeRound(fn) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) {
    const d = await fn();
    if (!d.allowed) throw new Error(`unexpected deny ${d.reason}`);
  }
  return Number(process.hrtime.bigint() - start) / PER_ROUND / 1000; // µs per op
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function phase(title, cases) {
  const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (const fn of Object.values(cases)) await timeRound(fn); // warm-up
  for (let round = 0; round < ROUNDS; round++)
    for (const [name, fn] of Object.entries(cases)) samples[name].push(await timeRound(fn));
  const baseline = median(samples[Object.keys(cases)[0]]);
  console.log(`\n${title}`);
  for (const [name, xs] of Object.entries(samples)) {
    const m = median(xs);
    console.log(
      `  ${name.padEnd(58)} ${m.toFixed(2).padStart(8)} µs   x${(m / baseline).toFixed(3)}`,
    );
  }
}

console.log(
  `${ROUNDS} rounds x ${PER_ROUND} allowed checks, Node ${process.version}; medians (µs/op)`,
);
await phase('phase 1: tracing off (OpenTelemetry never loaded)', {
  'baseline: authorize() alone': () => authorize(request, plain),
  'runCheck(), no tracer': () => runCheck(request, 'grpc', plain),
});

// A loopback OTLP sink that accepts and drops every export.
const sink = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end('{}')));
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
const { startTracing } = await import('../dist/telemetry/tracing.js');
const tracer = await startTracing({
  endpoint: `http://127.0.0.1:${sink.address().port}/v1/traces`,
});
const traced = { ...plain, tracer };
await phase('phase 2: tracing on (every trace sampled, exported over loopback)', {
  'runCheck(), no tracer (AsyncLocalStorage enabled)': () => runCheck(request, 'grpc', plain),
  'runCheck(), tracer: check + key lookup + verify spans': () => runCheck(request, 'grpc', traced),
});
await tracer.shutdown();
sink.close();
keys.close();
await issuer.close();
process.exit(0);
