// Turns what a config source sees into config swaps: identical text is ignored, new text is
// parsed and validated in full before anything changes, an invalid edit keeps the last good
// config serving, and every outcome is logged once and counted in pps_gate_config_reloads_total.
import { createHash } from 'node:crypto';
import type { Logger } from '../telemetry/logger.js';
import type { GateMetrics } from '../telemetry/metrics.js';
import type { ConfigSnapshot } from './config-snapshot.js';
import type { ConfigSource } from './config-source.js';
import type { GateConfig } from './gate-config.js';
import { ConfigError, parseConfig } from './parse-config.js';

export type ReloadResult = 'success' | 'invalid' | 'unchanged' | 'deleted' | 'source_error';

export interface ConfigReloaderOptions {
  readonly source: ConfigSource;
  /** Swapped only with a fully validated config whose hash changed. Holds the config already
   * serving, if any (file source: loaded at start-up). */
  readonly snapshot: ConfigSnapshot;
  /** The text the snapshot's start-up config came from, so the same text is not judged again. */
  readonly initialText?: string;
  /** The very first content is invalid while nothing serves yet: start-up is fatal. */
  readonly onInvalidAtStart?: (error: ConfigError) => void;
  readonly logger: Logger;
  readonly metrics?: GateMetrics;
  /** Every reload outcome as it happens (the status page shows the latest). */
  readonly onResult?: (result: ReloadResult, atMs: number) => void;
  readonly now?: () => number;
}

export interface ConfigReloader {
  close(): Promise<void>;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function issuerChanges(
  before: GateConfig | undefined,
  after: GateConfig,
): { added: string[]; removed: string[] } {
  const old = before?.issuers ?? new Map<string, unknown>();
  return {
    added: [...after.issuers.keys()].filter((issuer) => !old.has(issuer)),
    removed: [...old.keys()].filter((issuer) => !after.issuers.has(issuer)),
  };
}

export function startConfigReloader(options: ConfigReloaderOptions): ConfigReloader {
  const { source, logger, metrics, snapshot } = options;
  const now = options.now ?? Date.now;
  const log = logger.child({ configSource: source.kind, config: source.description });
  const initial = snapshot.current();
  let lastTextHash = options.initialText === undefined ? undefined : sha256(options.initialText);
  if (initial !== undefined)
    metrics?.setActiveConfig(initial.hash, now(), initial.jwks.maxStalenessMs);
  const count = (result: ReloadResult): void => {
    metrics?.recordReload(result, source.kind);
    options.onResult?.(result, now());
  };

  source.start({
    content(text) {
      const textHash = sha256(text);
      if (textHash === lastTextHash) return;
      lastTextHash = textHash;
      const current = snapshot.current();
      let next: GateConfig;
      try {
        next = parseConfig(text, source.description);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        count('invalid');
        if (current === undefined) {
          log.fatal({ error: error.message }, 'config rejected at start-up');
          options.onInvalidAtStart?.(error);
          return;
        }
        log.error(
          { error: error.message, activeHash: current.hash },
          'config reload rejected; the last good config keeps serving',
        );
        return;
      }
      if (next.hash === current?.hash) {
        count('unchanged');
        log.debug({ hash: next.hash }, 'config text changed but its meaning did not');
        return;
      }
      const changes = issuerChanges(current, next);
      const previousHash = current?.hash;
      try {
        snapshot.swap(next);
      } catch (error) {
        // A bug, not a bad edit: keep the old snapshot and say so; the next edit tries again.
        lastTextHash = undefined;
        count('source_error');
        log.error(
          { error: (error as Error).message, activeHash: previousHash },
          'config swap failed; the last good config keeps serving',
        );
        return;
      }
      count('success');
      metrics?.setActiveConfig(next.hash, now(), next.jwks.maxStalenessMs);
      log.info(
        { hash: next.hash, previousHash, issuers: [...next.issuers.keys()], ...changes },
        'config reloaded',
      );
    },
    missing(detail) {
      // Forget the text so that the same content coming back is judged again (and counted).
      lastTextHash = undefined;
      count('deleted');
      const current = snapshot.current();
      log.warn(
        { detail, activeHash: current?.hash },
        current === undefined
          ? 'config not found yet; waiting for it'
          : 'config source is gone; the last good config keeps serving',
      );
    },
    failed(detail) {
      count('source_error');
      log.warn({ detail, activeHash: snapshot.current()?.hash }, 'config source failed; retrying');
    },
  });

  return { close: () => source.close() };
}
