// What a config source (a mounted file, or a ConfigMap read through the Kubernetes API) reports.
// Sources only observe; the reloader decides whether what they saw is new, valid, and applied.

export type ConfigSourceKind = 'file' | 'api';

export interface ConfigSourceListener {
  /** The config text as the source sees it now; may repeat what was seen before. */
  content(text: string): void;
  /** The config is gone (file removed, ConfigMap or its key deleted); the last good one stays. */
  missing(detail: string): void;
  /** Reading or watching failed; the source retries on its own. */
  failed(detail: string): void;
}

export interface ConfigSource {
  readonly kind: ConfigSourceKind;
  /** A file path, or NAMESPACE/NAME#KEY, for messages. */
  readonly description: string;
  start(listener: ConfigSourceListener): void;
  /** Stops watching and releases timers and connections. */
  close(): Promise<void>;
}
