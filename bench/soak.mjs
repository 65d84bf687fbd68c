// Soak: the built server (`node dist/main.js serve`) under a steady mix of valid, invalid and
// repeated webhooks over Envoy's gRPC protocol, on loopback, for a bounded time, while one issuer
// rotates its keys and the config file is swapped (atomically, as kubelet does) between trusting
// two issuers and one. Every answer is checked against what the design promises; at the end it
// prints the RSS / heap curve, the distinct tokens seen, and exits 1 on any wrong decision,
// unexplained error or growing memory. Not part of `npm test`.
//
//   npm run build && node bench/soak.mjs                 # 10 minutes
//   node bench/soak.mjs --seconds 120 --rate 200         # shorter
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearInterval, setInterval } from 'node:timers';
import { parseArgs } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { startLocalIssuer } from '../dist/dev/local-issuer.js';
import { parseConfig } from '../dist/config/parse-config.js';
import { loadGateProtos } from '../dist/transport/grpc/load-protos.js';

const USAGE = `usage: node bench/soak.mjs [--seconds N] [--rate N] [--concurrency N]
  [--rotate-seconds N] [--swap-seconds N] [--sample-seconds N] [--tokens N]
  --seconds         how long to run (default 600, at most 86400)
  --rate            checks per second to aim for, at most (default 250)
  --concurrency     checks in flight (default 8)
  --rotate-seconds  the main issuer rotates its signing key this often (default 30)
  --swap-seconds    the config file is swapped this often (default 20)
  --sample-seconds  memory is sampled this often (default: seconds / 30, at least 2)
  --tokens          distinct valid tokens to send at least (default 100000; the rate rises to fit)
  --dedup-entries   the memory dedup store's bound, dedup.memory.maxEntries (default 20000, so
                    the store fills within the run and its plateau is measured)`;

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        seconds: { type: 'string', default: '600' },
        rate: { type: 'string', default: '250' },
        concurrency: { type: 'string', default: '8' },
        'rotate-seconds': { type: 'string', default: '30' },
        'swap-seconds': { type: 'string', default: '20' },
        'sample-seconds': { type: 'string' },
        tokens: { type: 'string', default: '100000' },
        'dedup-entries': { type: 'string', default: '20000' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    console.error(`${error.message}\n${USAGE}`);
    process.exit(2);
  }
  if (parsed.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name, min, max) => {
    const value = Number(parsed[name]);
    if (!Number.isFinite(value) || value < min || value > max) {
      console.error(
        `--${name} must be a number from ${min} to ${max}, got "${parsed[name]}"\n${USAGE}`,
      );
      process.exit(2);
    }
    return value;
  };
  const seconds = number('seconds', 5, 86_400);
  return {
    seconds,
    rate: number('rate', 1, 10_000),
    concurrency: number('concurrency', 1, 256),
    rotateSeconds: number('rotate-seconds', 2, 86_400),
    swapSeconds: number('swap-seconds', 2, 86_400),
    sampleSeconds:
      parsed['sample-seconds'] === undefined
        ? Math.max(2, seconds / 30)
        : number('sample-seconds', 1, 86_400),
    tokens: number('tokens', 0, 10_000_000),
    dedupEntries: number('dedup-entries', 1, 10_000_000),
  };
}

const { fetch } = globalThis;
const opts = options();
const MAIN_JS = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const nowSec = () => Math.floor(Date.now() / 1000);

// --- the world: issuers, config file, the gate process ------------------------------------------
const main = await startLocalIssuer({ project: 'soak-main' });
const second = await startLocalIssuer({ project: 'soak-second' });
const stranger = await startLocalIssuer({ project: 'soak-stranger' });
// ES256/EdDSA sign far faster than RS256: the driver shares the machine with the gate.
const firstKey = await main.rotate('ES256');
await second.rotate('EdDSA');
for (const kid of main.publishedKids.filter((k) => k !== firstKey.kid)) main.unpublish(kid);

const jwks = { minRefreshIntervalSeconds: 1, cacheTtlSeconds: 30 };
const dedup = { memory: { maxEntries: opts.dedupEntries } };
const configs = {
  both: {
    issuers: [
      { issuer: main.issuer, audiences: [main.audience] },
      { issuer: second.issuer, audiences: [second.audience] },
    ],
    jwks,
    dedup,
    allowInsecureHttp: true,
  },
  mainOnly: {
    issuers: [{ issuer: main.issuer, audiences: [main.audience] }],
    jwks: { ...jwks, cacheTtlSeconds: 45 },
    dedup,
    allowInsecureHttp: true,
  },
};
const hashOf = (doc) => parseConfig(JSON.stringify(doc), 'soak').hash;
const dir = mkdtempSync(join(tmpdir(), 'pps-gate-soak-'));
const configPath = join(dir, 'issuers.json');
/** Write-then-rename: the gate never reads half a file (kubelet's ..data swap is also a rename). */
function writeConfig(doc) {
  const temp = join(dir, `.next-${randomUUID()}`);
  writeFileSync(temp, JSON.stringify(doc));
  renameSync(temp, configPath);
}
writeConfig(configs.both);

const gateArgs = [
  MAIN_JS,
  'serve',
  '--config',
  configPath,
  '--host',
  '127.0.0.1',
  '--grpc-port',
  '0',
  '--http-port',
  '0',
  '--admin-port',
  '0',
  '--log-format',
  'json',
  '--log-allow-sample-rate',
  '0',
];
const gate = spawn(process.execPath, gateArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
const logErrors = [];
const warnings = new Map();
let serving;
let pending = '';
gate.stdout.setEncoding('utf8').on('data', (chunk) => {
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    if (line === '') continue;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      logErrors.push(`unparsable log line: ${line.slice(0, 200)}`);
      continue;
    }
    if (entry.msg === 'pps-gate serving') serving = entry;
    if (entry.level >= 50) logErrors.push(line.slice(0, 400));
    else if (entry.level === 40) warnings.set(entry.msg, (warnings.get(entry.msg) ?? 0) + 1);
  }
});
let stderr = '';
gate.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
const exited = new Promise((resolve) =>
  gate.once('exit', (code, signal) => resolve({ code, signal })),
);
for (let i = 0; serving === undefined; i++) {
  if (i > 300 || gate.exitCode !== null) throw new Error(`gate did not start: ${stderr}`);
  await sleep(50);
}
const admin = `http://127.0.0.1:${serving.adminPort}`;
async function usableIssuers() {
  const response = await fetch(`${admin}/keys`);
  const { issuers } = await response.json();
  return issuers.filter((i) => i.usable).map((i) => i.issuer);
}
for (let i = 0; (await usableIssuers()).length < 2; i++) {
  if (i > 100) throw new Error('keys never became usable');
  await sleep(100);
}

const { authorization: Authorization } = loadGateProtos();
const client = new Authorization(`127.0.0.1:${serving.grpcPort}`, credentials.createInsecure());
await new Promise((resolve, reject) =>
  client.waitForReady(Date.now() + 5000, (error) => (error ? reject(error) : resolve())),
);

// --- what the world looks like now, as the driver changes it -----------------------------------
const state = {
  /** 'both' | 'mainOnly', once the gate's /config shows it; undefined while a swap is landing. */
  trusted: 'both',
  /** The main issuer's keys usable for signing: [{key, since}]; the newest is last. */
  keys: [{ key: firstKey, since: 0 }],
  /** When the last swap landed: an issuer trusted again is prefetched in the background. */
  swappedAt: 0,
  rotations: 0,
  swaps: 0,
};
/** The main issuer's newest key may not be fetched yet: a retryable 503 is right, by design. */
const keyIsFresh = () => Date.now() - state.keys.at(-1).since < 2500;
const withFreshKey = (expect) =>
  keyIsFresh() ? { ...expect, alsoOk: [...(expect.alsoOk ?? []), 'keys_unavailable'] } : expect;
const rotateEvery = opts.rotateSeconds * 1000;

async function rotate() {
  const key = await main.rotate('ES256');
  state.keys.push({ key, since: Date.now() });
  state.rotations++;
  // Keep the two newest keys; the oldest one stops being used first, then is unpublished.
  while (state.keys.length > 2) {
    const retired = state.keys.shift();
    main.unpublish(retired.key.kid);
  }
  repeats.splice(
    0,
    repeats.length,
    ...repeats.filter((r) => state.keys.some((k) => k.key === r.key)),
  );
}

async function swap() {
  const next = state.trusted === 'mainOnly' ? 'both' : 'mainOnly';
  state.trusted = undefined;
  writeConfig(configs[next]);
  const expected = hashOf(configs[next]);
  for (let i = 0; i < 200; i++) {
    const shown = await (await fetch(`${admin}/config`)).json();
    if (shown.hash === expected) {
      state.trusted = next;
      state.swappedAt = Date.now();
      state.swaps++;
      return;
    }
    await sleep(25);
  }
  throw new Error(`config swap to ${next} not seen within 5 s`);
}

// --- traffic: each kind builds a request and says which answers are right ----------------------
let serial = 0;
/** Recent valid webhooks, resent as-is (the sender's retry): still allowed, same identity. */
const repeats = [];
const REPEAT_POOL = 256;

function headers(token, extra = {}) {
  return {
    ':method': 'POST',
    ':path': '/webhooks/orders',
    'content-type': 'application/json',
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    'x-pps-topic': 'orders/placed',
    'x-pps-tenant-id': 'OU1243',
    'x-pps-webhook-id': randomUUID(),
    'x-pps-triggered-at': new Date().toISOString(),
    ...extra,
  };
}

const allow = (issuer, subject) => ({ allow: { issuer, subject } });
const denyAs = (...reasons) => ({ deny: reasons });
const distinctTokens = new Set();

const KINDS = [
  // [name, weight, build() -> {headers, expect, kind}]
  [
    'valid',
    50,
    async () => {
      const current = state.keys.at(-1);
      const subject = `soak-${serial++}`;
      const token = await main.sign({ key: current.key, claims: { sub: subject } });
      distinctTokens.add(token);
      const h = headers(token);
      const expect = withFreshKey(allow(main.issuer, subject));
      if (repeats.length < REPEAT_POOL) repeats.push({ headers: h, expect, key: current.key });
      else repeats[serial % REPEAT_POOL] = { headers: h, expect, key: current.key };
      return { headers: h, expect };
    },
  ],
  [
    'repeated',
    10,
    async () => {
      const entry = repeats[Math.floor(Math.random() * repeats.length)];
      if (entry === undefined) return KINDS[0][2]();
      return { headers: entry.headers, expect: entry.expect };
    },
  ],
  [
    'second issuer',
    10,
    async () => {
      const subject = `second-${serial++}`;
      const token = await second.sign({ claims: { sub: subject } });
      distinctTokens.add(token);
      // While a swap lands either answer is right; right after it, the issuer trusted again is
      // being prefetched, so a retryable 503 is too.
      const justSwapped = Date.now() - state.swappedAt < 3000;
      const expect =
        state.trusted === 'both'
          ? { ...allow(second.issuer, subject), alsoOk: justSwapped ? ['keys_unavailable'] : [] }
          : state.trusted === 'mainOnly'
            ? denyAs('untrusted_issuer')
            : {
                ...allow(second.issuer, subject),
                alsoOk: ['untrusted_issuer', 'keys_unavailable'],
              };
      return { headers: headers(token), expect };
    },
  ],
  [
    'expired',
    4,
    async () => ({
      headers: headers(
        await main.sign({
          key: state.keys.at(-1).key,
          claims: { iat: nowSec() - 7200, exp: nowSec() - 3600 },
        }),
      ),
      expect: denyAs('token_expired'),
    }),
  ],
  [
    'wrong audience',
    4,
    async () => ({
      headers: headers(
        await main.sign({ key: state.keys.at(-1).key, claims: { aud: 'someone-else' } }),
      ),
      expect: denyAs('invalid_audience'),
    }),
  ],
  [
    'tampered',
    4,
    async () => {
      const [h, , s] = (await main.sign({ key: state.keys.at(-1).key })).split('.');
      const claims = {
        iss: main.issuer,
        aud: main.audience,
        sub: 'admin',
        iat: nowSec(),
        exp: nowSec() + 600,
      };
      return {
        headers: headers(`${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`),
        expect: withFreshKey(denyAs('invalid_signature')),
      };
    },
  ],
  [
    'untrusted',
    4,
    async () => ({ headers: headers(await stranger.sign()), expect: denyAs('untrusted_issuer') }),
  ],
  [
    'unknown kid',
    2,
    async () => ({
      headers: headers(
        await main.sign({ key: state.keys.at(-1).key, kid: `nope-${randomUUID()}` }),
      ),
      expect: denyAs('unknown_key', 'keys_unavailable'),
    }),
  ],
  [
    'bad webhook id',
    4,
    async () => ({
      headers: headers(await main.sign({ key: state.keys.at(-1).key }), {
        'x-pps-webhook-id': 'not-a-uuid',
      }),
      expect: withFreshKey(denyAs('invalid_webhook_headers')),
    }),
  ],
  ['no token', 4, async () => ({ headers: headers(undefined), expect: denyAs('missing_token') })],
  [
    'garbage token',
    4,
    async () => ({
      headers: { ...headers(undefined), authorization: `Bearer ${randomUUID()}.${randomUUID()}` },
      expect: denyAs('malformed_token'),
    }),
  ],
];
const totalWeight = KINDS.reduce((sum, [, weight]) => sum + weight, 0);
function pickKind() {
  let r = Math.random() * totalWeight;
  for (const kind of KINDS) if ((r -= kind[1]) < 0) return kind;
  return KINDS[0];
}

function header(list, name) {
  return list?.find((h) => h.header?.key === name)?.header?.value;
}

/** undefined when right, 'explained' when an alternative the moment allows, else what was wrong. */
function judge(expect, response) {
  const allowed = response.status?.code === 0 && response.ok_response !== undefined;
  const reason = header(response.denied_response?.headers, 'x-pps-gate-reason');
  if (expect.alsoOk?.includes(reason)) return 'explained';
  if (expect.allow !== undefined) {
    if (!allowed) return `expected allow, got ${response.status?.code}/${reason}`;
    const issuer = header(response.ok_response.headers, 'x-pps-auth-issuer');
    const subject = header(response.ok_response.headers, 'x-pps-auth-subject');
    if (issuer !== expect.allow.issuer || subject !== expect.allow.subject)
      return `allowed as ${issuer}/${subject}, expected ${expect.allow.issuer}/${expect.allow.subject}`;
    return undefined;
  }
  if (allowed) return `expected deny ${expect.deny.join('|')}, got allow`;
  if (response.status?.code === undefined || response.status.code === 0)
    return 'deny without an explicit non-zero status';
  if (!expect.deny.includes(reason)) return `expected ${expect.deny.join('|')}, got ${reason}`;
  return undefined;
}

// --- run -----------------------------------------------------------------------------------------
const rate = Math.max(
  opts.rate,
  opts.tokens / opts.seconds / (KINDS[0][1] / totalWeight + KINDS[2][1] / totalWeight),
);
const tally = new Map();
const wrong = [];
const grpcErrors = [];
let sent = 0;
const startedAt = Date.now();
const endAt = startedAt + opts.seconds * 1000;
const samples = [];

async function metrics() {
  const text = await (await fetch(`${admin}/metrics`)).text();
  const value = (name) => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
    return match === null ? undefined : Number(match[1]);
  };
  return {
    rssMiB: value('pps_gate_process_resident_memory_bytes') / 2 ** 20,
    heapMiB: value('pps_gate_nodejs_heap_size_used_bytes') / 2 ** 20,
    heapTotalMiB: value('pps_gate_nodejs_heap_size_total_bytes') / 2 ** 20,
    externalMiB: value('pps_gate_nodejs_external_memory_bytes') / 2 ** 20,
    tokenCacheEntries: value('pps_gate_token_cache_entries'),
    dedupEntries: value('pps_gate_dedup_store_entries'),
  };
}

async function sample() {
  const m = await metrics();
  const s = {
    t: Math.round((Date.now() - startedAt) / 1000),
    checks: sent,
    tokens: distinctTokens.size,
    ...m,
  };
  samples.push(s);
  console.log(
    `t=${String(s.t).padStart(5)}s checks=${String(s.checks).padStart(8)} tokens=${String(s.tokens).padStart(7)} ` +
      `rss=${s.rssMiB.toFixed(1)}MiB heap=${s.heapMiB.toFixed(1)}/${s.heapTotalMiB.toFixed(1)}MiB ext=${s.externalMiB.toFixed(1)}MiB` +
      (s.tokenCacheEntries === undefined ? '' : ` tokenCache=${s.tokenCacheEntries}`) +
      (s.dedupEntries === undefined ? '' : ` dedup=${s.dedupEntries}`) +
      ` wrong=${wrong.length} errors=${grpcErrors.length + logErrors.length}`,
  );
}

async function worker() {
  while (Date.now() < endAt) {
    const due = startedAt + (sent / rate) * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
    if (Date.now() >= endAt) return;
    sent++;
    const [name, , build] = pickKind();
    const { headers: h, expect } = await build();
    const request = {
      attributes: {
        request: {
          http: { id: randomUUID(), method: 'POST', path: '/webhooks/orders', headers: h },
        },
      },
    };
    const response = await new Promise((resolve) =>
      client.Check(request, { deadline: Date.now() + 10_000 }, (error, answer) =>
        resolve(error ? { error } : answer),
      ),
    );
    const counts = tally.get(name) ?? { sent: 0, allowed: 0, denied: 0, explained: 0 };
    counts.sent++;
    if (response.error !== undefined) {
      grpcErrors.push(`${name}: ${response.error.code} ${response.error.details}`);
      tally.set(name, counts);
      continue;
    }
    if (response.status?.code === 0) counts.allowed++;
    else counts.denied++;
    tally.set(name, counts);
    const problem = judge(expect, response);
    if (problem === 'explained') counts.explained++;
    else if (problem !== undefined) wrong.push(`${name}: ${problem}`);
  }
}

console.log(
  `soak: ${opts.seconds} s, up to ${Math.round(rate)} checks/s, ${opts.concurrency} in flight, rotate every ${opts.rotateSeconds} s, swap every ${opts.swapSeconds} s; gate pid ${gate.pid}`,
);
await sample();
// Driver tasks still running when the load ends (a swap polling /config) finish before the gate
// stops, so their own requests never fail against a stopped gate.
const running = new Set();
const every = (name, ms, task) =>
  setInterval(() => {
    const run = task()
      .catch((e) => logErrors.push(`${name}: ${e.message}`))
      .finally(() => running.delete(run));
    running.add(run);
  }, ms);
const timers = [
  every('rotate', rotateEvery, rotate),
  every('swap', opts.swapSeconds * 1000, swap),
  every('sample', opts.sampleSeconds * 1000, sample),
];
await Promise.all(Array.from({ length: opts.concurrency }, worker));
for (const timer of timers) clearInterval(timer);
await Promise.all(running);
await sample();
client.close();
gate.kill('SIGTERM');
const exit = await exited;
await Promise.all([main.close(), second.close(), stranger.close()]);
rmSync(dir, { recursive: true, force: true });

// --- report --------------------------------------------------------------------------------------
const elapsed = (Date.now() - startedAt) / 1000;
console.log(
  `\n${sent} checks in ${elapsed.toFixed(0)} s (${(sent / elapsed).toFixed(0)}/s); ${distinctTokens.size} distinct tokens; ${state.rotations} key rotations; ${state.swaps} config swaps`,
);
console.log(
  '\n| kind | sent | allowed | denied | of which a 503/deny the moment explains |\n|---|---:|---:|---:|---:|',
);
for (const [name, c] of tally)
  console.log(`| ${name} | ${c.sent} | ${c.allowed} | ${c.denied} | ${c.explained} |`);
console.log(
  '\nmemory curve (gate process):\n| t s | checks | RSS MiB | heap used / total MiB | external MiB | token cache entries | dedup store entries |\n|---:|---:|---:|---:|---:|---:|---:|',
);
for (const s of samples)
  console.log(
    `| ${s.t} | ${s.checks} | ${s.rssMiB.toFixed(1)} | ${s.heapMiB.toFixed(1)} / ${s.heapTotalMiB.toFixed(1)} | ${s.externalMiB.toFixed(1)} | ${s.tokenCacheEntries ?? '-'} | ${s.dedupEntries ?? '-'} |`,
  );
// Memory may grow while the bounded stores fill (the dedup store to --dedup-entries, the token
// cache towards tokenCache.maxEntries, where key rotations and expiry keep it cycling); flat is
// judged once the dedup store is full and the first fifth (warm-up) is over. There, the last
// third's median against the first third's: a sample lands anywhere in the GC sawtooth, so
// peaks say more about GC timing than about growth.
const warmedUp = Math.ceil(samples.length / 5);
const filled = samples.findIndex((s) => (s.dedupEntries ?? 0) >= opts.dedupEntries * 0.99);
const from = Math.max(warmedUp, filled);
const steady = samples.slice(from);
console.log(
  filled >= 0
    ? `\ndedup store full from t=${samples[filled].t} s; memory judged from t=${samples[from]?.t} s (${steady.length} samples)`
    : '\nFAIL: the dedup store never filled (raise --seconds or lower --dedup-entries)',
);
const third = Math.max(1, Math.floor(steady.length / 3));
const median = (list, key) => {
  const sorted = list.map((s) => s[key]).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const growth = (key) => median(steady.slice(-third), key) / median(steady.slice(0, third), key);
const heapGrowth = growth('heapMiB');
const rssGrowth = growth('rssMiB');
console.log(
  `median growth once full (last third / first third): heap x${heapGrowth.toFixed(2)}, RSS x${rssGrowth.toFixed(2)}`,
);
console.log(`warnings logged by the gate: ${JSON.stringify(Object.fromEntries(warnings))}`);
console.log(`gate exit: ${JSON.stringify(exit)}`);
const failures = [];
if (wrong.length > 0)
  failures.push(`${wrong.length} wrong decisions, e.g.\n  ${wrong.slice(0, 10).join('\n  ')}`);
const errors = [...grpcErrors, ...logErrors];
if (errors.length > 0)
  failures.push(`${errors.length} unexplained errors, e.g.\n  ${errors.slice(0, 10).join('\n  ')}`);
if (filled < 0) failures.push('the dedup store never filled: its plateau was not measured');
if (steady.length < 6) failures.push('too few samples after the stores filled to judge memory');
if (heapGrowth > 1.15 || rssGrowth > 1.15)
  failures.push('memory grew by more than 15% once the bounded stores were full');
if (exit.code !== 0) failures.push(`gate exited ${JSON.stringify(exit)}: ${stderr.slice(0, 400)}`);
if (failures.length > 0) {
  console.log(`\nFAIL\n${failures.join('\n')}`);
  process.exit(1);
}
console.log('\nPASS: zero wrong decisions, zero unexplained errors, memory flat');
