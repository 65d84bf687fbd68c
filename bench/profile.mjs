// `npm run bench:profile -- hot|distinct|http [seconds]`: where a check's CPU time goes. Starts
// `node --cpu-prof dist/main.js serve` pinned to CPU 0 (as `npm run bench` does), loads it from
// CPU 1 for `seconds` (default 10) with one of the bench's loads (h2load with the hot token, the
// node:http2 client with a different token per call, wrk over HTTP), stops it so V8 writes the
// profile, and prints the decisions made and the functions and files with the most self time.
// Loopback only.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalIssuer } from '../dist/dev/local-issuer.js';
import { nodeGrpcClient } from './lib/cases.mjs';
import { startGateProcess, writeBenchConfig } from './lib/gate-process.mjs';
import { CHECK_PATH, checkRequest, grpcFrame } from './lib/grpc-messages.mjs';
import { loadAuthorization, messageCodec, webhookHeaders } from './lib/grpc-messages.mjs';
import { h2loadGrpc, wrkHttp } from './lib/load-tools.mjs';
import { tokenSigner } from './lib/tokens.mjs';

const LOADS = ['hot', 'distinct', 'http'];
const load = process.argv[2] ?? 'hot';
const seconds = Number(process.argv[3] ?? 10);
if (!LOADS.includes(load) || !(seconds > 0 && seconds <= 120)) {
  console.error(`usage: node bench/profile.mjs ${LOADS.join('|')} [seconds, at most 120]`);
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'pps-profile-'));
const issuer = await startLocalIssuer({ project: 'bench' });
const sign = tokenSigner(issuer, await issuer.rotate('RS256'));
const hotToken = sign('pps-webhook-sender');
const codec = messageCodec(loadAuthorization());
const frame = (token) => grpcFrame(codec.encodeRequest(checkRequest(token)));
const hotBodyFile = join(work, 'hot.bin');
writeFileSync(hotBodyFile, frame(hotToken));
const bodiesFile = join(work, 'distinct.bin');
writeFileSync(
  bodiesFile,
  Buffer.concat(Array.from({ length: 4000 }, (_, i) => frame(sign(`sender-${i}`)))),
);
// A token cache a quarter of the distinct pool, cycled in order: every distinct call misses.
const configFile = writeBenchConfig(work, issuer, { maxEntries: 1000, maxBytes: 64 * 1024 * 1024 });

// Ready means the issuer's keys are in, so the load hits the allow path from its first call;
// the loads run asynchronously, so this process (also the issuer) keeps answering key fetches.
const profiles = join(work, 'profiles');
const gate = await startGateProcess({
  cpus: '0',
  workers: 1,
  configFile,
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profiles}`],
});
const loadCpu = '1';
const result =
  load === 'hot'
    ? await h2loadGrpc({
        cpus: loadCpu,
        url: `http://127.0.0.1:${gate.grpcPort}${CHECK_PATH}`,
        bodyFile: hotBodyFile,
        clients: 2,
        streams: 32,
        seconds,
      })
    : load === 'distinct'
      ? await nodeGrpcClient({
          cpus: loadCpu,
          url: `http://127.0.0.1:${gate.grpcPort}`,
          bodiesFile,
          clients: 2,
          streams: 32,
          seconds,
        })
      : await wrkHttp({
          cpus: loadCpu,
          url: `http://127.0.0.1:${gate.httpPort}/webhooks/orders`,
          headers: webhookHeaders(hotToken),
          connections: 64,
          seconds,
        });
// What was decided: a profile of denies would be a profile of the wrong path.
const metrics = await (await fetch(`http://127.0.0.1:${gate.adminPort}/metrics`)).text();
const decisions = metrics
  .split('\n')
  .filter((line) => line.startsWith('pps_gate_decisions_total{'))
  .map((line) => line.replace(/^pps_gate_decisions_total/, ''));
await gate.stop('SIGTERM');
await issuer.close();

// --- the profile: self time per function and per file, busy time only --------------------------
const file = readdirSync(profiles).find((name) => name.endsWith('.cpuprofile'));
const profile = JSON.parse(readFileSync(join(profiles, file), 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfTime = new Map();
profile.samples.forEach((id, i) =>
  selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
);
const where = (url) =>
  url.replace(/^.*node_modules\/((?:@[^/]+\/)?[^/]+)\/.*$/, '$1').replace(/^.*\/dist\//, 'dist/');
const byFunction = new Map();
const byFile = new Map();
let busy = 0;
for (const [id, micros] of selfTime) {
  const { functionName, url, lineNumber } = nodes.get(id).callFrame;
  if (functionName === '(idle)') continue;
  busy += micros;
  const name = `${functionName || '(anonymous)'}  ${where(url) || '(native)'}${url ? `:${lineNumber + 1}` : ''}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  byFile.set(where(url) || functionName, (byFile.get(where(url) || functionName) ?? 0) + micros);
}
const top = (map, count) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => `${((100 * micros) / busy).toFixed(1).padStart(5)}%  ${name}`)
    .join('\n');
console.log(
  `load: ${load}, ${seconds} s; ${Math.round(result.throughput)} calls/s, ${result.failed} failed`,
);
console.log(`decisions: ${decisions.join('; ')}`);
console.log(`profile: ${join(profiles, file)} (open it in Chrome DevTools for the call tree)`);
console.log(`\nself time of busy CPU (idle left out), top functions:\n${top(byFunction, 30)}`);
console.log(`\nby file or package:\n${top(byFile, 20)}`);
