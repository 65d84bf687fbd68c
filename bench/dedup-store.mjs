// Delivery-store benchmark: what one dedup decision costs, against a baseline run side by side
// in the same process, alternating rounds, medians reported with the ratio:
//   memory: MemoryDeliveryStore.claim (new key; repeat key) vs a bare Map get + set;
//   redis:  RedisDeliveryStore.claim (new key = SET NX PX; repeat key = SET NX + Lua script)
//           vs one bare ioredis `SET key value NX PX` round trip on the same connection.
// Needs redis-server on PATH (started here on a loopback port, no persistence).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { deliveryKey } from '../dist/dedup/delivery-key.js';
import { MemoryDeliveryStore } from '../dist/dedup/memory-delivery-store.js';
import { createRedisClient } from '../dist/dedup/redis-connection.js';
import { RedisDeliveryStore } from '../dist/dedup/redis-delivery-store.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const PER_ROUND = Number(process.env.BENCH_ITERATIONS ?? 2000);

const port = await new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port: p } = server.address();
    server.close(() => resolve(p));
  });
});
const redisServer = spawn(
  'redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
await new Promise((resolve) =>
  redisServer.stdout.on('data', (chunk) => {
    if (String(chunk).includes('Ready to accept connections')) resolve();
  }),
);

const settings = {
  url: `redis://127.0.0.1:${port}`,
  keyPrefix: 'bench:',
  tls: undefined,
  connectTimeoutMs: 500,
  commandTimeoutMs: 400,
};
const client = createRedisClient(settings, () => undefined, {});
await client.connect();
const redisStore = new RedisDeliveryStore(client, 'bench:');
const memoryStore = new MemoryDeliveryStore({ maxEntries: 1_000_000 });
const bareMap = new Map();
const bare = new Redis(settings.url);

let seq = 0;
const times = () => ({ nowMs: Date.now(), leaseMs: 60_000, windowMs: 604_800_000 });
const freshKey = () =>
  deliveryKey({
    issuer: 'https://issuer.example',
    subject: 'bench',
    tenantId: 'OU1',
    webhookId: `00000000-0000-4000-8000-${String(seq++).padStart(12, '0')}`,
  });
const repeatKey = freshKey();
await memoryStore.claim(repeatKey, times());
await redisStore.claim(repeatKey, times());

const cases = {
  'memory baseline: Map get + set': async () => {
    const key = freshKey();
    bareMap.get(key);
    bareMap.set(key, { count: 1 });
  },
  'memory claim, new key': () => memoryStore.claim(freshKey(), times()),
  'memory claim, repeat (in flight)': () => memoryStore.claim(repeatKey, times()),
  'redis baseline: bare SET NX PX': () => bare.set(`bare:${freshKey()}`, 'x', 'PX', 60_000, 'NX'),
  'redis claim, new key (SET NX PX)': () => redisStore.claim(freshKey(), times()),
  'redis claim, repeat (SET NX + Lua)': () => redisStore.claim(repeatKey, times()),
};

async function timeRound(fn) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) await fn();
  return Number(process.hrtime.bigint() - start) / PER_ROUND / 1000;
}

const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (const fn of Object.values(cases)) for (let i = 0; i < 200; i++) await fn(); // warm-up
for (let round = 0; round < ROUNDS; round++)
  for (const [name, fn] of Object.entries(cases)) samples[name].push(await timeRound(fn));

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const rows = Object.entries(samples).map(([name, values]) => [name, median(values)]);
const baselineFor = (name) =>
  median(
    samples[
      name.startsWith('memory')
        ? 'memory baseline: Map get + set'
        : 'redis baseline: bare SET NX PX'
    ],
  );
console.log(`delivery stores, ${ROUNDS} rounds x ${PER_ROUND}, Node ${process.version}`);
console.log('| case | median µs/op | ratio to its baseline |');
console.log('|---|---|---|');
for (const [name, value] of rows)
  console.log(`| ${name} | ${value.toFixed(1)} | x${(value / baselineFor(name)).toFixed(2)} |`);

// What a memory-store record costs on the heap (the README's limits table): a full default store
// of fresh keys, measured between two forced collections (npm run bench:dedup passes --expose-gc).
if (typeof globalThis.gc === 'function') {
  const RECORDS = 100_000;
  const store = new MemoryDeliveryStore({ maxEntries: RECORDS });
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < RECORDS; i++) store.record(freshKey(), times());
  globalThis.gc();
  const perRecord = (process.memoryUsage().heapUsed - before) / store.size;
  console.log(
    `\nmemory store: ${store.size} records hold ${((perRecord * store.size) / 2 ** 20).toFixed(1)} MiB of heap, ${perRecord.toFixed(0)} bytes a record`,
  );
}

await redisStore.close();
bare.disconnect();
redisServer.kill('SIGTERM');
