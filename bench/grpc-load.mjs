// Server-level load benchmark: pps-gate's real gRPC ext_authz server (startGate) against a
// baseline plain @grpc/grpc-js server on the same protos whose Check answers a fixed allow without
// verifying anything (the gRPC framework floor). Each server runs in its own child process
// (bench/grpc-load-server.mjs, via child_process.fork); the load client runs here, keeping a fixed
// number of calls in flight. Rounds alternate between the cases; the report gives medians over
// rounds and the ratio to the baseline at the same concurrency. Loopback only.
//
//   npm run build && node bench/grpc-load.mjs
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { credentials, makeGenericClientConstructor } from '@grpc/grpc-js';
import { startLocalIssuer } from '../dist/dev/local-issuer.js';
import { loadGateProtos } from '../dist/transport/grpc/load-protos.js';

const env = process.env;
const ROUNDS = Number(env.BENCH_ROUNDS ?? 5);
const CALLS = Number(env.BENCH_CALLS ?? 5000); // per round, at most
const ROUND_SECONDS = Number(env.BENCH_ROUND_SECONDS ?? 10); // per round, at most
const WARMUP_CALLS = Number(env.BENCH_WARMUP_CALLS ?? 2000); // per case, once, not measured
const CONCURRENCY = (env.BENCH_CONCURRENCY ?? '16,64').split(',').map(Number);
const CPU_PROF_DIR = env.BENCH_CPU_PROF; // a directory: pps-gate's child runs with --cpu-prof
const WITH_METRICS = env.BENCH_GATE_METRICS === '1'; // pps-gate with Prometheus metrics, as `serve`
const CALL_DEADLINE_MS = 10_000;
const SERVER_SCRIPT = fileURLToPath(new URL('./grpc-load-server.mjs', import.meta.url));

for (const [name, value] of Object.entries({ ROUNDS, CALLS, ROUND_SECONDS, WARMUP_CALLS })) {
  if (!Number.isFinite(value) || value < 0) throw new Error(`BENCH_${name} must be a number >= 0`);
}
if (CONCURRENCY.some((n) => !Number.isInteger(n) || n < 1))
  throw new Error('BENCH_CONCURRENCY must be a comma-separated list of integers >= 1');

/** Forks a server child, sends it `start`, and resolves once it listens. */
async function startServer(name, startMessage, execArgv = []) {
  const child = fork(SERVER_SCRIPT, [], {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = [];
  let stopping = false;
  const fail = (error) => {
    for (const w of waiting.splice(0)) w.reject(error);
  };
  child.on('message', (message) => {
    if (message.type === 'error') return fail(new Error(`${name} server: ${message.message}`));
    const index = waiting.findIndex((w) => w.type === message.type);
    if (index >= 0) waiting.splice(index, 1)[0].resolve(message);
  });
  child.on('exit', (code, signal) => {
    if (!stopping) fail(new Error(`${name} server exited (${code ?? signal})`));
  });
  const ask = (message, type) =>
    new Promise((resolve, reject) => {
      waiting.push({ type, resolve, reject });
      child.send(message);
    });
  const ready = await ask(startMessage, 'ready');
  return {
    name,
    port: ready.port,
    keys: ready.keys,
    usage: () => ask({ type: 'usage' }, 'usage'),
    stop: () =>
      new Promise((resolve) => {
        stopping = true;
        child.once('exit', resolve);
        child.send({ type: 'stop' });
      }),
  };
}

function webhookRequest(token) {
  return {
    attributes: {
      request: {
        http: {
          id: randomUUID(),
          method: 'POST',
          path: '/webhooks/orders',
          headers: {
            ':method': 'POST',
            ':path': '/webhooks/orders',
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            'x-pps-topic': 'orders/placed',
            'x-pps-tenant-id': 'OU1243',
            'x-pps-webhook-id': randomUUID(),
            'x-pps-triggered-at': '2024-01-1T10:00:00.7777748Z',
          },
        },
      },
    },
  };
}

function connect(Authorization, port) {
  const client = new Authorization(`127.0.0.1:${port}`, credentials.createInsecure());
  return new Promise((resolve, reject) =>
    client.waitForReady(Date.now() + 5000, (error) => (error ? reject(error) : resolve(client))),
  );
}

const check = (client, request) =>
  new Promise((resolve, reject) =>
    client.Check(request, { deadline: Date.now() + CALL_DEADLINE_MS }, (error, response) =>
      error ? reject(error) : resolve(response),
    ),
  );

const percentile = (sorted, p) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Keeps `concurrency` calls in flight until `calls` were issued or `ROUND_SECONDS` passed, then
 * waits for the rest. Every answer is checked with `accept`; gRPC errors and wrong answers count
 * as errors.
 */
function loadRound(client, request, accept, concurrency, calls) {
  return new Promise((resolve) => {
    const latencies = new Float64Array(calls);
    let issued = 0;
    let inFlight = 0;
    let errors = 0;
    let firstError;
    const start = process.hrtime.bigint();
    const stopAt = start + BigInt(Math.round(ROUND_SECONDS * 1e9));
    const finish = () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const sorted = latencies.subarray(0, issued).sort();
      resolve({
        calls: issued,
        seconds,
        throughput: issued / seconds,
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        errors,
        firstError,
      });
    };
    const issue = () => {
      if (issued >= calls || process.hrtime.bigint() >= stopAt) {
        if (inFlight === 0) finish();
        return;
      }
      const slot = issued++;
      inFlight++;
      const sent = process.hrtime.bigint();
      client.Check(request, { deadline: Date.now() + CALL_DEADLINE_MS }, (error, response) => {
        latencies[slot] = Number(process.hrtime.bigint() - sent) / 1e6; // ms
        inFlight--;
        const problem = error ? `${error.code} ${error.details}` : accept(response);
        if (problem !== undefined) {
          errors++;
          firstError ??= problem;
        }
        issue();
      });
    };
    for (let i = 0; i < concurrency && i < calls; i++) issue();
    if (calls === 0) finish();
  });
}

const cpuMicros = (usage) => usage.user + usage.system;

// --- set-up: issuers and tokens here, servers in their own processes -------------------------
const protos = loadGateProtos();
// The load client sends pre-encoded requests (encoded once, the same bytes every call) so that
// the client, which shares this machine's cores with the servers, spends less per call; answers
// are still decoded in full and checked.
const checkMethod = protos.authorization.service.Check;
const encode = (request) => checkMethod.requestSerialize(request);
const PreEncodedAuthorization = makeGenericClientConstructor(
  { Check: { ...checkMethod, requestSerialize: (bytes) => bytes } },
  'PreEncodedAuthorization',
);
const issuer = await startLocalIssuer({ project: 'bench' });
const stranger = await startLocalIssuer({ project: 'stranger' });
const allowRequest = encode(webhookRequest(await issuer.sign()));
const untrustedRequest = encode(webhookRequest(await stranger.sign()));

const gate = await startServer(
  'pps-gate',
  {
    type: 'start',
    kind: 'gate',
    issuer: issuer.issuer,
    audience: issuer.audience,
    withMetrics: WITH_METRICS,
  },
  CPU_PROF_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`],
);
if (!gate.keys?.[0]?.usable)
  throw new Error(`pps-gate has no usable keys: ${JSON.stringify(gate.keys)}`);
const gateClient = await connect(PreEncodedAuthorization, gate.port);

// The baseline answers pps-gate's own allow for this request, byte for byte the same message, so
// both servers encode the same response and only the work in between differs.
const allowResponse = await check(gateClient, allowRequest);
if (allowResponse.status?.code !== 0)
  throw new Error(`pps-gate denied: ${JSON.stringify(allowResponse)}`);
const baseline = await startServer('baseline', {
  type: 'start',
  kind: 'baseline',
  response: allowResponse,
});
const baselineClient = await connect(PreEncodedAuthorization, baseline.port);
const echoed = await check(baselineClient, allowRequest);
if (JSON.stringify(echoed) !== JSON.stringify(allowResponse))
  throw new Error('baseline does not answer the same allow as pps-gate');

const isAllow = (response) =>
  response?.status?.code === 0 && response.http_response === 'ok_response'
    ? undefined
    : `not an allow: ${JSON.stringify(response?.status)}`;
const isUntrustedDeny = (response) =>
  response?.status?.code === 16 && response.status.message === 'untrusted_issuer'
    ? undefined
    : `not an untrusted_issuer deny: ${JSON.stringify(response?.status)}`;

const kinds = [
  {
    label: 'baseline: grpc-js, fixed allow',
    server: baseline,
    client: baselineClient,
    request: allowRequest,
    accept: isAllow,
  },
  {
    label: 'pps-gate: allow (RS256, cached key)',
    server: gate,
    client: gateClient,
    request: allowRequest,
    accept: isAllow,
  },
  {
    label: 'pps-gate: deny untrusted issuer',
    server: gate,
    client: gateClient,
    request: untrustedRequest,
    accept: isUntrustedDeny,
  },
];
const cases = CONCURRENCY.flatMap((concurrency) =>
  kinds.map((kind) => ({ ...kind, concurrency, rounds: [], rss: NaN })),
);

async function measure(c, calls) {
  const serverBefore = await c.server.usage();
  const clientBefore = process.cpuUsage();
  const result = await loadRound(c.client, c.request, c.accept, c.concurrency, calls);
  const clientCpu = cpuMicros(process.cpuUsage(clientBefore));
  const serverAfter = await c.server.usage();
  const serverCpu = cpuMicros(serverAfter.cpu) - cpuMicros(serverBefore.cpu);
  c.rss = serverAfter.memory.rss;
  return {
    ...result,
    serverCpuPerCall: serverCpu / result.calls,
    // CPU time over wall time (the server's includes libuv's pool, where RS256 verifies run).
    serverBusy: serverCpu / 1e6 / result.seconds,
    clientBusy: clientCpu / 1e6 / result.seconds,
  };
}

const started = Date.now();
console.log(
  `grpc-load: ${ROUNDS} rounds x ${cases.length} cases (concurrency ${CONCURRENCY.join(', ')}), each at most ${CALLS} calls or ${ROUND_SECONDS} s; ` +
    `Node ${process.version}, ${availableParallelism()} cores${WITH_METRICS ? ', pps-gate with metrics' : ''}`,
);
for (const c of cases) await measure(c, Math.min(WARMUP_CALLS, CALLS)); // warm-up, JIT, buffers
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the starting case each round so no case always follows the same one.
  for (let i = 0; i < cases.length; i++) {
    const c = cases[(i + round) % cases.length];
    c.rounds.push(await measure(c, CALLS));
  }
  process.stdout.write(
    `  round ${round + 1}/${ROUNDS} done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
  );
}

// --- report -------------------------------------------------------------------------------------
const summary = cases.map((c) => ({
  ...c,
  throughput: median(c.rounds.map((r) => r.throughput)),
  p50: median(c.rounds.map((r) => r.p50)),
  p99: median(c.rounds.map((r) => r.p99)),
  serverCpu: median(c.rounds.map((r) => r.serverCpuPerCall)),
  serverBusy: median(c.rounds.map((r) => r.serverBusy)),
  clientBusy: median(c.rounds.map((r) => r.clientBusy)),
  calls: c.rounds.reduce((sum, r) => sum + r.calls, 0),
  errors: c.rounds.reduce((sum, r) => sum + r.errors, 0),
  firstError: c.rounds.find((r) => r.firstError !== undefined)?.firstError,
}));
const baselineOf = (c) =>
  summary.find((s) => s.server === baseline && s.concurrency === c.concurrency);
const rows = [
  [
    'case',
    'in flight',
    'checks/s (median)',
    'ratio',
    'p50 ms',
    'p99 ms',
    'server CPU µs/check',
    'server busy',
    'client busy',
    'errors',
    'server RSS MiB',
  ],
  ...summary.map((s) => [
    s.label,
    String(s.concurrency),
    s.throughput.toFixed(0),
    `x${(s.throughput / baselineOf(s).throughput).toFixed(2)}`,
    s.p50.toFixed(2),
    s.p99.toFixed(2),
    s.serverCpu.toFixed(0),
    `${(s.serverBusy * 100).toFixed(0)}%`,
    `${(s.clientBusy * 100).toFixed(0)}%`,
    `${s.errors}/${s.calls}`,
    (s.rss / 1048576).toFixed(1),
  ]),
];
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
const line = (r) =>
  `| ${r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
console.log(
  `\n${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${availableParallelism()} cores; medians over ${ROUNDS} rounds\n`,
);
console.log(line(rows[0]));
console.log(
  `|${widths.map((w, i) => (i === 0 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`,
);
for (const r of rows.slice(1)) console.log(line(r));
console.log(
  '\nratio: throughput over the baseline throughput at the same concurrency. busy: CPU time over wall time ' +
    '(100% = one core); a client near 100% means the client, not the server, is the limit. ' +
    'RSS: the server child after its last round (pps-gate serves both of its cases from one process).',
);
for (const s of summary.filter((x) => x.firstError !== undefined))
  console.log(`first error, ${s.label} @${s.concurrency}: ${s.firstError}`);
console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);

gateClient.close();
baselineClient.close();
await Promise.all([gate.stop(), baseline.stop()]);
await Promise.all([issuer.close(), stranger.close()]);
if (CPU_PROF_DIR !== undefined) console.log(`pps-gate CPU profile written to ${CPU_PROF_DIR}/`);
process.exit(summary.some((s) => s.errors > 0) ? 1 : 0);
