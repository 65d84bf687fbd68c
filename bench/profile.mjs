// `npm run bench:profile -- hot|distinct|http [seconds]`: where a check's CPU time goes. Starts
// `node --cpu-prof dist/main.js serve` pinned to CPU 0 (as `npm run bench` does), loads it from
// CPU 1 for `seconds` (default 10) with one of the bench's loads (h2load with the hot token, the
// node:http2 client with a different token per call, wrk over HTTP), stops it so V8 writes the
// profile, and prints the functions and files with the most self time. Loopback only.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalIssuer } from '../dist/dev/local-issuer.js';
import { CHECK_PATH, checkRequest, grpcFrame } from './lib/grpc-messages.mjs';
import { loadAuthorization, messageCodec, webhookHeaders } from './lib/grpc-messages.mjs';
import { freePort, startPinned } from './lib/processes.mjs';
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
writeFileSync(join(work, 'hot.bin'), frame(hotToken));
const distinct = Array.from({ length: 4000 }, (_, i) => frame(sign(`sender-${i}`)));
writeFileSync(join(work, 'distinct.bin'), Buffer.concat(distinct));
// A token cache a quarter of the distinct pool, cycled in order: every distinct call misses.
const config = {
  issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }],
  allowInsecureHttp: true,
  tokenCache: { maxEntries: 1000, maxBytes: 64 * 1024 * 1024 },
};
writeFileSync(join(work, 'config.json'), JSON.stringify(config));

const [grpcPort, httpPort, adminPort] = [await freePort(), await freePort(), await freePort()];
const profiles = join(work, 'profiles');
const gate = await startPinned(
  'pps-gate',
  '0',
  [
    '--cpu-prof',
    `--cpu-prof-dir=${profiles}`,
    'dist/main.js',
    'serve',
    ...['--config', join(work, 'config.json'), '--host', '127.0.0.1', '--log-format', 'json'],
    ...['--grpc-port', String(grpcPort), '--http-port', String(httpPort)],
    ...['--admin-port', String(adminPort), '--log-allow-sample-rate', '0'],
  ],
  (line) => line.includes('"pps-gate serving"'),
);
// Ready means the issuer's keys are in: the load must hit the allow path from its first call.
for (let attempt = 0; ; attempt++) {
  const ready = await fetch(`http://127.0.0.1:${adminPort}/readyz`).then(
    (r) => r.ok,
    () => false,
  );
  if (ready) break;
  if (attempt > 100) throw new Error('pps-gate never became ready');
  await new Promise((resolve) => setTimeout(resolve, 100));
}
// Asynchronously: this process is also the issuer, which must stay able to answer key fetches.
const run = promisify(execFile);
const onCpu1 = async (command, args) =>
  (await run('taskset', ['-c', '1', command, ...args], { maxBuffer: 1 << 24 })).stdout;
const url = `http://127.0.0.1:${grpcPort}`;
let report;
if (load === 'hot') {
  const body = `--data=${join(work, 'hot.bin')}`;
  const grpcHeaders = ['-H', 'content-type: application/grpc', '-H', 'te: trailers'];
  const out = await onCpu1('h2load', [
    '-c2',
    '-m32',
    '-t1',
    `-D${seconds}`,
    body,
    ...grpcHeaders,
    url + CHECK_PATH,
  ]);
  report = /finished in .*/.exec(out)?.[0];
} else if (load === 'distinct') {
  const client = ['bench/lib/grpc-client.mjs', url, join(work, 'distinct.bin'), '2', '32'];
  report = (await onCpu1(process.execPath, [...client, String(seconds)])).trim();
} else {
  const headers = Object.entries(webhookHeaders(hotToken)).flatMap(([k, v]) => [
    '-H',
    `${k}: ${v}`,
  ]);
  const target = `http://127.0.0.1:${httpPort}/webhooks/orders`;
  const out = await onCpu1('wrk', ['-t1', '-c64', `-d${seconds}s`, ...headers, target]);
  report = /Requests\/sec.*/.exec(out)?.[0];
}
// What was decided: a profile of denies would be a profile of the wrong path.
const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
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
console.log(`load: ${load}, ${seconds} s; ${report ?? ''}`);
console.log(`decisions: ${decisions.join('; ')}`);
console.log(`profile: ${join(profiles, file)} (open it in Chrome DevTools for the call tree)`);
console.log(`\nself time of busy CPU (idle left out), top functions:\n${top(byFunction, 30)}`);
console.log(`\nby file or package:\n${top(byFile, 20)}`);
