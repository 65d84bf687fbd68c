// The dedup state machine through pps-gate's real gRPC server, for both stores: Checks from a
// client on Envoy's real ext_authz protos, confirmations on Envoy's real access-log protos (the
// Envoy stand-in follows its protocol: deny answered locally, allow forwarded then logged).
// Clock injected: leases and windows pass without sleeping.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSnapshot } from '../../src/config/config-snapshot.js';
import { parseConfig } from '../../src/config/parse-config.js';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import { startGate, type Gate } from '../../src/gate/start-gate.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { GateMetrics } from '../../src/telemetry/metrics.js';
import { createEnvoyAccessLogClient, httpLogEntry } from '../support/envoy-access-log-client.js';
import {
  createEnvoyAuthClient,
  headersCheckRequest,
  structToJson,
} from '../support/envoy-client.js';
import {
  createEnvoyDedupStandIn,
  type EnvoyDedupStandIn,
} from '../support/envoy-dedup-stand-in.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { webhookHeaders } from '../support/webhook-fixtures.js';

const LEASE_SECONDS = 5;
const WINDOW_SECONDS = 60;

let issuer: LocalIssuer;
let redis: RedisServer;

beforeAll(async () => {
  issuer = await startLocalIssuer({ project: 'dedup-grpc' });
  redis = await startRedisServer();
});

afterAll(async () => {
  await issuer?.close();
  await redis?.stop();
});

function config(store: 'memory' | 'redis', mode: 'annotate' | 'enforce') {
  return parseConfig(
    JSON.stringify({
      issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }],
      allowInsecureHttp: true,
      dedup: {
        mode,
        store,
        windowSeconds: WINDOW_SECONDS,
        leaseSeconds: LEASE_SECONDS,
        ...(store === 'redis'
          ? { redis: { url: redis.url, keyPrefix: `grpc-test:${randomUUID()}:` } }
          : {}),
      },
    }),
    `dedup-grpc-${store}`,
  );
}

describe.each(['memory', 'redis'] as const)('dedup through the gRPC server, %s store', (store) => {
  let gate: Gate;
  let nowMs = Date.now();
  let token: string;
  let otherSubjectToken: string;
  let upstreamStatus = 200;
  const upstreamSaw: Record<string, string>[] = [];
  let envoy: EnvoyDedupStandIn;
  const metrics = new GateMetrics({ processMetrics: false });

  beforeAll(async () => {
    gate = await startGate({
      snapshot: new ConfigSnapshot(config(store, 'enforce')),
      host: '127.0.0.1',
      grpcPort: 0,
      httpPort: 0,
      adminPort: 0,
      logger: silentLogger,
      metrics,
      now: () => nowMs,
    });
    await gate.prefetched;
    token = await issuer.sign();
    otherSubjectToken = await issuer.sign({ claims: { sub: 'another-sender' } });
    const address = `127.0.0.1:${gate.grpcPort}`;
    envoy = createEnvoyDedupStandIn(address, address, (headers) => {
      upstreamSaw.push({ ...headers });
      return Promise.resolve(upstreamStatus);
    });
  });

  afterAll(async () => {
    envoy?.close();
    await gate?.close(1000);
  });

  const delivery = (id: string, overrides: Record<string, string> = {}) =>
    webhookHeaders(token, { 'x-pps-webhook-id': id, ...overrides });
  /** Confirmations travel asynchronously (as from Envoy): poll until the repeat sees them. */
  const repeatUntil = (headers: Record<string, string>, reason: string | undefined) =>
    expect
      .poll(async () => (await envoy.deliver(headers)).reason, { timeout: 3000, interval: 20 })
      .toBe(reason);

  it('forwards the first delivery with its count, first-seen time and delivery key (header and dynamic metadata)', async () => {
    const id = randomUUID();
    const auth = createEnvoyAuthClient(`127.0.0.1:${gate.grpcPort}`);
    try {
      const response = await auth.check(
        headersCheckRequest({
          ...delivery(id),
          'x-pps-duplicate': 'false',
          'x-pps-delivery-key': 'f'.repeat(64),
          x_pps_delivery_count: '9',
        }),
      );
      const set = Object.fromEntries(
        response.ok_response!.headers.map((o) => [o.header!.key, o.header!.value]),
      );
      expect(set['x-pps-delivery-count']).toBe('1');
      expect(set['x-pps-first-seen-at']).toBe(new Date(nowMs).toISOString());
      expect(set['x-pps-delivery-key']).toMatch(/^[0-9a-f]{64}$/);
      expect(set['x-pps-duplicate']).toBeUndefined();
      expect(structToJson(response.dynamic_metadata).delivery_key).toBe(set['x-pps-delivery-key']);
      // The client's copies of names this allow does not set never reach upstream.
      expect(response.ok_response!.headers_to_remove).toEqual(
        expect.arrayContaining(['x-pps-duplicate', 'x_pps_delivery_count']),
      );
      expect(response.ok_response!.headers_to_remove).not.toContain('x-pps-delivery-key');
    } finally {
      auth.close();
    }
  });

  it('answers a repeat in flight 503 delivery_in_progress, then 200 duplicate_delivery without forwarding once the upstream answered 2xx', async () => {
    const id = randomUUID();
    const before = upstreamSaw.length;
    upstreamStatus = 200;
    // In flight: Check alone (Envoy has not logged the first one yet).
    const auth = createEnvoyAuthClient(`127.0.0.1:${gate.grpcPort}`);
    try {
      await auth.check(headersCheckRequest(delivery(id)));
      const inFlight = await envoy.deliver(delivery(id));
      expect(inFlight).toMatchObject({
        status: 503,
        reason: 'delivery_in_progress',
        forwarded: false,
      });
      expect(Number(inFlight.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(inFlight.headers['retry-after'])).toBeLessThanOrEqual(LEASE_SECONDS);
    } finally {
      auth.close();
    }
    const id2 = randomUUID();
    expect(await envoy.deliver(delivery(id2))).toMatchObject({ status: 200, forwarded: true });
    await repeatUntil(delivery(id2), 'duplicate_delivery');
    const duplicate = await envoy.deliver(delivery(id2));
    expect(duplicate).toMatchObject({ status: 200, forwarded: false });
    expect(duplicate.headers['x-pps-duplicate']).toBe('true');
    expect(JSON.parse(duplicate.body)).toMatchObject({ reason: 'duplicate_delivery' });
    expect(upstreamSaw.length - before).toBe(1);
  });

  it('lets the next delivery through after the upstream answered 5xx, marked as a repeat', async () => {
    const id = randomUUID();
    upstreamStatus = 503;
    expect(await envoy.deliver(delivery(id))).toMatchObject({ status: 503, forwarded: true });
    upstreamStatus = 200;
    await expect
      .poll(async () => (await envoy.deliver(delivery(id))).forwarded, {
        timeout: 3000,
        interval: 20,
      })
      .toBe(true);
    const forwarded = upstreamSaw.at(-1)!;
    expect(forwarded['x-pps-duplicate']).toBe('true');
    expect(Number(forwarded['x-pps-delivery-count'])).toBeGreaterThanOrEqual(2);
    await repeatUntil(delivery(id), 'duplicate_delivery');
  });

  it('lets a delivery through again once its lease expired without an answer', async () => {
    const id = randomUUID();
    const auth = createEnvoyAuthClient(`127.0.0.1:${gate.grpcPort}`);
    try {
      await auth.check(headersCheckRequest(delivery(id)));
      expect((await envoy.deliver(delivery(id))).reason).toBe('delivery_in_progress');
      nowMs += LEASE_SECONDS * 1000;
      expect(await envoy.deliver(delivery(id))).toMatchObject({ forwarded: true });
    } finally {
      auth.close();
    }
  });

  it('forgets a delivered webhook once the window has passed', async () => {
    const id = randomUUID();
    await envoy.deliver(delivery(id));
    await repeatUntil(delivery(id), 'duplicate_delivery');
    nowMs += WINDOW_SECONDS * 1000;
    const again = await envoy.deliver(delivery(id));
    expect(again.forwarded).toBe(true);
    expect(again.headers['x-pps-delivery-count']).toBe('1');
  });

  it('treats an upper-case webhook id as the same delivery as its lower-case spelling', async () => {
    const id = randomUUID();
    await envoy.deliver(delivery(id.toUpperCase()));
    await repeatUntil(delivery(id.toLowerCase()), 'duplicate_delivery');
  });

  it('keeps the same id under another subject or tenant apart', async () => {
    const id = randomUUID();
    await envoy.deliver(delivery(id));
    await repeatUntil(delivery(id), 'duplicate_delivery');
    const otherSubject = await envoy.deliver(
      webhookHeaders(otherSubjectToken, { 'x-pps-webhook-id': id }),
    );
    expect(otherSubject.forwarded).toBe(true);
    const otherTenant = await envoy.deliver(delivery(id, { 'x-pps-tenant-id': 'OU9999' }));
    expect(otherTenant.forwarded).toBe(true);
  });

  it('never touches the store for a bad token or bad webhook headers', async () => {
    const id = randomUUID();
    const before = await metrics.deliveries.get();
    const forged = `${token.slice(0, -4)}AAAA`;
    expect((await envoy.deliver(webhookHeaders(forged, { 'x-pps-webhook-id': id }))).reason).toBe(
      'invalid_signature',
    );
    expect((await envoy.deliver(delivery(id, { 'x-pps-topic': '' }))).reason).toBe(
      'invalid_webhook_headers',
    );
    const after = await metrics.deliveries.get();
    expect(after.values).toEqual(before.values);
    const first = await envoy.deliver(delivery(id));
    expect(first).toMatchObject({ forwarded: true });
    expect(first.headers['x-pps-delivery-count']).toBe('1');
  });

  it('ignores unrelated and ext_authz-denied access-log entries, and takes confirmations on a new stream after one broke', async () => {
    const id = randomUUID();
    const auth = createEnvoyAuthClient(`127.0.0.1:${gate.grpcPort}`);
    const logs = createEnvoyAccessLogClient(`127.0.0.1:${gate.grpcPort}`);
    try {
      const first = await auth.check(headersCheckRequest(delivery(id)));
      const key = structToJson(first.dynamic_metadata).delivery_key as string;
      const broken = logs.open();
      broken.send([
        httpLogEntry({ status: 200, path: '/healthz' }),
        httpLogEntry({ headerKey: 'not-a-key', status: 200 }),
        // A client-sent copy of the header on a request ext_authz denied: never trusted.
        httpLogEntry({ headerKey: key, status: 200, deniedByExtAuthz: true }),
      ]);
      broken.cancel();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await envoy.deliver(delivery(id))).reason).toBe('delivery_in_progress');
      const reconnected = logs.open();
      reconnected.send([httpLogEntry({ metadataKey: key, status: 204 })]);
      await repeatUntil(delivery(id), 'duplicate_delivery');
      await reconnected.end();
    } finally {
      logs.close();
      auth.close();
    }
  });

  it('annotates after a reload to annotate mode: every delivery forwarded, repeats flagged', async () => {
    gate.snapshot.swap(config(store, 'annotate'));
    try {
      const id = randomUUID();
      const first = await envoy.deliver(delivery(id));
      const second = await envoy.deliver(delivery(id));
      expect(first.forwarded && second.forwarded).toBe(true);
      expect(first.headers['x-pps-duplicate']).toBeUndefined();
      expect(second.headers).toMatchObject({
        'x-pps-delivery-count': '2',
        'x-pps-duplicate': 'true',
      });
      expect(second.headers['x-pps-delivery-key']).toBeUndefined();
    } finally {
      gate.snapshot.swap(config(store, 'enforce'));
    }
  });

  it('always annotates on the HTTP forward-auth port, even in enforce mode', async () => {
    const id = randomUUID();
    const send = () =>
      fetch(`http://127.0.0.1:${gate.httpPort}/webhooks`, {
        method: 'POST',
        headers: delivery(id),
      });
    const first = await send();
    const second = await send();
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers.get('x-pps-duplicate')).toBe('true');
    expect(second.headers.get('x-pps-delivery-count')).toBe('2');
    expect(second.headers.get('x-pps-delivery-key')).toBeNull();
  });
});
