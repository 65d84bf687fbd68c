// Gathers the status page's view from the gate's parts at request time: readiness, the config
// snapshot and its latest reload, each issuer's key cache, and the per-minute decision counts.
// Ids, names, times and counts only; jwks URIs are shown redacted.
import type { ConfigSnapshot } from '../config/config-snapshot.js';
import type { KeyStore } from '../issuers/key-store.js';
import type { Readiness } from '../lifecycle/readiness.js';
import type { ReloadStatus, StatusView } from '../status/status-view.js';
import type { DecisionCounts } from '../telemetry/decision-counts.js';
import { redactUrl } from '../transport/http/admin-routes/redact-url.js';
import { gateVersion } from './gate-version.js';

export interface GateStatusSources {
  readonly readiness: Readiness;
  readonly snapshot: ConfigSnapshot;
  readonly keys: KeyStore;
  readonly decisions: DecisionCounts;
  /** When the config now serving was swapped in. */
  readonly loadedAtMs: () => number | undefined;
  /** The latest reload outcome (serve's reloader reports it); absent in library use. */
  readonly lastReload?: () => ReloadStatus | undefined;
  /** e.g. "file /etc/pps-gate/issuers.yaml", for when no config has arrived yet. */
  readonly sourceDescription?: string;
  readonly now: () => number;
}

export function gateStatus(sources: GateStatusSources): () => StatusView {
  return () => {
    const config = sources.snapshot.current();
    return {
      version: gateVersion(),
      nowMs: sources.now(),
      readiness: { ready: sources.readiness.ready, waitingFor: sources.readiness.missing },
      config: {
        source: config?.source ?? sources.sourceDescription ?? 'unknown',
        hash: config?.hash,
        loadedAtMs: sources.loadedAtMs(),
        lastReload: sources.lastReload?.(),
      },
      issuers: sources.keys.describe().map((view) => ({
        issuer: view.issuer,
        jwksUri: view.jwksUri === undefined ? undefined : redactUrl(view.jwksUri),
        keys: view.keys.map(({ kid, alg }) => ({ kid, alg })),
        ageMs: view.ageMs,
        stale: view.stale,
        usable: view.usable,
        consecutiveFailures: view.consecutiveFailures,
        lastFetch: view.lastFetch,
        nextRefreshAtMs: view.nextRefreshAtMs,
      })),
      decisions: sources.decisions.snapshot(),
    };
  };
}
