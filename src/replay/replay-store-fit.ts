// Start-up rule for worker mode (`--workers N`): a memory replay store is per process, so with
// more than one worker each would keep its own seen-jti set and a token could be replayed once
// per worker. `replay: jti` then needs the shared (Redis) store, or a single worker.

export interface ReplayUse {
  /** Issuers whose entry sets `replay: jti`. */
  readonly replayIssuers: readonly string[];
  readonly storeKind: 'memory' | 'redis';
  readonly workers: number;
}

/** A message for the operator when the combination cannot hold, else undefined. */
export function replayStoreMisfit(use: ReplayUse): string | undefined {
  if (use.replayIssuers.length === 0 || use.storeKind === 'redis' || use.workers <= 1)
    return undefined;
  return (
    `replay: jti (issuers ${use.replayIssuers.join(', ')}) with the memory store and ` +
    `--workers ${use.workers}: each worker would keep its own seen-jti set; configure ` +
    'dedup.redis (one Redis serves both) or run --workers 1'
  );
}
