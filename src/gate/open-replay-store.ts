// Opens the replay guard's seen-jti store (`replay: jti`) from the config: the Redis that
// `dedup.redis` configures when dedup uses it (one Redis serves both; its own fail-fast
// connection, keys under `<dedup.redis.keyPrefix>replay:`), else a bounded store in this process.
// Like the delivery store it is opened once, from the first config: a reload that changes the
// Redis settings needs a restart (dedup logs that).
// ioredis (and with it the Redis stores) is imported only when Redis is configured: a gate on
// the memory stores never pays for loading it.
import type { DedupSettings } from '../config/dedup-settings.js';
import { DEFAULT_MAX_REPLAY_ENTRIES, MemoryReplayStore } from '../replay/memory-replay-store.js';
import type { ReplayStore } from '../replay/replay-store.js';
import type { Logger } from '../telemetry/logger.js';

export interface ReplayStoreContext {
  readonly logger: Logger;
  readonly now: () => number;
  readonly env?: NodeJS.ProcessEnv | undefined;
}

const LOG_EVERY_MS = 60_000;

/** The memory store at once; the Redis store once ioredis is loaded. */
export function openReplayStore(
  dedup: DedupSettings,
  context: ReplayStoreContext,
): ReplayStore | Promise<ReplayStore> {
  const redis = dedup.store === 'redis' ? dedup.redis : undefined;
  if (redis === undefined)
    return new MemoryReplayStore({ maxEntries: DEFAULT_MAX_REPLAY_ENTRIES, now: context.now });
  return openRedisReplayStore(redis, context);
}

async function openRedisReplayStore(
  redis: NonNullable<DedupSettings['redis']>,
  context: ReplayStoreContext,
): Promise<ReplayStore> {
  const { logger, now } = context;
  const [{ createRedisClient }, { RedisReplayStore }] = await Promise.all([
    import('../dedup/redis-connection.js'),
    import('../replay/redis-replay-store.js'),
  ]);
  let lastLogAt = Number.NEGATIVE_INFINITY;
  const client = createRedisClient(
    redis,
    (error) => {
      // A Redis outage is logged by the first error, then at most once a minute.
      if (now() - lastLogAt < LOG_EVERY_MS) return;
      lastLogAt = now();
      logger.warn({ store: 'redis', err: error.message }, 'replay store connection error');
    },
    context.env,
  );
  // Fail-fast client (no offline queue): until it connects, checks answer 503
  // replay_store_unavailable; it keeps reconnecting by itself.
  client.connect().catch(() => undefined);
  return new RedisReplayStore({ client, keyPrefix: `${redis.keyPrefix}replay:`, now });
}
