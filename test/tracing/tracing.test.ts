// Tracing as a unit: a check continues the caller's trace (W3C traceparent, B3 single and multi),
// nested work becomes child spans across awaits, and spans reach an OTLP/HTTP receiver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { startTracing, type GateTracer } from '../../src/telemetry/tracing.js';

let receiver: OtlpReceiver;
let tracer: GateTracer;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  tracer = await startTracing({
    endpoint: receiver.endpoint,
    serviceVersion: '9.9.9',
    exportImmediately: true,
  });
});

afterAll(async () => {
  await tracer.shutdown();
  await receiver.close();
});

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

function headers(values: Record<string, string>): (name: string) => string | undefined {
  return (name) => values[name];
}

describe('startTracing', () => {
  it('continues a W3C traceparent and parents nested spans across awaits', async () => {
    const result = await tracer.inCheck(
      headers({ traceparent: `00-${TRACE}-${PARENT}-01` }),
      { 'pps_gate.transport': 'grpc' },
      async () => {
        await tracer.inSpan('key lookup', { 'pps_gate.issuer': 'https://i.example' }, async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return tracer.inSpan('jwks fetch', {}, () => 'fetched');
        });
        return 'deny';
      },
      (decision) => ({ 'pps_gate.decision': decision, error: true }),
    );
    expect(result).toBe('deny');
    await receiver.waitFor((spans) => spans.filter((s) => s.traceId === TRACE).length === 3);
    const spans = receiver.spans.filter((s) => s.traceId === TRACE);
    const check = spans.find((s) => s.name === 'pps-gate check')!;
    const lookup = spans.find((s) => s.name === 'key lookup')!;
    const fetch = spans.find((s) => s.name === 'jwks fetch')!;
    expect(check.parentSpanId).toBe(PARENT);
    expect(check.kind).toBe(2); // SPAN_KIND_SERVER
    expect(check.attributes).toEqual({ 'pps_gate.transport': 'grpc', 'pps_gate.decision': 'deny' });
    expect(check.status.code).toBe(2); // STATUS_CODE_ERROR
    expect(lookup.parentSpanId).toBe(check.spanId);
    expect(fetch.parentSpanId).toBe(lookup.spanId);
    expect(check.resource).toMatchObject({
      'service.name': 'pps-gate',
      'service.version': '9.9.9',
    });
  });

  it('continues B3 single-header and multi-header contexts', async () => {
    const single = 'a'.repeat(32);
    const multi = 'b'.repeat(32);
    tracer.inCheck(headers({ b3: `${single}-${PARENT}-1` }), {}, () => 1);
    tracer.inCheck(
      headers({ 'x-b3-traceid': multi, 'x-b3-spanid': PARENT, 'x-b3-sampled': '1' }),
      {},
      () => 2,
    );
    await receiver.waitFor((spans) =>
      [single, multi].every((id) => spans.some((s) => s.traceId === id)),
    );
    for (const id of [single, multi])
      expect(receiver.spans.find((s) => s.traceId === id)!.parentSpanId).toBe(PARENT);
  });

  it('starts a new trace when the request carries none, and ends a span whose work throws', async () => {
    expect(() =>
      tracer.inCheck(headers({}), {}, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    await receiver.waitFor((spans) =>
      spans.some((s) => s.status.code === 2 && s.parentSpanId === ''),
    );
    expect(receiver.rejected).toEqual([]);
  });
});
