// Start-up and reload of the config, for `serve`: a file source must be valid before anything
// listens (fatal otherwise); an API source may start empty and fill in when the ConfigMap arrives.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../telemetry/logger.js';
import type { GateMetrics } from '../telemetry/metrics.js';
import { startConfigReloader, type ConfigReloader } from './config-reloader.js';
import type { ConfigSourceRef } from './config-source-ref.js';
import type { GateConfig } from './gate-config.js';
import { readConfigFile } from './load-config.js';
import { watchConfigFile } from './watch-config-file.js';

export interface ConfigReloadDeps {
  readonly logger: Logger;
  readonly metrics?: GateMetrics;
  /** Tests pass one; otherwise KUBECONFIG, ~/.kube/config, or the in-cluster service account. */
  readonly kubeConfig?: KubeConfig;
}

export interface PreparedConfig {
  /** File source: the validated start-up config. API source: undefined until the ConfigMap arrives. */
  readonly initial: GateConfig | undefined;
  readonly description: string;
  /** Starts following the source; every validated change is handed to `apply`. */
  follow(apply: (next: GateConfig) => void): ConfigReloader;
}

/** Throws (rejects with) ConfigError when a config file is missing or invalid. */
export async function prepareConfigReload(
  ref: ConfigSourceRef,
  deps: ConfigReloadDeps,
): Promise<PreparedConfig> {
  const { logger, metrics } = deps;
  if (ref.kind === 'file') {
    const initial = readConfigFile(ref.path);
    return {
      initial: initial.config,
      description: ref.path,
      follow: (apply) =>
        startConfigReloader({
          source: watchConfigFile({ path: ref.path }),
          initial,
          apply,
          logger,
          metrics,
        }),
    };
  }
  // Loaded only for the API source: @kubernetes/client-node takes ~1.5 s to import, which every
  // file-source start (and every usage error) would otherwise pay.
  const [{ KubeConfig: KubeConfigClass }, { watchConfigMap }] = await Promise.all([
    import('@kubernetes/client-node'),
    import('./watch-configmap.js'),
  ]);
  const kubeConfig =
    deps.kubeConfig ??
    (() => {
      const fromDefault = new KubeConfigClass();
      fromDefault.loadFromDefault();
      return fromDefault;
    })();
  return {
    initial: undefined,
    description: `configmap ${ref.namespace}/${ref.name} key ${ref.key}`,
    follow: (apply) =>
      startConfigReloader({
        source: watchConfigMap({ ref, kubeConfig }),
        apply,
        logger,
        metrics,
      }),
  };
}
