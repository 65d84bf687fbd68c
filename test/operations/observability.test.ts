// What an operator sees after a scripted mix of webhooks: /metrics (parsed strictly, counters
// asserted exactly, cross-checked with prom-client's own JSON), the JSON decision log (fields, no
// token), /keys and /config. One in-process gate on loopback with real local OIDC issuers and an
// injected clock, so cooldowns, key age and staleness are exact.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gate } from '../../src/gate/start-gate.js';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import { startLoopbackGate } from '../../src/gate/start-loopback-gate.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { GateMetrics } from '../../src/telemetry/metrics.js';
import {
  checkOutcome,
  createEnvoyAuthClient,
  headersCheckRequest,
  outcomeLabel,
  type EnvoyAuthClient,
} from '../support/envoy-client.js';
import { webhookHeaders } from '../support/webhook-fixtures.js';
import { scrape } from './scrape.js';
import type { Family } from './exposition-format.js';
import { sampleValue } from './exposition-format.js';

const logLines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logLines.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== ''),
    );
    done();
  },
});

let clockMs = Date.now();
const now = (): number => clockMs;
let trusted: LocalIssuer;
let down: LocalIssuer;
let stranger: LocalIssuer;
let gate: Gate;
let client: EnvoyAuthClient;
let metrics: GateMetrics;
let families: Map<string, Family>;
let contentType: string | null;
const tokens: string[] = [];
const outcomes: string[] = [];
let oldKid = '';
let newKid = '';

async function grpc(
  token: string | undefined,
  headers: Record<string, string> = {},
): Promise<void> {
  if (token !== undefined) tokens.push(token);
  outcomes.push(
    outcomeLabel(
      checkOutcome(
        await client.check(
          headersCheckRequest(webhookHeaders(token, headers), {
            id: `req-${outcomes.length}`,
            path: '/hooks',
            host: 'hooks.test',
          }),
        ),
      ),
    ),
  );
}

async function http(token: string | undefined): Promise<void> {
  if (token !== undefined) tokens.push(token);
  const response = await fetch(`http://127.0.0.1:${gate.httpPort}/hooks`, {
    method: 'POST',
    headers: { ...webhookHeaders(token), 'x-request-id': `req-${outcomes.length}` },
  });
  outcomes.push(
    response.status === 200
      ? 'allow'
      : (response.headers.get('x-pps-gate-reason') ?? String(response.status)),
  );
}

beforeAll(async () => {
  [trusted, down, stranger] = await Promise.all([
    startLocalIssuer({ project: 'ops-trusted' }),
    startLocalIssuer({ project: 'ops-down' }),
    startLocalIssuer({ project: 'ops-stranger' }),
  ]);
  down.mode = 'down';
  metrics = new GateMetrics();
  const logger = createLogger('info', { format: 'json', destination: capture });
  gate = await startLoopbackGate(
    [
      { issuer: trusted.issuer, audiences: [trusted.audience] },
      { issuer: down.issuer, audiences: '*' },
    ],
    'observability test',
    { logger, metrics, now },
  );
  client = createEnvoyAuthClient(`127.0.0.1:${gate.grpcPort}`);
  oldKid = trusted.publishedKids[0]!;
  const nowSec = Math.floor(clockMs / 1000);

  // Within the 30 s refetch cooldown after the prefetch: no fetch can happen.
  for (let i = 0; i < 3; i++) await grpc(await trusted.sign());
  await http(await trusted.sign());
  await http(await trusted.sign());
  await grpc(await trusted.sign({ claims: { iat: nowSec - 7200, exp: nowSec - 3600 } }));
  await grpc(await trusted.sign({ claims: { iat: nowSec - 7200, exp: nowSec - 3600 } }));
  await grpc(await stranger.sign());
  await grpc(await trusted.sign(), { 'x-pps-webhook-id': 'not-a-uuid' });
  await grpc(await down.sign());
  await http(undefined);
  // Past the cooldown: an unpublished kid triggers one refetch that proves it absent (403).
  clockMs += 31_000;
  await grpc(await trusted.sign({ key: await trusted.unpublishedKey() }));
  // Past it again: a rotation (new key in, old key out) is picked up by the next refetch.
  clockMs += 31_000;
  newKid = (await trusted.rotate()).kid;
  trusted.unpublish(oldKid);
  await grpc(await trusted.sign());
  // An hour later with the issuer down: nothing refreshes, the set is stale but still served.
  trusted.mode = 'down';
  clockMs += 3601_000;
  ({ families, contentType } = await scrape(gate.adminPort));
});

afterAll(async () => {
  client?.close();
  await gate?.close(1000);
  await Promise.all([trusted?.close(), down?.close(), stranger?.close()]);
});

describe('after a scripted mix of 13 checks', () => {
  it('answered each check as scripted', () => {
    expect(outcomes).toEqual([
      'allow',
      'allow',
      'allow',
      'allow',
      'allow',
      'token_expired',
      'token_expired',
      'untrusted_issuer',
      'invalid_webhook_headers',
      'keys_unavailable',
      'missing_token',
      'unknown_key',
      'allow',
    ]);
  });

  it('serves /metrics as Prometheus text with every decision counted exactly by decision, reason, issuer and transport', () => {
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const series = families
      .get('pps_gate_decisions_total')!
      .samples.map((s) => [
        s.labels.decision,
        s.labels.reason,
        s.labels.issuer,
        s.labels.transport,
        s.value,
      ]);
    expect(series.sort()).toEqual(
      [
        ['allow', '', trusted.issuer, 'grpc', 4],
        ['allow', '', trusted.issuer, 'http', 2],
        ['deny', 'token_expired', trusted.issuer, 'grpc', 2],
        ['deny', 'untrusted_issuer', '', 'grpc', 1],
        ['deny', 'invalid_webhook_headers', trusted.issuer, 'grpc', 1],
        ['deny', 'keys_unavailable', down.issuer, 'grpc', 1],
        ['deny', 'unknown_key', trusted.issuer, 'grpc', 1],
        ['deny', 'missing_token', '', 'http', 1],
      ].sort(),
    );
    expect(families.get('pps_gate_decisions_total')!.type).toBe('counter');
  });

  it('observes every check once in the latency histogram and leaves none in flight', () => {
    expect(families.get('pps_gate_check_duration_seconds')!.type).toBe('histogram');
    expect(
      sampleValue(
        families,
        'pps_gate_check_duration_seconds',
        { transport: 'grpc' },
        'pps_gate_check_duration_seconds_count',
      ),
    ).toBe(10);
    expect(
      sampleValue(
        families,
        'pps_gate_check_duration_seconds',
        { transport: 'http' },
        'pps_gate_check_duration_seconds_count',
      ),
    ).toBe(3);
    expect(sampleValue(families, 'pps_gate_checks_in_flight')).toBe(0);
  });

  it('counts JWKS fetches by issuer and result, and key ids added and removed after the first fetch', () => {
    const fetches = families
      .get('pps_gate_jwks_fetches_total')!
      .samples.map((s) => [s.labels.issuer, s.labels.result, s.value]);
    expect(fetches.sort()).toEqual(
      [
        [down.issuer, 'failure', 1],
        [trusted.issuer, 'success', 3],
      ].sort(),
    );
    const changes = families
      .get('pps_gate_jwks_key_changes_total')!
      .samples.map((s) => [s.labels.issuer, s.labels.change, s.value]);
    expect(changes.sort()).toEqual(
      [
        [trusted.issuer, 'added', 1],
        [trusted.issuer, 'removed', 1],
      ].sort(),
    );
  });

  it('computes key-set age, staleness, key count and failures per issuer at scrape time', () => {
    expect(sampleValue(families, 'pps_gate_jwks_age_seconds', { issuer: trusted.issuer })).toBe(
      3601,
    );
    expect(families.get('pps_gate_jwks_age_seconds')!.samples).toHaveLength(1); // never fetched: no age
    expect(sampleValue(families, 'pps_gate_jwks_stale', { issuer: trusted.issuer })).toBe(1);
    expect(sampleValue(families, 'pps_gate_jwks_stale', { issuer: down.issuer })).toBe(0);
    expect(sampleValue(families, 'pps_gate_jwks_keys', { issuer: trusted.issuer })).toBe(1);
    expect(sampleValue(families, 'pps_gate_jwks_keys', { issuer: down.issuer })).toBe(0);
    expect(
      sampleValue(families, 'pps_gate_jwks_consecutive_failures', { issuer: down.issuer }),
    ).toBe(1);
  });

  it('exports the active config hash and process metrics', () => {
    expect(
      sampleValue(families, 'pps_gate_config_info', { hash: gate.snapshot.current()!.hash }),
    ).toBe(1);
    expect(families.get('pps_gate_config_info')!.samples).toHaveLength(1);
    expect(sampleValue(families, 'pps_gate_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(families.get('pps_gate_nodejs_heap_size_used_bytes')?.type).toBe('gauge');
  });

  it('agrees with prom-client’s own JSON view of the registry, series for series', async () => {
    const json = await metrics.registry.getMetricsAsJSON();
    for (const name of [
      'pps_gate_decisions_total',
      'pps_gate_jwks_fetches_total',
      'pps_gate_jwks_key_changes_total',
    ]) {
      const fromJson = json
        .find((m) => m.name === name)!
        .values.map((v) => JSON.stringify([v.labels, v.value]));
      const fromText = families.get(name)!.samples.map((s) => JSON.stringify([s.labels, s.value]));
      expect(fromText.sort()).toEqual(fromJson.sort());
    }
  });

  it('keeps every label value bounded: no token, tenant, webhook or request id ever becomes a label', () => {
    const allowed = new Set(['', trusted.issuer, down.issuer]);
    for (const family of families.values()) {
      for (const sample of family.samples) {
        if (sample.labels.issuer !== undefined)
          expect(allowed.has(sample.labels.issuer)).toBe(true);
        for (const value of Object.values(sample.labels))
          expect(value).not.toMatch(/OU1243|req-|[0-9a-f]{8}-[0-9a-f]{4}-|eyJ/);
      }
    }
  });

  it('logs one JSON line per decision with its fields, and never a token', () => {
    const entries = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const decisions = entries.filter((e) => e.msg === 'allow' || e.msg === 'deny');
    expect(decisions.map((e) => (e.decision === 'allow' ? 'allow' : e.reason))).toEqual(outcomes);
    decisions.forEach((entry, index) => {
      const level = entry.reason === 'keys_unavailable' ? 'warn' : 'info'; // an outage is worth a warning
      expect(entry).toMatchObject({
        level,
        service: 'pps-gate',
        requestId: `req-${index}`,
        tenant: 'OU1243',
        topic: 'orders/placed',
      });
      expect(entry.webhookId).toMatch(/^[0-9a-f-]{36}$|^not-a-uuid$/);
      expect(typeof entry.latencyMs).toBe('number');
      expect(typeof entry.time).toBe('string');
      if (entry.decision === 'allow')
        expect(entry).toMatchObject({ issuer: trusted.issuer, subject: 'pps-webhook-sender' });
      else expect(typeof entry.detail).toBe('string');
      expect(entry).not.toHaveProperty('redactedClaims'); // only at debug
    });
    expect(decisions.find((e) => e.reason === 'keys_unavailable')).toMatchObject({
      issuer: down.issuer,
    });
    const everything = logLines.join('\n');
    expect(tokens).toHaveLength(12);
    for (const token of tokens) {
      for (const part of token.split('.')) expect(everything).not.toContain(part);
    }
  });

  it('logs a kid appearing and a kid disappearing at info', () => {
    const change = logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((e) => e.msg === 'issuer key set changed');
    expect(change).toMatchObject({
      level: 'info',
      issuer: trusted.issuer,
      added: [newKid],
      removed: [oldKid],
    });
  });

  it('lists cached key ids, algorithms, fetch time, age and staleness per issuer on /keys', async () => {
    const body = (await (await fetch(`http://127.0.0.1:${gate.adminPort}/keys`)).json()) as {
      issuers: Record<string, unknown>[];
    };
    expect(body.issuers).toHaveLength(2);
    const entry = body.issuers.find((i) => i.issuer === trusted.issuer);
    expect(entry).toMatchObject({
      keys: [{ kid: newKid, alg: 'RS256', type: 'rsa' }],
      ageSeconds: 3601,
      stale: true,
      usable: true,
      consecutiveFailures: 0,
    });
    expect(new Date(entry!.fetchedAt as string).getTime()).toBe(clockMs - 3601_000);
    expect(body.issuers.find((i) => i.issuer === down.issuer)).toMatchObject({
      keys: [],
      fetchedAt: null,
      ageSeconds: null,
      stale: false,
      usable: false,
    });
    expect(JSON.stringify(body)).not.toMatch(/"(n|e|d|x|y)":/); // ids only, no key material
  });

  it('shows the active config with its hash on /config, audiences and algorithms as arrays', async () => {
    const body = (await (
      await fetch(`http://127.0.0.1:${gate.adminPort}/config`)
    ).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      hash: gate.snapshot.current()!.hash,
      source: 'observability test',
      issuers: [
        {
          issuer: trusted.issuer,
          audiences: [trusted.audience],
          jwksUri: null,
          forwardToken: false,
        },
        { issuer: down.issuer, audiences: '*' },
      ],
      jwks: { cacheTtlSeconds: 3600, minRefreshIntervalSeconds: 30, maxStalenessSeconds: 86400 },
      allowInsecureHttp: true,
    });
    expect((body.issuers as { algorithms: unknown }[])[0]!.algorithms).toContain('RS256');
  });
});
