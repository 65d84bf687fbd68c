// Hot-path benchmark: pps-gate's full authorize() (framing, strict decode, policy, cached key,
// jose verify, webhook headers) against a baseline of jose's bare jwtVerify with the same key and
// the minimum options (iss, aud, alg) run side by side, alternating rounds on one process.
// Reports medians and the ratio; loopback only (one local issuer for the key set).
import { randomUUID } from 'node:crypto';
import { jwtVerify } from 'jose';
import { parseConfig } from '../dist/config/parse-config.js';
import { startLocalIssuer } from '../dist/dev/local-issuer.js';
import { KeyStore } from '../dist/issuers/key-store.js';
import { authorize } from '../dist/pipeline/authorize.js';
import { silentLogger } from '../dist/telemetry/logger.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const PER_ROUND = Number(process.env.BENCH_ITERATIONS ?? 4000);

const issuer = await startLocalIssuer({ project: 'bench' });
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
const kid = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid;
const keyEntry = keys.resolve(config.issuers.get(issuer.issuer), kid, undefined, Date.now(), 0);
const deps = { config: () => config, keys, now: Date.now };
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
  },
};
const untrusted = {
  ...request,
  headers: {
    ...request.headers,
    authorization: `Bearer ${await (await startLocalIssuer({ project: 'stranger' })).sign()}`,
  },
};

async function timeRound(fn) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) await fn();
  return Number(process.hrtime.bigint() - start) / PER_ROUND / 1000; // µs per op
}

const cases = {
  'baseline: jose jwtVerify (iss, aud, alg)': () =>
    jwtVerify(token, keyEntry.key, {
      issuer: issuer.issuer,
      audience: issuer.audience,
      algorithms: ['RS256'],
    }),
  'pps-gate: authorize() allow, cached key': async () => {
    const d = await authorize(request, deps);
    if (!d.allowed) throw new Error(`unexpected deny ${d.reason}`);
  },
  'pps-gate: authorize() deny untrusted issuer (sync)': () => authorize(untrusted, deps),
};
const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (const fn of Object.values(cases)) await timeRound(fn); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of Object.entries(cases)) samples[name].push(await timeRound(fn));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const baseline = median(samples[Object.keys(cases)[0]]);
console.log(
  `\n${ROUNDS} rounds x ${PER_ROUND} ops, Node ${process.version}; medians (µs/op) and ratio to baseline\n`,
);
for (const [name, xs] of Object.entries(samples)) {
  const m = median(xs);
  console.log(`${name.padEnd(52)} ${m.toFixed(2).padStart(8)} µs   x${(m / baseline).toFixed(2)}`);
}
const mem = process.memoryUsage();
console.log(
  `\nrss ${(mem.rss / 1048576).toFixed(1)} MiB, heapUsed ${(mem.heapUsed / 1048576).toFixed(1)} MiB`,
);
keys.close();
process.exit(0);
