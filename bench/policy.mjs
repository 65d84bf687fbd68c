// Cost of the per-issuer webhook policy (issue 12) on the hot path: pps-gate's authorize() for an
// issuer with every rule set (tenant binding and allow-list, topic globs, required claims, token
// age, triggered-at window, replay guard on the memory store, claim headers) against a baseline
// of the same authorize() for an issuer with none, side by side in one process, alternating
// rounds; medians and the ratio. Loopback only (one local issuer per case for the key set).
// Run: npm run build && node bench/policy.mjs
import { randomUUID } from 'node:crypto';
import { ConfigSnapshot } from '../dist/config/config-snapshot.js';
import { parseConfig } from '../dist/config/parse-config.js';
import { startLocalIssuer } from '../dist/dev/local-issuer.js';
import { KeyStore } from '../dist/issuers/key-store.js';
import { authorize } from '../dist/pipeline/authorize.js';
import { MemoryReplayStore } from '../dist/replay/memory-replay-store.js';
import { silentLogger } from '../dist/telemetry/logger.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const PER_ROUND = Number(process.env.BENCH_ITERATIONS ?? 4000);

const [plain, strict] = await Promise.all([
  startLocalIssuer({ project: 'bench-plain' }),
  startLocalIssuer({ project: 'bench-strict' }),
]);
const config = parseConfig(
  JSON.stringify({
    issuers: [
      { issuer: plain.issuer, audiences: [plain.audience] },
      {
        issuer: strict.issuer,
        audiences: [strict.audience],
        tenantClaim: 'firebase.tenant',
        tenants: ['OU1243', 'OU2000'],
        topics: ['invoices/**', 'payments/*', 'orders/*'],
        requiredClaims: { email_verified: true, roles: 'sender' },
        maxTokenAgeSeconds: 3600,
        triggeredAtWindowSeconds: 366 * 86_400,
        replay: 'jti',
        claimHeaders: { email: 'x-pps-auth-email', 'firebase.tenant': 'x-pps-auth-tenant' },
      },
    ],
    allowInsecureHttp: true,
  }),
  'bench-policy',
);
const keys = new KeyStore({ logger: silentLogger });
await Promise.all(keys.applyConfig(config));
const replay = new MemoryReplayStore({ maxEntries: 100_000, now: Date.now });
const deps = { config: new ConfigSnapshot(config), keys, now: Date.now, replay: () => replay };
const claims = {
  jti: randomUUID(),
  email: 'sender@example.com',
  email_verified: true,
  roles: ['reader', 'sender'],
  firebase: { tenant: 'OU1243' },
};
const webhook = {
  'x-pps-topic': 'orders/placed',
  'x-pps-tenant-id': 'OU1243',
  // The same id each time: the replay guard answers "redelivery" from its store.
  'x-pps-webhook-id': randomUUID(),
  'x-pps-triggered-at': new Date().toISOString(),
};
const requestFor = (token) => ({
  id: undefined,
  method: 'POST',
  path: '/webhooks',
  receivedAtMs: Date.now(),
  headers: { authorization: `Bearer ${token}`, ...webhook },
});
const plainRequest = requestFor(await plain.sign({ claims }));
const strictRequest = requestFor(await strict.sign({ claims }));

async function timeRound(fn) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) await fn();
  return Number(process.hrtime.bigint() - start) / PER_ROUND / 1000; // µs per op
}

const allowed = (request) => async () => {
  const decision = await authorize(request, deps);
  if (!decision.allowed) throw new Error(`unexpected deny ${decision.reason}: ${decision.detail}`);
};
const cases = {
  'baseline: authorize() allow, issuer without policy': allowed(plainRequest),
  'authorize() allow, issuer with every policy rule': allowed(strictRequest),
};
const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (const fn of Object.values(cases)) await timeRound(fn); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  // Alternate which case goes first, so neither always runs on a warmer or busier machine.
  const order = Object.entries(cases);
  if (round % 2 === 1) order.reverse();
  for (const [name, fn] of order) samples[name].push(await timeRound(fn));
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
keys.close();
await Promise.all([plain.close(), strict.close()]);
process.exit(0);
