// The logging flags of `pps-gate serve`: format and allow sampling, each with its PPS_GATE_* variable.
import { describe, expect, it } from 'vitest';
import { parseServeOptions, UsageError } from '../../src/cli/serve-options.js';

const base = ['--config', 'c.yaml'];

describe('serve logging options', () => {
  it('defaults to auto format and logging every allow', () => {
    expect(parseServeOptions(base, {})).toMatchObject({ logFormat: 'auto', logAllowSampleRate: 1 });
  });

  it('takes --log-format and --log-allow-sample-rate, or their environment variables', () => {
    expect(
      parseServeOptions([...base, '--log-format', 'json', '--log-allow-sample-rate', '0.05'], {}),
    ).toMatchObject({ logFormat: 'json', logAllowSampleRate: 0.05 });
    expect(
      parseServeOptions(base, {
        PPS_GATE_LOG_FORMAT: 'pretty',
        PPS_GATE_LOG_ALLOW_SAMPLE_RATE: '0',
      }),
    ).toMatchObject({ logFormat: 'pretty', logAllowSampleRate: 0 });
  });

  it.each([
    [['--log-format', 'xml'], /--log-format \(PPS_GATE_LOG_FORMAT\): "xml"/],
    [
      ['--log-allow-sample-rate', '1.5'],
      /--log-allow-sample-rate .*"1\.5" is not a number from 0 to 1/,
    ],
    [['--log-allow-sample-rate=-0.1'], /"-0\.1" is not a number/],
    [['--log-allow-sample-rate', 'half'], /"half"/],
  ])('rejects %j naming the flag and its variable', (flags, message) => {
    expect(() => parseServeOptions([...base, ...flags], {})).toThrow(UsageError);
    expect(() => parseServeOptions([...base, ...flags], {})).toThrow(message);
  });
});
