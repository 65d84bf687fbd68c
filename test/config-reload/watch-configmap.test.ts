// The Kubernetes API config source against a protocol-faithful stand-in for kube-apiserver:
// list-then-watch, resourceVersion bookkeeping, 410 Gone, stream ends, stalls, errors, deletes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigSource } from '../../src/config/config-source.js';
import {
  ConfigMapWatcher,
  type ConfigMapWatcherOptions,
} from '../../src/config/config-map-watcher.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../support/fake-kube-apiserver.js';
import { RecordingListener, waitUntil } from './recording-listener.js';

const NS = 'authz';
const NAME = 'pps-gate-issuers';
const KEY = 'issuers.yaml';

describe('ConfigMapWatcher against a stand-in kube-apiserver (list/watch protocol)', () => {
  let api: FakeKubeApiServer;
  let source: ConfigSource | undefined;
  let seen: RecordingListener;

  beforeEach(async () => {
    api = await startFakeKubeApiServer(NS);
    seen = new RecordingListener();
  });
  afterEach(async () => {
    await source?.close();
    source = undefined;
    await api.close();
  });

  function start(options: Partial<ConfigMapWatcherOptions> = {}): void {
    source = new ConfigMapWatcher({
      ref: { namespace: NS, name: NAME, key: KEY },
      kubeConfig: api.kubeConfig(),
      backoff: { initialMs: 10, maxMs: 50 },
      ...options,
    });
    source.start(seen);
  }
  const lists = (): number => api.requests.filter((r) => !r.watch).length;
  const watches = (): typeof api.requests => api.requests.filter((r) => r.watch);

  it('lists by name, then watches from the list resourceVersion and delivers every edit', async () => {
    const listRv = api.setConfigMap(NAME, { [KEY]: 'v1' });
    start({ watchTimeoutSeconds: 290 });
    await waitUntil(() => api.openWatches === 1, 'the watch');
    expect(seen.of('content')).toEqual(['v1']);
    expect(api.requests[0]).toMatchObject({ watch: false, fieldSelector: `metadata.name=${NAME}` });
    const watch = watches()[0]!;
    expect(watch).toMatchObject({
      resourceVersion: String(listRv),
      fieldSelector: `metadata.name=${NAME}`,
    });
    expect(watch.query.get('allowWatchBookmarks')).toBe('true');
    expect(watch.query.get('timeoutSeconds')).toBe('290');

    api.setConfigMap(NAME, { [KEY]: 'v2' });
    api.setConfigMap(NAME, { [KEY]: 'v3', other: 'x' });
    await waitUntil(() => seen.last('content') === 'v3', 'the third version');
    expect(seen.of('content')).toEqual(['v1', 'v2', 'v3']);
    expect(lists()).toBe(1);
  });

  it('re-watches from the last resourceVersion seen, a BOOKMARK included, when the server ends the stream', async () => {
    api.setConfigMap(NAME, { [KEY]: 'v1' });
    start();
    await waitUntil(() => api.openWatches === 1, 'the watch');
    // A change the name selector filters out moves the collection RV; only a BOOKMARK tells us.
    const bookmarkRv = api.setConfigMap('someone-elses-configmap', { a: 'b' });
    api.bookmark();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = watches().length;
    api.endWatches();
    await waitUntil(() => watches().length === before + 1 && api.openWatches === 1, 'the re-watch');
    expect(watches().at(-1)!.resourceVersion).toBe(String(bookmarkRv));
    expect(lists()).toBe(1);
    expect(seen.of('content')).toEqual(['v1']);
  });

  it('re-lists after an ERROR event carrying 410 Gone, and picks up what changed meanwhile', async () => {
    api.setConfigMap(NAME, { [KEY]: 'v1' });
    start();
    await waitUntil(() => api.openWatches === 1, 'the watch');
    api.stall = true;
    api.setConfigMap(NAME, { [KEY]: 'v2 (missed by the watch)' });
    api.stall = false;
    api.expireHistory();
    await waitUntil(() => seen.last('content') === 'v2 (missed by the watch)', 'the re-list');
    expect(lists()).toBe(2);
    expect(seen.of('failed')).toEqual([]);
  });

  it('re-lists after an HTTP 410 on re-watch from an expired resourceVersion', async () => {
    const firstRv = api.setConfigMap(NAME, { [KEY]: 'v1' });
    start();
    await waitUntil(() => api.openWatches === 1, 'the watch');
    api.goneAsHttpStatus = true;
    api.stall = true;
    api.setConfigMap(NAME, { [KEY]: 'v2' });
    api.stall = false;
    api.expireHistory(false);
    api.endWatches();
    await waitUntil(() => seen.last('content') === 'v2', 'the re-list');
    // The first watch and the re-watch that met the 410 both started from the first list's RV.
    expect(watches().filter((r) => r.resourceVersion === String(firstRv))).toHaveLength(2);
    expect(lists()).toBe(2);
  });

  it('reports a deleted ConfigMap and a removed key as missing once each, and delivers the config when it returns', async () => {
    start();
    await waitUntil(() => api.openWatches === 1, 'the watch');
    expect(seen.of('missing')).toEqual([`ConfigMap ${NS}/${NAME} does not exist`]);
    api.setConfigMap(NAME, { [KEY]: 'v1' });
    await waitUntil(() => seen.last('content') === 'v1', 'the created ConfigMap');
    api.setConfigMap(NAME, { 'wrong-key.yaml': 'v1' });
    api.setConfigMap(NAME, { 'still-wrong.yaml': 'v1' });
    await waitUntil(() => seen.of('missing').length === 2, 'the missing key');
    expect(seen.last('missing')).toBe(`ConfigMap ${NS}/${NAME} has no key "${KEY}"`);
    api.setConfigMap(NAME, { [KEY]: 'v2' });
    api.setConfigMap(NAME, undefined);
    await waitUntil(() => seen.of('missing').length === 3, 'the delete');
    expect(seen.last('missing')).toBe(`ConfigMap ${NS}/${NAME} was deleted`);
    expect(seen.of('content')).toEqual(['v1', 'v2']);
  });

  it('retries with backoff after failing lists (HTTP 500), reporting each failure, then serves normally', async () => {
    api.setConfigMap(NAME, { [KEY]: 'v1' });
    api.failNext(500, 3);
    start();
    await waitUntil(() => seen.last('content') === 'v1', 'the config after the failures');
    expect(seen.of('failed')).toHaveLength(3);
    expect(seen.of('failed')[0]).toContain('HTTP 500');
  });

  it('treats a watch that goes silent as dead, reconnects and re-lists (half-open TCP)', async () => {
    api.setConfigMap(NAME, { [KEY]: 'v1' });
    start({ stallMs: 200 });
    await waitUntil(() => api.openWatches === 1, 'the watch');
    api.stall = true;
    api.setConfigMap(NAME, { [KEY]: 'v2' });
    await waitUntil(() => seen.of('failed').length > 0, 'the stall to be noticed');
    expect(seen.of('failed')[0]).toContain('silent');
    api.stall = false;
    await waitUntil(() => seen.last('content') === 'v2', 'the update after reconnecting');
  });

  it('re-lists periodically even while the watch looks healthy', async () => {
    api.setConfigMap(NAME, { [KEY]: 'v1' });
    start({ relistIntervalMs: 100 });
    await waitUntil(() => lists() >= 3, 'two periodic re-lists');
    expect(seen.of('failed')).toEqual([]);
    // Re-listing repeats the same content; the reloader, not the source, ignores repeats.
    expect(new Set(seen.of('content'))).toEqual(new Set(['v1']));
  });

  it('never lists or watches without the name fieldSelector (RBAC resourceNames would refuse it)', async () => {
    api.setConfigMap(NAME, { [KEY]: 'v1' });
    start({ relistIntervalMs: 100 });
    await waitUntil(() => lists() >= 2, 'a re-list');
    expect(api.requests.every((r) => r.fieldSelector === `metadata.name=${NAME}`)).toBe(true);
  });

  it('closes its watch on close() and sends nothing afterwards', async () => {
    api.setConfigMap(NAME, { [KEY]: 'v1' });
    start();
    await waitUntil(() => api.openWatches === 1, 'the watch');
    await source!.close();
    await waitUntil(() => api.openWatches === 0, 'the watch to close');
    const count = api.requests.length;
    api.setConfigMap(NAME, { [KEY]: 'v2' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(api.requests.length).toBe(count);
    expect(seen.of('content')).toEqual(['v1']);
  });

  it('closes promptly even while a list hangs (shutdown never waits on the apiserver)', async () => {
    api.hangLists = true;
    start();
    await waitUntil(() => api.requests.length === 1, 'the hanging list');
    await source!.close();
    source = undefined;
    expect(seen.events).toEqual([]);
  });
});
