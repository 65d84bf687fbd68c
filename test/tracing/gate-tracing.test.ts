// Tracing in the built gate (`serve --otlp-endpoint`): a Check continues the trace context Envoy
// passes in the CheckRequest headers (W3C traceparent, Zipkin B3) and the gate exports spans for
// the check, its key lookup, an on-demand JWKS fetch and the signature verification to an
// in-process OTLP/HTTP receiver. Spans name reasons and issuers, never the token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import {
  createEnvoyAuthClient,
  headersCheckRequest,
  type EnvoyAuthClient,
} from '../support/envoy-client.js';
import {
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '../support/otlp-receiver.js';
import { startGateProcess, type GateProcess } from '../support/start-gate-process.js';
import { webhookHeaders } from '../support/webhook-fixtures.js';

let issuer: LocalIssuer;
let receiver: OtlpReceiver;
let gate: GateProcess;
let client: EnvoyAuthClient;

beforeAll(async () => {
  issuer = await startLocalIssuer({ project: 'traced' });
  receiver = await startOtlpReceiver();
  gate = await startGateProcess({
    config: {
      issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }],
      allowInsecureHttp: true,
      jwks: { minRefreshIntervalSeconds: 1 },
    },
    args: ['--otlp-endpoint', receiver.endpoint],
    // The batch processor's own setting: export within 100 ms instead of 5 s.
    env: { OTEL_BSP_SCHEDULE_DELAY: '100' },
  });
  client = createEnvoyAuthClient(gate.grpcAddress);
}, 30_000);

afterAll(async () => {
  client?.close();
  await gate?.stop();
  await receiver?.close();
  await issuer?.close();
});

const trace = (id: string): ReceivedSpan[] => receiver.spans.filter((s) => s.traceId === id);

describe('serve --otlp-endpoint', () => {
  it('continues a traceparent from the CheckRequest and records key lookup and verification', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const token = await issuer.sign();
    await client.check(
      headersCheckRequest({
        ...webhookHeaders(token),
        traceparent: `00-${traceId}-b7ad6b7169203331-01`,
      }),
    );
    await receiver.waitFor(() => trace(traceId).length >= 3);
    const spans = trace(traceId);
    const check = spans.find((s) => s.name === 'pps-gate check')!;
    expect(check.parentSpanId).toBe('b7ad6b7169203331');
    expect(check.attributes).toMatchObject({
      'pps_gate.transport': 'grpc',
      'pps_gate.decision': 'allow',
      'pps_gate.issuer': issuer.issuer,
    });
    const lookup = spans.find((s) => s.name === 'key lookup')!;
    const verify = spans.find((s) => s.name === 'verify signature')!;
    expect(lookup.parentSpanId).toBe(check.spanId);
    expect(lookup.attributes).toMatchObject({ 'pps_gate.key': 'key' });
    expect(verify.parentSpanId).toBe(check.spanId);
    expect(verify.attributes).toMatchObject({ 'pps_gate.verified': true });
    expect(check.resource).toMatchObject({ 'service.name': 'pps-gate' });
    for (const span of receiver.spans)
      expect(JSON.stringify(span)).not.toContain(token.split('.')[2]!);
  });

  it('records the on-demand JWKS fetch of a rotated key under the key lookup of a B3 trace', async () => {
    const traceId = '80f198ee56343ba864fe8b2a57d3eff7';
    await issuer.rotate();
    // The cooldown since the start-up fetch (1 s) must have passed for a refetch.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const response = await client.check(
      headersCheckRequest({
        ...webhookHeaders(await issuer.sign()),
        b3: `${traceId}-e457b5a2e4d86bd1-1`,
      }),
    );
    expect(response.status?.code).toBe(0);
    await receiver.waitFor(() => trace(traceId).some((s) => s.name === 'jwks fetch'));
    const spans = trace(traceId);
    const check = spans.find((s) => s.name === 'pps-gate check')!;
    const lookup = spans.find((s) => s.name === 'key lookup')!;
    const fetch = spans.find((s) => s.name === 'jwks fetch')!;
    expect(check.parentSpanId).toBe('e457b5a2e4d86bd1');
    expect(lookup.parentSpanId).toBe(check.spanId);
    expect(fetch.parentSpanId).toBe(lookup.spanId);
    expect(fetch.attributes).toMatchObject({ 'pps_gate.issuer': issuer.issuer });
  });

  it('marks a retryable deny as an error and a permanent one as an answer', async () => {
    const retryTrace = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    const denyTrace = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
    await client.check(
      headersCheckRequest({
        ...webhookHeaders(await issuer.sign({ key: await issuer.unpublishedKey() })),
        traceparent: `00-${retryTrace}-b7ad6b7169203331-01`,
      }),
    );
    await client.check(
      headersCheckRequest({
        ...webhookHeaders(undefined),
        traceparent: `00-${denyTrace}-b7ad6b7169203331-01`,
      }),
    );
    await receiver.waitFor(
      () =>
        trace(retryTrace).length > 0 && trace(denyTrace).some((s) => s.name === 'pps-gate check'),
    );
    const denied = trace(denyTrace).find((s) => s.name === 'pps-gate check')!;
    expect(denied.attributes).toMatchObject({
      'pps_gate.decision': 'deny',
      'pps_gate.reason': 'missing_token',
    });
    expect(denied.status.code ?? 0).not.toBe(2);
    const unknownKid = trace(retryTrace).find((s) => s.name === 'pps-gate check')!;
    // Within the refetch cooldown an unknown kid is keys_unavailable (503, an error); after it,
    // a fresh key set proves it absent: unknown_key (403, an answer).
    const reason = unknownKid.attributes['pps_gate.reason'];
    expect(['keys_unavailable', 'unknown_key']).toContain(reason);
    expect(unknownKid.status.code === 2).toBe(reason === 'keys_unavailable');
  });
});
