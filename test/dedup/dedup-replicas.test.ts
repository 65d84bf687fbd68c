// Exactly once across replicas: two pps-gate processes (the built server) share one real
// redis-server; Envoy stand-ins (test/support/envoy-dedup-stand-in.ts, Envoy's own protos) send
// each Check to one replica and its access-log entry to the other. Then Redis goes away mid-run
// and comes back: no crash, the documented answers, recovery without a restart.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import {
  createEnvoyDedupStandIn,
  type DeliveryAnswer,
  type EnvoyDedupStandIn,
} from '../support/envoy-dedup-stand-in.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startGateProcess, type GateProcess } from '../support/start-gate-process.js';
import { webhookHeaders } from '../support/webhook-fixtures.js';

let issuer: LocalIssuer;
let redis: RedisServer;
let replicas: GateProcess[] = [];
let token: string;
/** Upstream answers per webhook id: a queue of statuses (then 200), and what it received. */
const plannedFailures = new Map<string, number[]>();
const received: string[] = [];
const envoys: EnvoyDedupStandIn[] = [];

const upstream = async (headers: Readonly<Record<string, string>>): Promise<number> => {
  const id = headers['x-pps-webhook-id']!.toLowerCase();
  received.push(id);
  await new Promise((resolve) => setTimeout(resolve, 50)); // the app takes a while
  return plannedFailures.get(id)?.shift() ?? 200;
};

beforeAll(async () => {
  issuer = await startLocalIssuer({ project: 'dedup-replicas' });
  redis = await startRedisServer();
  const config = {
    issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }],
    allowInsecureHttp: true,
    dedup: {
      mode: 'enforce',
      store: 'redis',
      leaseSeconds: 30,
      // The longest command timeout allowed: on a loaded 2-core CI box, 400 ms can pass while
      // a replica waits for CPU, and the check would (correctly) answer dedup_unavailable.
      redis: { url: redis.url, keyPrefix: `replicas:${randomUUID()}:`, commandTimeoutMs: 900 },
    },
  };
  replicas = await Promise.all([startGateProcess({ config }), startGateProcess({ config })]);
  const [a, b] = replicas as [GateProcess, GateProcess];
  envoys.push(createEnvoyDedupStandIn(a.grpcAddress, b.grpcAddress, upstream));
  envoys.push(createEnvoyDedupStandIn(b.grpcAddress, a.grpcAddress, upstream));
  token = await issuer.sign();
}, 60_000);

afterAll(async () => {
  for (const envoy of envoys) envoy.close();
  await Promise.all(replicas.map((gate) => gate.stop()));
  await redis?.stop();
  await issuer?.close();
});

const headersFor = (id: string) => webhookHeaders(token, { 'x-pps-webhook-id': id });
const deliver = (id: string, i: number): Promise<DeliveryAnswer> =>
  envoys[i % 2]!.deliver(headersFor(id));
const tally = (answers: readonly DeliveryAnswer[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const a of answers) {
    const label = a.forwarded ? `forwarded ${a.status}` : `${a.status} ${a.reason}`;
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
};

describe('dedup enforce across two pps-gate processes on one Redis', () => {
  it('lets exactly one of 200 concurrent deliveries through; every other is 503 in flight or 200 duplicate', async () => {
    const id = randomUUID();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => deliver(id, i)));
    const counts = tally(answers);
    expect(counts['forwarded 200']).toBe(1);
    for (const label of Object.keys(counts))
      expect(['forwarded 200', '503 delivery_in_progress', '200 duplicate_delivery']).toContain(
        label,
      );
    // Once the confirmation (sent to the other replica) lands, every repeat is a duplicate.
    await expect
      .poll(async () => (await deliver(id, 1)).reason, { timeout: 5000, interval: 25 })
      .toBe('duplicate_delivery');
    expect(received.filter((r) => r === id)).toHaveLength(1);
  }, 60_000);

  it('delivers a webhook whose first attempt failed (5xx) on a later delivery, once', async () => {
    const id = randomUUID();
    plannedFailures.set(id, [500]);
    const firstWave = await Promise.all(Array.from({ length: 50 }, (_, i) => deliver(id, i)));
    const counts = tally(firstWave);
    expect(counts['forwarded 500']).toBe(1);
    // Once the failure is confirmed, a later delivery of the same wave may already go through.
    expect(counts['forwarded 200'] ?? 0).toBeLessThanOrEqual(1);
    for (const label of Object.keys(counts))
      expect([
        'forwarded 500',
        'forwarded 200',
        '503 delivery_in_progress',
        '200 duplicate_delivery',
      ]).toContain(label);
    // The sender retries until it gets a 2xx: the event is not lost.
    let success = firstWave.find((a) => a.forwarded && a.status === 200);
    for (let attempt = 0; attempt < 100 && success === undefined; attempt++) {
      const answer = await deliver(id, attempt);
      if (answer.status >= 200 && answer.status < 300) success = answer;
      else await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(success).toMatchObject({ forwarded: true, status: 200 });
    await expect
      .poll(async () => (await deliver(id, 0)).reason, { timeout: 5000, interval: 25 })
      .toBe('duplicate_delivery');
    expect(received.filter((r) => r === id)).toHaveLength(2);
  }, 60_000);

  it('answers within a second while Redis is down (enforce 503 dedup_unavailable, the HTTP port annotates with x-pps-dedup: unavailable), and recovers without a restart', async () => {
    const [a] = replicas as [GateProcess, GateProcess];
    await redis.stop();
    const id = randomUUID();
    const started = performance.now();
    const down = await deliver(id, 0);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(down).toMatchObject({ status: 503, reason: 'dedup_unavailable', forwarded: false });
    expect(Number(down.headers['retry-after'])).toBeGreaterThan(0);
    const viaHttp = await fetch(`${a.httpUrl}/webhooks`, {
      method: 'POST',
      headers: headersFor(id),
    });
    expect(viaHttp.status).toBe(200);
    expect(viaHttp.headers.get('x-pps-dedup')).toBe('unavailable');
    expect(viaHttp.headers.get('x-pps-delivery-count')).toBeNull();

    await redis.start();
    await expect
      .poll(async () => (await deliver(id, 1)).forwarded, { timeout: 10_000, interval: 100 })
      .toBe(true);
    for (const gate of replicas) expect(gate.child.exitCode).toBeNull();
    const metrics = await (await fetch(`${a.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/pps_gate_dedup_store_errors_total\{store="redis"\} [1-9]/);
    expect(metrics).toMatch(/pps_gate_decisions_total\{[^}]*reason="dedup_unavailable"/);
  }, 60_000);
});
