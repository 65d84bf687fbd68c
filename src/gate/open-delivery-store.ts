// Opens the delivery store the config names (memory or Redis), observed for metrics, and logs
// what needs an operator's eye: memory evictions (at most once a minute) and Redis connection
// errors (the first of an outage, then at most once a minute). A Redis that is down at start
// does not stop the gate: checks answer per the mode's outage rule until it comes back.
import type { DedupSettings } from '../config/dedup-settings.js';
import type { DeliveryStore } from '../dedup/delivery-store.js';
import { MemoryDeliveryStore } from '../dedup/memory-delivery-store.js';
import { ObservedDeliveryStore } from '../dedup/observed-delivery-store.js';
import type { Logger } from '../telemetry/logger.js';
import { deliveryStoreMetrics } from '../telemetry/metric-observers.js';
import type { GateMetrics } from '../telemetry/metrics.js';

export interface DeliveryStoreContext {
  readonly logger: Logger;
  readonly metrics: GateMetrics | undefined;
  readonly now: () => number;
  readonly env?: NodeJS.ProcessEnv;
}

const LOG_EVERY_MS = 60_000;
/** How long start-up waits for a first Redis connection before serving anyway. */
const REDIS_START_WAIT_MS = 2000;

/** Calls `log` at most once per interval, passing how many events it stands for. */
function throttled(now: () => number, log: (events: number) => void): (events: number) => void {
  let lastAt = Number.NEGATIVE_INFINITY;
  let pending = 0;
  return (events) => {
    pending += events;
    if (now() - lastAt < LOG_EVERY_MS) return;
    lastAt = now();
    log(pending);
    pending = 0;
  };
}

export async function openDeliveryStore(
  settings: DedupSettings,
  context: DeliveryStoreContext,
): Promise<DeliveryStore> {
  const { logger, metrics, now } = context;
  let store: DeliveryStore;
  if (settings.store === 'redis' && settings.redis !== undefined) {
    const redis = settings.redis;
    // Imported only for Redis (see open-replay-store.ts): the memory store never needs ioredis.
    const [{ createRedisClient }, { RedisDeliveryStore }] = await Promise.all([
      import('../dedup/redis-connection.js'),
      import('../dedup/redis-delivery-store.js'),
    ]);
    const logError = throttled(now, (events) =>
      logger.warn({ store: 'redis', errors: events }, 'dedup store connection error'),
    );
    const client = createRedisClient(
      redis,
      (error) => {
        logError(1);
        logger.debug({ store: 'redis', err: error.message }, 'dedup store connection error detail');
      },
      context.env,
    );
    client.on('ready', () => logger.info({ store: 'redis' }, 'dedup store connected'));
    const connected = client.connect().then(
      () => true,
      () => false,
    );
    const ready = await Promise.race([
      connected,
      new Promise<false>((resolve) => setTimeout(resolve, REDIS_START_WAIT_MS, false).unref()),
    ]);
    if (!ready)
      logger.warn(
        { store: 'redis', mode: settings.mode },
        'dedup store not reachable at start; serving, and reconnecting in the background',
      );
    store = new RedisDeliveryStore(client, redis.keyPrefix);
  } else {
    const logEviction = throttled(now, (evicted) =>
      logger.warn(
        { store: 'memory', evicted, maxEntries: settings.memoryMaxEntries },
        'dedup store evicted records',
      ),
    );
    const memory = new MemoryDeliveryStore({
      maxEntries: settings.memoryMaxEntries,
      onEvict: (evicted) => {
        metrics?.dedupEvictions.inc({ store: 'memory' }, evicted);
        logEviction(evicted);
      },
    });
    metrics?.trackDedupStore(() => memory.size);
    store = memory;
  }
  if (metrics === undefined) return store;
  // Counters start at 0 for the running store, so rate() and alerts see a series before the
  // first error or eviction rather than nothing (Prometheus's advice for known label values).
  metrics.dedupStoreErrors.inc({ store: store.kind }, 0);
  metrics.dedupEvictions.inc({ store: store.kind }, 0);
  return new ObservedDeliveryStore(store, deliveryStoreMetrics(metrics));
}

/** Whether a reload changed what the running store was opened with (needs a restart). */
export function storeSettingsChanged(running: DedupSettings, next: DedupSettings): boolean {
  return (
    running.store !== next.store ||
    running.memoryMaxEntries !== next.memoryMaxEntries ||
    JSON.stringify(running.redis) !== JSON.stringify(next.redis)
  );
}
