// `npm run bench`: pps-gate against the floors it is measured by, side by side in one run.
// Servers are separate processes pinned with taskset; load generators (h2load, wrk, and a lean
// node:http2 client where every call needs its own token) run pinned to the other core. Rounds
// interleave the cases (the starting case rotates); the report gives medians over rounds and
// each case's ratio to its baseline from the same run. Every server's answers are checked to be
// real allows (and pps-gate's real denies for a forged token) before any timing. Loopback only.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { startLocalIssuer } from '../dist/dev/local-issuer.js';
import { checkRequest, grpcFrame, loadAuthorization, messageCodec } from './lib/grpc-messages.mjs';
import { webhookHeaders, notAnAllow } from './lib/grpc-messages.mjs';
import { freePort, rssMiB, startPinned } from './lib/processes.mjs';
import { tokenSigner } from './lib/tokens.mjs';
import { buildCases } from './lib/cases.mjs';
import { printReport } from './lib/report.mjs';
import { startGateProcess, writeBenchConfig } from './lib/gate-process.mjs';

const env = process.env;
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(env.BENCH_SECONDS ?? 5);
const ONLY = env.BENCH_ONLY?.split(',');
const DISTINCT_TOKENS = Number(env.BENCH_DISTINCT_TOKENS ?? 4000);
// Fewer cache entries than distinct tokens, cycled in order: every distinct call misses.
const CACHE_ENTRIES = Math.floor(DISTINCT_TOKENS / 4);
const SERVER_CPU = env.BENCH_SERVER_CPU ?? '0';
const LOAD_CPU = env.BENCH_LOAD_CPU ?? '1';
const ALL_CPUS = `0-${availableParallelism() - 1}`;

const work = mkdtempSync(join(tmpdir(), 'pps-bench-'));
const issuer = await startLocalIssuer({ project: 'bench' });
const signingKey = await issuer.rotate('RS256');
const signToken = tokenSigner(issuer, signingKey);
const hotToken = signToken('pps-webhook-sender');
const distinctTokens = Array.from({ length: DISTINCT_TOKENS }, (_, i) => signToken(`sender-${i}`));
const forged = `${hotToken.slice(0, -8)}AAAAAAAA`;

const Authorization = loadAuthorization();
const codec = messageCodec(Authorization);
const hotBody = grpcFrame(codec.encodeRequest(checkRequest(hotToken)));
const hotBodyFile = join(work, 'hot.bin');
writeFileSync(hotBodyFile, hotBody);
const distinctFile = join(work, 'distinct.bin');
writeFileSync(
  distinctFile,
  Buffer.concat(distinctTokens.map((t) => grpcFrame(codec.encodeRequest(checkRequest(t))))),
);
const configFile = writeBenchConfig(work, issuer, {
  maxEntries: CACHE_ENTRIES,
  maxBytes: 64 * 1024 * 1024,
});

// --- servers -----------------------------------------------------------------------------------
const gate = (cpus, workers) => startGateProcess({ cpus, workers, configFile });
const servers = {
  gate: await gate(SERVER_CPU, 1),
  gate1: await gate(ALL_CPUS, 1),
  gate2: await gate(ALL_CPUS, 2),
};
const grpcUnary = (port, request) =>
  new Promise((resolve, reject) => {
    const client = new Authorization(`127.0.0.1:${port}`, credentials.createInsecure());
    client.Check(request, { deadline: Date.now() + 5000 }, (error, response) => {
      client.close();
      return error ? reject(error) : resolve(response);
    });
  });
const gateAllow = await grpcUnary(servers.gate.grpcPort, checkRequest(hotToken));
const responseFile = join(work, 'floor-response.json');
writeFileSync(responseFile, JSON.stringify(gateAllow));
const floorPort = await freePort();
const httpNoopPort = await freePort();
const fastifyPort = await freePort();
servers.floor = {
  ...(await startPinned('floor', SERVER_CPU, [
    'bench/servers/floor-grpc.mjs',
    floorPort,
    responseFile,
  ])),
  grpcPort: floorPort,
};
servers.httpNoop = {
  ...(await startPinned('http-noop', SERVER_CPU, ['bench/servers/http-noop.mjs', httpNoopPort])),
  httpPort: httpNoopPort,
};
servers.fastify = {
  ...(await startPinned('fastify-jose', SERVER_CPU, [
    'bench/servers/fastify-jose.mjs',
    fastifyPort,
    issuer.issuer,
    issuer.audience,
    issuer.jwksUri,
  ])),
  httpPort: fastifyPort,
};

// --- validation before timing: real allows, real denies ------------------------------------------
async function validate() {
  for (const name of ['gate', 'gate1', 'gate2', 'floor']) {
    const port = servers[name].grpcPort;
    for (const token of [hotToken, distinctTokens[0]]) {
      const problem = notAnAllow(await grpcUnary(port, checkRequest(token)));
      if (problem !== undefined) throw new Error(`${name} gRPC: ${problem}`);
    }
    if (name !== 'floor') {
      const denied = await grpcUnary(port, checkRequest(forged));
      if (denied.status?.code !== 16 || denied.status.message !== 'invalid_signature')
        throw new Error(`${name} does not deny a forged token: ${JSON.stringify(denied.status)}`);
    }
  }
  const headers = webhookHeaders(hotToken);
  const get = (port, h) => fetch(`http://127.0.0.1:${port}/webhooks/orders`, { headers: h });
  const gateHttp = await get(servers.gate.httpPort, headers);
  if (gateHttp.status !== 200 || gateHttp.headers.get('x-pps-auth-subject') === null)
    throw new Error(`pps-gate HTTP: ${gateHttp.status}`);
  const fastify = await get(servers.fastify.httpPort, headers);
  if (fastify.status !== 200 || fastify.headers.get('x-auth-subject') !== 'pps-webhook-sender')
    throw new Error(`fastify+jose: ${fastify.status}`);
  const forgedHeaders = { ...headers, authorization: `Bearer ${forged}` };
  for (const port of [servers.gate.httpPort, servers.fastify.httpPort]) {
    const answer = await get(port, forgedHeaders);
    if (answer.status < 400) throw new Error(`HTTP port ${port} allows a forged token`);
  }
  if ((await get(servers.httpNoop.httpPort, headers)).status !== 200)
    throw new Error('node:http no-op does not answer 200');
}
await validate();

const machine = `${new Date().toISOString()}; ${cpus()[0]?.model ?? 'cpu'} x${availableParallelism()}; Node ${process.version}; load average ${loadavg()
  .map((l) => l.toFixed(2))
  .join(
    ' ',
  )}; servers on CPU ${SERVER_CPU}, load on CPU ${LOAD_CPU} (worker cases: both on ${ALL_CPUS})`;
console.log(`pps-gate bench: ${ROUNDS} rounds x ${SECONDS} s per case\n${machine}`);

const cases = buildCases({
  servers,
  hotBodyFile,
  distinctFile,
  hotHeaders: webhookHeaders(hotToken),
  seconds: SECONDS,
  serverCpu: SERVER_CPU,
  loadCpu: LOAD_CPU,
  allCpus: ALL_CPUS,
}).filter((c) => ONLY === undefined || ONLY.some((id) => c.id.startsWith(id)));

// Warm-up (JIT, caches, connections), then rest, then memory at rest.
for (const c of cases) await c.run(Math.min(2, SECONDS));
await new Promise((resolve) => setTimeout(resolve, 2000));
const restingRss = Object.fromEntries(
  Object.entries(servers).map(([name, server]) => [name, rssMiB(server.pid)]),
);

const startedAt = Date.now();
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < cases.length; i++) {
    const c = cases[(i + round) % cases.length];
    c.rounds.push(await c.run(SECONDS));
  }
  console.log(`  round ${round + 1}/${ROUNDS} (${((Date.now() - startedAt) / 1000).toFixed(0)} s)`);
}
const metrics = {};
for (const name of ['gate', 'gate1', 'gate2'])
  metrics[name] = await (await fetch(`http://127.0.0.1:${servers[name].adminPort}/metrics`)).text();
const failed = printReport({ cases, restingRss, servers, metrics, machine, rounds: ROUNDS });

for (const server of Object.values(servers)) await server.stop();
await issuer.close();
rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
