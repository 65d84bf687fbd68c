import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../telemetry/logger.js';
import { GateMetrics } from '../telemetry/metrics.js';
import { startConfigReloader, type ConfigReloaderOptions } from './config-reloader.js';
import { ConfigSnapshot } from './config-snapshot.js';
import type { ConfigSource, ConfigSourceListener } from './config-source.js';
import type { GateConfig } from './gate-config.js';
import { ConfigError, parseConfig } from './parse-config.js';

const A = 'issuers:\n  - issuer: https://issuer.example/a\n    audiences: [pps]\n';
const AB = `${A}  - issuer: https://issuer.example/b\n    audiences: [pps]\n`;

/** A source the test drives by hand. */
function handSource(): ConfigSource & { emit: ConfigSourceListener } {
  let listener: ConfigSourceListener | undefined;
  return {
    kind: 'api',
    description: 'authz/issuers#issuers.yaml',
    start: (next) => void (listener = next),
    close: () => Promise.resolve(),
    emit: {
      content: (text) => listener!.content(text),
      missing: (detail) => listener!.missing(detail),
      failed: (detail) => listener!.failed(detail),
    },
  };
}

function setup(initialText: string | undefined) {
  const source = handSource();
  const metrics = new GateMetrics({ processMetrics: false });
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _enc, done) => (
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>),
      done()
    ),
  });
  const applied: GateConfig[] = [];
  const rejectedAtStart: ConfigError[] = [];
  let clockMs = 1_700_000_000_000;
  const snapshot = new ConfigSnapshot(
    initialText === undefined ? undefined : parseConfig(initialText, 'test'),
  );
  snapshot.onSwap((next) => applied.push(next));
  const options: ConfigReloaderOptions = {
    source,
    snapshot,
    initialText,
    onInvalidAtStart: (error) => rejectedAtStart.push(error),
    logger: createLogger('debug', { format: 'json', destination: sink }),
    metrics,
    now: () => clockMs,
  };
  const reloader = startConfigReloader(options);
  const count = async (result: string): Promise<number> =>
    (await metrics.configReloads.get()).values.find(
      (v) => v.labels.result === result && v.labels.source === 'api',
    )?.value ?? 0;
  const activeHash = async (): Promise<string | undefined> =>
    (await metrics.configInfo.get()).values.find((v) => v.value === 1)?.labels.hash as
      string | undefined;
  return {
    source,
    metrics,
    lines,
    applied,
    rejectedAtStart,
    snapshot,
    reloader,
    count,
    activeHash,
    tick: (ms: number) => (clockMs += ms),
  };
}

describe('startConfigReloader', () => {
  it('applies a changed config once, counts success and records its hash and load time', async () => {
    const t = setup(A);
    t.tick(5000);
    t.source.emit.content(AB);
    expect(t.applied).toHaveLength(1);
    expect([...t.applied[0]!.issuers.keys()]).toEqual([
      'https://issuer.example/a',
      'https://issuer.example/b',
    ]);
    expect(t.snapshot.current()).toBe(t.applied[0]);
    expect(await t.count('success')).toBe(1);
    expect(await t.activeHash()).toBe(t.applied[0]!.hash);
    expect((await t.metrics.configLastSuccess.get()).values[0]!.value).toBe(1_700_000_005);
    expect(t.lines.find((l) => l.msg === 'config reloaded')).toMatchObject({
      added: ['https://issuer.example/b'],
      removed: [],
    });
  });

  it('ignores text identical to what it last saw, without counting it', async () => {
    const t = setup(A);
    t.source.emit.content(A);
    t.source.emit.content(A);
    expect(t.applied).toEqual([]);
    expect((await t.metrics.configReloads.get()).values).toEqual([]);
  });

  it('counts an edit that changes only comments or formatting as unchanged and applies nothing', async () => {
    const t = setup(A);
    t.source.emit.content(`# reviewed by platform\n${A}`);
    expect(t.applied).toEqual([]);
    expect(await t.count('unchanged')).toBe(1);
  });

  it.each([
    ['bad YAML', 'issuers: [\n  - oops', 'not valid YAML'],
    ['an unknown key', `${A}cacheTtl: 5\n`, 'unknown key "cacheTtl"'],
    ['an empty issuer list', 'issuers: []\n', 'issuers: list at least one trusted issuer'],
    [
      'a non-https issuer without allowInsecureHttp',
      'issuers:\n  - issuer: http://issuer.example/a\n    audiences: [pps]\n',
      'issuers[0].issuer: "http://issuer.example/a" must use https',
    ],
  ])(
    'keeps the last good config on %s, logging one error that names the field',
    async (_case, text, message) => {
      const t = setup(A);
      const before = t.snapshot.current();
      t.source.emit.content(text);
      expect(t.applied).toEqual([]);
      expect(t.snapshot.current()).toBe(before);
      expect(await t.count('invalid')).toBe(1);
      expect(await t.activeHash()).toBe(before!.hash);
      const errors = t.lines.filter((l) => l.level === 'error' || l.level === 'fatal');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.error).toContain(message);
      expect(errors[0]!.error).toContain('authz/issuers#issuers.yaml');
    },
  );

  it('keeps serving when the source reports the config gone or failing, and re-judges it when it returns', async () => {
    const t = setup(A);
    t.source.emit.missing('ConfigMap authz/issuers was deleted');
    t.source.emit.failed('HTTP 500');
    expect(t.snapshot.current()?.issuers.has('https://issuer.example/a')).toBe(true);
    expect(await t.count('deleted')).toBe(1);
    expect(await t.count('source_error')).toBe(1);
    t.source.emit.content(A);
    expect(await t.count('unchanged')).toBe(1);
    expect(t.applied).toEqual([]);
  });

  it('without a start-up config, swaps in the first valid one', () => {
    const t = setup(undefined);
    t.source.emit.missing('ConfigMap authz/issuers does not exist');
    expect(t.snapshot.current()).toBeUndefined();
    t.source.emit.content(A);
    const first = t.snapshot.current()!;
    expect(t.applied).toEqual([first]);
    expect([...first.issuers.keys()]).toEqual(['https://issuer.example/a']);
    expect(t.rejectedAtStart).toEqual([]);
  });

  it('without a start-up config, reports invalid first content as fatal at start-up and swaps nothing', () => {
    const t = setup(undefined);
    t.source.emit.content('issuers: []\n');
    expect(t.rejectedAtStart).toHaveLength(1);
    expect(t.rejectedAtStart[0]).toBeInstanceOf(ConfigError);
    expect(t.applied).toEqual([]);
    expect(t.snapshot.current()).toBeUndefined();
  });
});
