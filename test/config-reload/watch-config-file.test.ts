// The file config source under kubelet's exact atomic-writer sequence (timestamped directories,
// a `..data` symlink swap, the file a symlink through it), plus plain files and no-inotify mounts.
import { lstatSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startConfigReloader } from '../../src/config/config-reloader.js';
import { ConfigSnapshot } from '../../src/config/config-snapshot.js';
import type { ConfigSource } from '../../src/config/config-source.js';
import type { GateConfig } from '../../src/config/gate-config.js';
import { parseConfig } from '../../src/config/parse-config.js';
import { watchConfigFile } from '../../src/config/watch-config-file.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { GateMetrics } from '../../src/telemetry/metrics.js';
import { KubeletAtomicWriter } from './kubelet-atomic-writer.js';
import { RecordingListener, waitUntil, waitUntilAsync } from './recording-listener.js';

const KEY = 'issuers.yaml';
const issuersYaml = (...issuers: string[]): string =>
  `issuers:\n${issuers.map((issuer) => `  - issuer: ${issuer}\n    audiences: [pps-project]\n`).join('')}`;

describe('watchConfigFile on a kubelet-style ConfigMap volume', () => {
  let dir: string;
  let writer: KubeletAtomicWriter;
  let source: ConfigSource | undefined;
  let seen: RecordingListener;
  const path = (): string => join(dir, KEY);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pps-gate-configmap-volume-'));
    writer = new KubeletAtomicWriter(dir);
    seen = new RecordingListener();
  });
  afterEach(async () => {
    await source?.close();
    source = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function start(options: { pollIntervalMs?: number; noInotify?: boolean } = {}): void {
    source = watchConfigFile({
      path: path(),
      debounceMs: 20,
      // Long enough that only directory events can explain a prompt delivery.
      pollIntervalMs: options.pollIntervalMs ?? 60_000,
      ...(options.noInotify ? { watchDirectory: () => ({ close: () => undefined }) } : {}),
    });
    source.start(seen);
  }

  it('delivers every atomic update although the configured file is a symlink through ..data', async () => {
    writer.write({ [KEY]: 'v1' });
    expect(lstatSync(path()).isSymbolicLink()).toBe(true);
    start();
    await waitUntil(() => seen.last('content') === 'v1', 'the initial read');
    for (const version of ['v2', 'v3', 'v4']) {
      expect(writer.write({ [KEY]: version })).toBe(true);
      await waitUntil(() => seen.last('content') === version, version);
    }
    expect(seen.of('failed')).toEqual([]);
  });

  it('settles on the last of several quick successive swaps, never going back to an older one', async () => {
    writer.write({ [KEY]: 'v0' });
    start();
    await waitUntil(() => seen.last('content') === 'v0', 'the initial read');
    const versions = ['v1', 'v2', 'v3', 'v4', 'v5', 'v6'];
    for (const version of versions) writer.write({ [KEY]: version });
    await waitUntil(() => seen.last('content') === 'v6', 'the last swap');
    const delivered = seen.of('content').map((v) => Number(v.slice(1)));
    expect(delivered).toEqual([...delivered].sort((a, b) => a - b));
  });

  it('reports the key vanishing from the volume once, and delivers it when it comes back', async () => {
    writer.write({ [KEY]: 'v1' });
    start();
    await waitUntil(() => seen.last('content') === 'v1', 'the initial read');
    writer.write({ 'other.yaml': 'x' });
    await waitUntil(() => seen.of('missing').length === 1, 'the missing key');
    writer.write({ 'other.yaml': 'y' });
    writer.write({ [KEY]: 'v2', 'other.yaml': 'y' });
    await waitUntil(() => seen.last('content') === 'v2', 'the key coming back');
    expect(seen.of('missing')).toHaveLength(1);
  });

  it('follows a plain file replaced by rename, as editors and config tools do', async () => {
    writeFileSync(path(), 'v1');
    start();
    await waitUntil(() => seen.last('content') === 'v1', 'the initial read');
    writeFileSync(join(dir, '.issuers.yaml.tmp'), 'v2');
    renameSync(join(dir, '.issuers.yaml.tmp'), path());
    await waitUntil(() => seen.last('content') === 'v2', 'the renamed file');
    writeFileSync(path(), 'v3');
    await waitUntil(() => seen.last('content') === 'v3', 'the in-place write');
  });

  it('picks up updates by polling alone where the filesystem sends no events (virtio-fs, NFS)', async () => {
    writer.write({ [KEY]: 'v1' });
    start({ pollIntervalMs: 30, noInotify: true });
    await waitUntil(() => seen.last('content') === 'v1', 'the initial read');
    writer.write({ [KEY]: 'v2' });
    await waitUntil(() => seen.last('content') === 'v2', 'the polled update');
  });
});

describe('file source + reloader across a swap to invalid content and back', () => {
  it('keeps the last good config through an invalid swap, ignores a swap back to it, applies the next real change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pps-gate-configmap-volume-'));
    const writer = new KubeletAtomicWriter(dir);
    const path = join(dir, KEY);
    const good = issuersYaml('https://issuer.example/a');
    writer.write({ [KEY]: good });
    const metrics = new GateMetrics({ processMetrics: false });
    const applied: GateConfig[] = [];
    const snapshot = new ConfigSnapshot(parseConfig(good, path));
    snapshot.onSwap((next) => applied.push(next));
    const reloader = startConfigReloader({
      source: watchConfigFile({ path, debounceMs: 20, pollIntervalMs: 60_000 }),
      snapshot,
      initialText: good,
      logger: createLogger('silent'),
      metrics,
    });
    const count = async (result: string): Promise<number> =>
      (await metrics.configReloads.get()).values.find(
        (v) => v.labels.result === result && v.labels.source === 'file',
      )?.value ?? 0;
    try {
      writer.write({ [KEY]: 'issuers: [\n  - not: closed' });
      await waitUntilAsync(
        async () => (await count('invalid')) === 1,
        'the invalid swap to be rejected',
      );
      expect(snapshot.current()?.issuers.has('https://issuer.example/a')).toBe(true);
      writer.write({ [KEY]: `# same issuers, new comment\n${good}` });
      await waitUntilAsync(async () => (await count('unchanged')) === 1, 'the swap back');
      writer.write({ [KEY]: issuersYaml('https://issuer.example/a', 'https://issuer.example/b') });
      await waitUntil(() => applied.length === 1, 'the real change');
      expect([...applied[0]!.issuers.keys()]).toEqual([
        'https://issuer.example/a',
        'https://issuer.example/b',
      ]);
      expect(snapshot.current()?.hash).toBe(applied[0]!.hash);
      expect(await count('success')).toBe(1);
    } finally {
      await reloader.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
