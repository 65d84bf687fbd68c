// The Kubernetes API config source: list-then-watch one ConfigMap by name (a fieldSelector, which
// is what RBAC `resourceNames` needs for list/watch), following kubernetes.io "API Concepts": watch
// from the list's resourceVersion, re-watch from the last one seen when the stream ends, re-list on
// 410 Gone, reconnect with capped, jittered backoff on errors, reconnect when a watch goes silent,
// and re-list periodically so a silently dead watch cannot keep stale config forever.
import { CoreV1Api, Watch, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import type { ConfigSource, ConfigSourceListener } from './config-source.js';
import type { ConfigMapRef } from './config-source-ref.js';

export interface ConfigMapWatcherOptions {
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

export class ConfigMapWatcher implements ConfigSource {
  readonly kind = 'api';
  readonly description: string;
  private readonly ref: ConfigMapRef;
  private readonly timeoutSeconds: number;
  private readonly stallMs: number;
  private readonly relistIntervalMs: number;
  private readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  private readonly random: () => number;
  private readonly api: CoreV1Api;
  private readonly watcher: Watch;
  private readonly path: string;
  private readonly fieldSelector: string;
  private readonly where: string;
  /** Rejects once close() is called: a list that hangs must not hold up shutdown. */
  private readonly closing: Promise<never>;
  private onClose: (() => void) | undefined;

  private listener: ConfigSourceListener | undefined;
  private closed = false;
  private missing = false;
  private resourceVersion = '';
  private wake: (() => void) | undefined;
  private stopWatch: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(options: ConfigMapWatcherOptions) {
    const { namespace, name, key } = options.ref;
    this.ref = options.ref;
    this.description = `${namespace}/${name}#${key}`;
    this.timeoutSeconds = options.watchTimeoutSeconds ?? 290;
    this.stallMs = options.stallMs ?? (this.timeoutSeconds + 60) * 1000;
    this.relistIntervalMs = options.relistIntervalMs ?? 5 * 60_000;
    this.backoff = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
    this.random = options.random ?? Math.random;
    this.api = options.kubeConfig.makeApiClient(CoreV1Api);
    this.watcher = new Watch(options.kubeConfig);
    this.path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
    this.fieldSelector = `metadata.name=${name}`;
    this.where = `ConfigMap ${namespace}/${name}`;
    this.closing = new Promise<never>(
      (_, reject) => (this.onClose = () => reject(new Error('closed'))),
    );
    this.closing.catch(() => undefined);
  }

  start(listener: ConfigSourceListener): void {
    this.listener = listener;
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.onClose?.();
    this.wake?.();
    this.stopWatch?.();
    await this.loop;
  }

  private setMissing(detail: string): void {
    if (!this.missing) this.listener?.missing(detail);
    this.missing = true;
  }

  private deliver(configMap: V1ConfigMap | undefined): void {
    if (this.closed) return;
    const { key } = this.ref;
    if (configMap === undefined) return this.setMissing(`${this.where} does not exist`);
    const binary = configMap.binaryData?.[key];
    const text =
      configMap.data?.[key] ??
      (binary === undefined ? undefined : Buffer.from(binary, 'base64').toString('utf8'));
    if (text === undefined) return this.setMissing(`${this.where} has no key "${key}"`);
    this.missing = false;
    this.listener?.content(text);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private delay(attempt: number): number {
    const { maxMs, initialMs } = this.backoff;
    return Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 20)) * (0.5 + this.random() / 2);
  }

  private async list(): Promise<void> {
    const { namespace, name } = this.ref;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`list took longer than ${this.stallMs} ms`)),
        this.stallMs,
      );
    });
    try {
      const result = await Promise.race([
        this.api.listNamespacedConfigMap({ namespace, fieldSelector: this.fieldSelector }),
        timeout,
        this.closing,
      ]);
      this.deliver(result.items.find((item) => item.metadata?.name === name));
      this.resourceVersion = result.metadata?.resourceVersion ?? '';
    } finally {
      clearTimeout(timer);
    }
  }

  private watchOnce(relistAtMs: number): Promise<WatchEnd> {
    const { stallMs } = this;
    return new Promise<WatchEnd>((resolve, reject) => {
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
        this.stopWatch = undefined;
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
      this.stopWatch = () => finish(() => resolve('stopped'));
      armStall();
      const query = {
        resourceVersion: this.resourceVersion,
        fieldSelector: this.fieldSelector,
        allowWatchBookmarks: true,
        timeoutSeconds: this.timeoutSeconds,
      };
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
        this.resourceVersion = object.metadata?.resourceVersion ?? this.resourceVersion;
        if (type === 'ADDED' || type === 'MODIFIED') this.deliver(object);
        else if (type === 'DELETED') this.setMissing(`${this.where} was deleted`);
      };
      const onDone = (error: unknown): void => {
        if (error === null || error === undefined) finish(() => resolve('ended'));
        else if ((error as { statusCode?: number }).statusCode === 410)
          finish(() => resolve('gone'));
        else finish(() => reject(asError(error)));
      };
      this.watcher.watch(this.path, query, onEvent, onDone).then(
        (created) => {
          controller = created;
          if (settled) created.abort();
        },
        (error: unknown) => finish(() => reject(asError(error))),
      );
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    let quickEnds = 0;
    while (!this.closed) {
      try {
        await this.list();
        failures = 0;
        const relistAtMs = Date.now() + this.relistIntervalMs;
        for (;;) {
          if (this.closed) return;
          const startedAt = Date.now();
          const end = await this.watchOnce(relistAtMs);
          // A server that ends every watch at once must not turn this into a busy loop.
          quickEnds = Date.now() - startedAt < QUICK_END_MS ? quickEnds + 1 : 0;
          if (quickEnds > 1 && end !== 'stopped') await this.sleep(this.delay(quickEnds - 1));
          if (end !== 'ended') break;
        }
      } catch (error) {
        if (this.closed) return;
        failures++;
        this.listener?.failed(`${this.where}: ${describeError(error)}`);
        await this.sleep(this.delay(failures));
      }
    }
  }
}
