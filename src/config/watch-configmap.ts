// The Kubernetes API config source: list-then-watch one ConfigMap by name (a fieldSelector, which
// is what RBAC `resourceNames` needs for list/watch), following kubernetes.io "API Concepts": watch
// from the list's resourceVersion, re-watch from the last one seen when the stream ends, re-list on
// 410 Gone, reconnect with capped, jittered backoff on errors, reconnect when a watch goes silent,
// and re-list periodically so a silently dead watch cannot keep stale config forever.
import { CoreV1Api, Watch, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import type { ConfigSource, ConfigSourceListener } from './config-source.js';
import type { ConfigMapRef } from './config-source-ref.js';

export interface WatchConfigMapOptions {
  readonly ref: ConfigMapRef;
  readonly kubeConfig: KubeConfig;
  /** Asked of the server, which then ends each watch cleanly after about this long (client-go does so too). */
  readonly watchTimeoutSeconds?: number;
  /** A watch with no event and no end for this long is treated as dead (half-open TCP). */
  readonly stallMs?: number;
  readonly relistIntervalMs?: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly random?: () => number;
}

type WatchEnd = 'ended' | 'gone' | 'relist' | 'stopped';

const QUICK_END_MS = 1000;

function describeError(error: unknown): string {
  const { code, statusCode, message } = error as {
    code?: unknown;
    statusCode?: unknown;
    message?: string;
  };
  const status =
    typeof code === 'number' ? code : typeof statusCode === 'number' ? statusCode : undefined;
  // ApiException messages carry the whole response body; keep logs short.
  const text = (message ?? String(error)).replace(/\s+/g, ' ').slice(0, 200);
  return status === undefined ? text : `HTTP ${status}: ${text}`;
}

const asError = (error: unknown): Error =>
  error instanceof Error ? error : new Error(JSON.stringify(error));

export function watchConfigMap(options: WatchConfigMapOptions): ConfigSource {
  const { namespace, name, key } = options.ref;
  const timeoutSeconds = options.watchTimeoutSeconds ?? 290;
  const stallMs = options.stallMs ?? (timeoutSeconds + 60) * 1000;
  const relistIntervalMs = options.relistIntervalMs ?? 5 * 60_000;
  const backoff = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
  const random = options.random ?? Math.random;
  const api = options.kubeConfig.makeApiClient(CoreV1Api);
  const watcher = new Watch(options.kubeConfig);
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
  const fieldSelector = `metadata.name=${name}`;
  const where = `ConfigMap ${namespace}/${name}`;

  let listener: ConfigSourceListener | undefined;
  let closed = false;
  let missing = false;
  let resourceVersion = '';
  let wake: (() => void) | undefined;
  let stopWatch: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  let onClose: (() => void) | undefined;
  // A list that hangs must not hold up shutdown.
  const closing = new Promise<never>((_, reject) => (onClose = () => reject(new Error('closed'))));
  closing.catch(() => undefined);

  const setMissing = (detail: string): void => {
    if (!missing) listener?.missing(detail);
    missing = true;
  };

  const deliver = (configMap: V1ConfigMap | undefined): void => {
    if (closed) return;
    if (configMap === undefined) return setMissing(`${where} does not exist`);
    const binary = configMap.binaryData?.[key];
    const text =
      configMap.data?.[key] ??
      (binary === undefined ? undefined : Buffer.from(binary, 'base64').toString('utf8'));
    if (text === undefined) return setMissing(`${where} has no key "${key}"`);
    missing = false;
    listener?.content(text);
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const delay = (attempt: number): number =>
    Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt - 1, 20)) *
    (0.5 + random() / 2);

  const list = async (): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`list took longer than ${stallMs} ms`)), stallMs);
    });
    try {
      const result = await Promise.race([
        api.listNamespacedConfigMap({ namespace, fieldSelector }),
        timeout,
        closing,
      ]);
      deliver(result.items.find((item) => item.metadata?.name === name));
      resourceVersion = result.metadata?.resourceVersion ?? '';
    } finally {
      clearTimeout(timer);
    }
  };

  const watchOnce = (relistAtMs: number): Promise<WatchEnd> =>
    new Promise<WatchEnd>((resolve, reject) => {
      let settled = false;
      let controller: AbortController | undefined;
      let stallTimer: NodeJS.Timeout | undefined;
      const relistTimer = setTimeout(
        () => finish(() => resolve('relist')),
        Math.max(0, relistAtMs - Date.now()),
      );
      const finish = (settle: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(stallTimer);
        clearTimeout(relistTimer);
        stopWatch = undefined;
        controller?.abort();
        settle();
      };
      const armStall = (): void => {
        clearTimeout(stallTimer);
        stallTimer = setTimeout(
          () => finish(() => reject(new Error(`watch silent for ${stallMs} ms; reconnecting`))),
          stallMs,
        );
      };
      stopWatch = () => finish(() => resolve('stopped'));
      armStall();
      const query = { resourceVersion, fieldSelector, allowWatchBookmarks: true, timeoutSeconds };
      const onEvent = (
        type: string,
        object: V1ConfigMap & { code?: number; message?: string },
      ): void => {
        if (settled) return;
        armStall();
        if (type === 'ERROR') {
          if (object.code === 410) finish(() => resolve('gone'));
          else
            finish(() =>
              reject(new Error(`watch ERROR event ${object.code ?? '?'}: ${object.message ?? ''}`)),
            );
          return;
        }
        resourceVersion = object.metadata?.resourceVersion ?? resourceVersion;
        if (type === 'ADDED' || type === 'MODIFIED') deliver(object);
        else if (type === 'DELETED') setMissing(`${where} was deleted`);
      };
      const onDone = (error: unknown): void => {
        if (error === null || error === undefined) finish(() => resolve('ended'));
        else if ((error as { statusCode?: number }).statusCode === 410)
          finish(() => resolve('gone'));
        else finish(() => reject(asError(error)));
      };
      watcher.watch(path, query, onEvent, onDone).then(
        (created) => {
          controller = created;
          if (settled) created.abort();
        },
        (error: unknown) => finish(() => reject(asError(error))),
      );
    });

  const run = async (): Promise<void> => {
    let failures = 0;
    let quickEnds = 0;
    while (!closed) {
      try {
        await list();
        failures = 0;
        const relistAtMs = Date.now() + relistIntervalMs;
        for (;;) {
          if (closed) return;
          const startedAt = Date.now();
          const end = await watchOnce(relistAtMs);
          // A server that ends every watch at once must not turn this into a busy loop.
          quickEnds = Date.now() - startedAt < QUICK_END_MS ? quickEnds + 1 : 0;
          if (quickEnds > 1 && end !== 'stopped') await sleep(delay(quickEnds - 1));
          if (end !== 'ended') break;
        }
      } catch (error) {
        if (closed) return;
        failures++;
        listener?.failed(`${where}: ${describeError(error)}`);
        await sleep(delay(failures));
      }
    }
  };

  return {
    kind: 'api',
    description: `${namespace}/${name}#${key}`,
    start(next) {
      listener = next;
      loop = run();
    },
    async close() {
      closed = true;
      onClose?.();
      wake?.();
      stopWatch?.();
      await loop;
    },
  };
}
