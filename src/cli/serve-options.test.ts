// serve's tracing options: off unless an endpoint is given, each bad value named with its variable.
import { describe, expect, it } from 'vitest';
import { parseServeOptions, UsageError } from './serve-options.js';

const base = ['--config', '/etc/pps-gate/issuers.yaml'];

describe('parseServeOptions tracing flags', () => {
  it('leaves tracing off by default, sampling everything once on', () => {
    expect(parseServeOptions(base, {})).toMatchObject({
      otlpEndpoint: undefined,
      traceSampleRatio: 1,
    });
  });

  it('takes the endpoint and ratio from flags or PPS_GATE_* variables', () => {
    expect(
      parseServeOptions(
        [...base, '--otlp-endpoint', 'http://otel:4318/v1/traces', '--trace-sample-ratio', '0.25'],
        {},
      ),
    ).toMatchObject({ otlpEndpoint: 'http://otel:4318/v1/traces', traceSampleRatio: 0.25 });
    expect(
      parseServeOptions(base, { PPS_GATE_OTLP_ENDPOINT: 'https://collector.example/v1/traces' }),
    ).toMatchObject({ otlpEndpoint: 'https://collector.example/v1/traces' });
  });

  it('refuses an endpoint that is not an http(s) URL and a ratio outside 0..1, naming the variable', () => {
    expect(() => parseServeOptions([...base, '--otlp-endpoint', 'otel:4318'], {})).toThrow(
      new UsageError('--otlp-endpoint (PPS_GATE_OTLP_ENDPOINT): "otel:4318" is not an http(s) URL'),
    );
    expect(() => parseServeOptions(base, { PPS_GATE_TRACE_SAMPLE_RATIO: '1.5' })).toThrow(
      '--trace-sample-ratio (PPS_GATE_TRACE_SAMPLE_RATIO): "1.5" is not a number from 0 to 1',
    );
  });
});
