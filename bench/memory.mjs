// `npm run bench:memory`: pps-gate's memory stays within what its config allows.
// 1. 100,000 distinct valid tokens (EdDSA-signed so signing takes seconds, padded to the size of
//    a real RS256 ID token, ~1 KiB) through the HTTP forward-auth port of `pps-gate serve`:
//    the token cache fills to its bound and stays there; RSS is sampled as it goes.
// 2. A hot loop (one token, wrk) for BENCH_HOT_MINUTES (default 5): RSS sampled every 10 s must
//    not grow (last third's median against the first third's).
import { sign, KeyObject } from 'node:crypto';
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalIssuer } from '../dist/dev/local-issuer.js';
import { startGateProcess, writeBenchConfig } from './lib/gate-process.mjs';
import { rssMiB } from './lib/processes.mjs';
import { wrkHttp } from './lib/load-tools.mjs';
import { webhookHeaders } from './lib/grpc-messages.mjs';

const TOKENS = Number(process.env.BENCH_TOKENS ?? 100_000);
const HOT_MINUTES = Number(process.env.BENCH_HOT_MINUTES ?? 5);
const MAX_ENTRIES = Number(process.env.BENCH_CACHE_ENTRIES ?? 10_000);
const MAX_BYTES = Number(process.env.BENCH_CACHE_BYTES ?? 32 * 1024 * 1024);

const work = mkdtempSync(join(tmpdir(), 'pps-bench-memory-'));
const issuer = await startLocalIssuer({ project: 'bench-memory' });
const key = await issuer.rotate('EdDSA');
const privateKey = KeyObject.from(key.privateKey);
const b64 = (value) => Buffer.from(value).toString('base64url');
const header = b64(JSON.stringify({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' }));
const padding = 'x'.repeat(420); // an RS256 signature's worth, so entries are real-token sized
function token(i) {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: issuer.issuer,
    aud: issuer.audience,
    sub: `sender-${i}`,
    iat: now,
    exp: now + 3600,
    pad: padding,
  };
  const data = `${header}.${b64(JSON.stringify(claims))}`;
  return `${data}.${b64(sign(null, Buffer.from(data), privateKey))}`;
}

const configFile = writeBenchConfig(work, issuer, { maxEntries: MAX_ENTRIES, maxBytes: MAX_BYTES });
const gate = await startGateProcess({ cpus: '0-1', workers: 1, configFile });
const agent = new Agent({ keepAlive: true, maxSockets: 32 });
const check = (t) =>
  new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: gate.httpPort,
        path: '/webhooks/orders',
        agent,
        headers: webhookHeaders(t),
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });

const startRss = rssMiB(gate.pid);
console.log(
  `pps-gate at start: RSS ${startRss.toFixed(1)} MiB; token cache bound ${MAX_ENTRIES} entries / ${(MAX_BYTES / 1048576).toFixed(0)} MiB`,
);
let sent = 0;
let peak = startRss;
const samples = [];
while (sent < TOKENS) {
  const batch = Array.from({ length: Math.min(2000, TOKENS - sent) }, (_, i) => token(sent + i));
  for (let i = 0; i < batch.length; i += 32) await Promise.all(batch.slice(i, i + 32).map(check));
  sent += batch.length;
  const rss = rssMiB(gate.pid);
  peak = Math.max(peak, rss);
  if (sent % 10_000 === 0) samples.push(`${sent / 1000}k: ${rss.toFixed(0)}`);
}
const metrics = await (await fetch(`http://127.0.0.1:${gate.adminPort}/metrics`)).text();
const entries = /pps_gate_token_cache_entries (\d+)/.exec(metrics)?.[1];
console.log(
  `${TOKENS} distinct tokens: RSS MiB by tokens sent ${samples.join(', ')}; peak ${peak.toFixed(1)}; cache entries ${entries}`,
);

const hotToken = token('hot');
await check(hotToken);
const hotSamples = [];
const sampler = setInterval(() => hotSamples.push(rssMiB(gate.pid)), 10_000);
const hot = await wrkHttp({
  cpus: '0-1',
  url: `http://127.0.0.1:${gate.httpPort}/webhooks/orders`,
  headers: webhookHeaders(hotToken),
  connections: 16,
  seconds: Math.round(HOT_MINUTES * 60),
});
clearInterval(sampler);
const third = Math.max(1, Math.floor(hotSamples.length / 3));
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const early = med(hotSamples.slice(0, third));
const late = med(hotSamples.slice(-third));
console.log(
  `hot loop ${HOT_MINUTES} min, ${hot.done} checks (${hot.failed} failed): RSS every 10 s ${hotSamples.map((r) => r.toFixed(0)).join(' ')} MiB; first third median ${early.toFixed(1)}, last third ${late.toFixed(1)} (${(((late - early) / early) * 100).toFixed(1)}%)`,
);
agent.destroy();
await gate.stop();
await issuer.close();
rmSync(work, { recursive: true, force: true });
process.exit(hot.failed > 0 ? 1 : 0);
