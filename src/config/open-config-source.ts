// Opens the config source `serve` follows: a file source must be valid before anything listens
// (fatal otherwise); an API source may start empty and fill in when the ConfigMap arrives.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ConfigSource } from './config-source.js';
import type { ConfigSourceRef } from './config-source-ref.js';
import type { GateConfig } from './gate-config.js';
import { readConfigFile } from './read-config-file.js';
import { watchConfigFile } from './watch-config-file.js';

export interface OpenedConfigSource {
  readonly source: ConfigSource;
  /** File source: the validated start-up config and its text. API source: undefined. */
  readonly initial: { readonly config: GateConfig; readonly text: string } | undefined;
  readonly description: string;
}

/** Throws (rejects with) ConfigError when a config file is missing or invalid. `kubeConfig`:
 * tests pass one; otherwise KUBECONFIG, ~/.kube/config, or the in-cluster service account. */
export async function openConfigSource(
  ref: ConfigSourceRef,
  kubeConfig?: KubeConfig,
): Promise<OpenedConfigSource> {
  if (ref.kind === 'file') {
    const initial = readConfigFile(ref.path);
    return { source: watchConfigFile({ path: ref.path }), initial, description: ref.path };
  }
  // Loaded only for the API source: @kubernetes/client-node takes ~1.5 s to import, which every
  // file-source start (and every usage error) would otherwise pay.
  const [{ KubeConfig: KubeConfigClass }, { ConfigMapWatcher }] = await Promise.all([
    import('@kubernetes/client-node'),
    import('./config-map-watcher.js'),
  ]);
  const config =
    kubeConfig ??
    (() => {
      const fromDefault = new KubeConfigClass();
      fromDefault.loadFromDefault();
      return fromDefault;
    })();
  return {
    source: new ConfigMapWatcher({ ref, kubeConfig: config }),
    initial: undefined,
    description: `configmap ${ref.namespace}/${ref.name} key ${ref.key}`,
  };
}
