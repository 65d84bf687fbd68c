// `pps-gate serve --workers 2` as a real process tree: node:cluster workers behind the shared
// gRPC and HTTP ports, the primary owning config and the admin port. Node's cluster hands new
// connections to workers round-robin, so several fresh connections reach both workers; each
// worker keeps its own verified-token cache, which is how the tests see that both answered.
import { readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import { webhookHeaders } from '../../src/dev/webhook-headers.js';
import { createEnvoyAuthClient, type CheckOutcome } from '../support/envoy-client.js';
import { startGateProcess, type GateProcess } from '../support/start-gate-process.js';

const CONNECTIONS = 4;

let issuer: LocalIssuer;
let gate: GateProcess;
let token: string;

/** One Check on a new channel (grpc-js may still share a subchannel between channels). */
async function checkOnFreshConnection(t: string): Promise<CheckOutcome> {
  const client = createEnvoyAuthClient(gate.grpcAddress);
  try {
    return await client.checkToken(t);
  } finally {
    client.close();
  }
}

/** One forward-auth check on a connection of its own; the status and the subject header. */
function httpCheckOnFreshConnection(t: string): Promise<[number, string | undefined]> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: gate.httpPort,
        path: '/',
        agent: false,
        headers: webhookHeaders(t),
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve([res.statusCode ?? 0, res.headers['x-pps-auth-subject'] as string | undefined]),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${gate.adminUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

function childPids(parent: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
      } catch {
        return false;
      }
    })
    .map(Number);
}

beforeAll(async () => {
  issuer = await startLocalIssuer({ project: 'pps-workers' });
  gate = await startGateProcess({
    config: {
      issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }],
      allowInsecureHttp: true,
    },
    args: ['--workers', '2', '--log-format', 'json'],
  });
  for (let i = 0; i < 100; i++) {
    if ((await fetch(`${gate.adminUrl}/readyz`)).status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  token = await issuer.sign();
}, 30_000);

afterAll(async () => {
  await gate?.stop();
  await issuer?.close();
});

describe('serve --workers 2', () => {
  it('runs two worker processes under the primary, ready on the primary admin port', async () => {
    expect(childPids(gate.child.pid!)).toHaveLength(2);
    expect((await fetch(`${gate.adminUrl}/readyz`)).status).toBe(200);
  });

  it('answers Checks on the shared gRPC port and the shared HTTP port from both workers', async () => {
    for (let i = 0; i < CONNECTIONS; i++)
      expect(await checkOnFreshConnection(token)).toMatchObject({ kind: 'allow' });
    for (let i = 0; i < CONNECTIONS; i++)
      expect(await httpCheckOnFreshConnection(token)).toEqual([200, 'pps-webhook-sender']);
    // /metrics sums the workers: every check counted once, and the token verified once in each
    // worker's own cache (two misses), so both workers answered.
    expect(await metric('pps_gate_decisions_total{decision="allow"')).toBe(2 * CONNECTIONS);
    // The latency histogram (bound series, not prom-client's own Histogram) sums the same way.
    expect(await metric('pps_gate_check_duration_seconds_count{transport="grpc"}')).toBe(
      CONNECTIONS,
    );
    expect(await metric('pps_gate_check_duration_seconds_bucket{le="+Inf",transport="http"}')).toBe(
      CONNECTIONS,
    );
    expect(await metric('pps_gate_token_cache_events_total{event="miss"}')).toBe(2);
    expect(await metric('pps_gate_token_cache_events_total{event="hit"}')).toBe(
      2 * CONNECTIONS - 2,
    );
    expect(await metric('pps_gate_token_cache_entries')).toBe(2);
  });

  it('reloads a changed config file in every worker', async () => {
    const next = {
      issuers: [{ issuer: issuer.issuer, audiences: ['someone-else'] }],
      allowInsecureHttp: true,
    };
    // An atomic replace, as editors and kubelet do.
    writeFileSync(`${gate.configPath}.new`, JSON.stringify(next));
    renameSync(`${gate.configPath}.new`, gate.configPath);
    await gate.waitForLine((line) => line.includes('"config reloaded"'), 10_000);
    // Workers get the config over IPC right after the primary swaps it; allow them a moment.
    const deadline = Date.now() + 5000;
    let outcomes: CheckOutcome[];
    do {
      outcomes = [];
      for (let i = 0; i < CONNECTIONS; i++) outcomes.push(await checkOnFreshConnection(token));
    } while (outcomes.some((o) => o.kind === 'allow') && Date.now() < deadline);
    for (const outcome of outcomes)
      expect(outcome).toMatchObject({ kind: 'deny', reason: 'invalid_audience' });
    // Fresh TCP connections alternate between the workers: each of them denies now.
    for (let i = 0; i < CONNECTIONS; i++)
      expect(await httpCheckOnFreshConnection(token)).toEqual([403, undefined]);
    // The edited issuer's verified tokens were swept from both workers' caches.
    expect(await metric('pps_gate_token_cache_entries')).toBe(0);
  });

  it('drains every worker on SIGTERM and exits 0', async () => {
    const workers = childPids(gate.child.pid!);
    expect(workers).toHaveLength(2);
    expect(await gate.stop()).toMatchObject({ code: 0 });
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  });
});
