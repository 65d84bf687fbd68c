// Start-up rule for worker mode (`--workers N`): a memory store is per process, so with more than
// one worker each keeps its own records. Dedup `enforce` would then let one delivery per worker
// through, and `replay: jti` would accept one replay per worker: both need the shared (Redis)
// store or a single worker. `annotate` with the memory store stays allowed (counts per worker,
// documented), since it never decides whether a webhook is delivered.
import type { GateConfig } from '../config/gate-config.js';
import { replayStoreMisfit } from '../replay/replay-store-fit.js';

/** A message for the operator when the config cannot hold with `workers` processes. */
export function workerStoreMisfit(config: GateConfig, workers: number): string | undefined {
  if (workers <= 1 || config.dedup.store === 'redis') return undefined;
  if (config.dedup.mode === 'enforce')
    return (
      `dedup.mode enforce with the memory store and --workers ${workers}: each worker would ` +
      'keep its own delivery records and let a webhook through once per worker; configure ' +
      'dedup.store redis (dedup.redis) or run --workers 1'
    );
  const replayIssuers = [...config.issuers.values()]
    .filter((policy) => policy.rules.replay !== undefined)
    .map((policy) => policy.issuer);
  return replayStoreMisfit({ replayIssuers, storeKind: 'memory', workers });
}
