// The shared delivery store on Redis (ioredis): every replica sees the same records, and they
// survive pps-gate restarts. A first delivery is one `SET key value NX PX window`; every other
// state change is one Lua script (redis-scripts.ts), so each is atomic in Redis.
// Fail fast: the connection is configured (redis-connection.ts) never to queue commands while
// disconnected, so a dead Redis costs a check milliseconds, not the minute ioredis waits by default.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type {
  ConfirmResult,
  DeliveryOutcome,
  DeliveryRecord,
  DeliveryStore,
  DeliveryTimes,
} from './delivery-store.js';
import { CLAIM_SCRIPT, CONFIRM_SCRIPT, firstRecord } from './redis-scripts.js';

interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

const CLAIM = script(CLAIM_SCRIPT);
const CONFIRM = script(CONFIRM_SCRIPT);
const OUTCOMES = new Set<string>([
  'first',
  'duplicate',
  'in_progress',
  'redelivered_after_failure',
]);
const CONFIRM_RESULTS = new Set<string>(['delivered', 'failed', 'ignored']);

export class RedisDeliveryStore implements DeliveryStore {
  readonly kind = 'redis';

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  record(key: string, times: DeliveryTimes): Promise<DeliveryRecord> {
    return this.change(key, times, false);
  }

  claim(key: string, times: DeliveryTimes): Promise<DeliveryRecord> {
    return this.change(key, times, true);
  }

  async confirm(key: string, httpStatus: number, nowMs: number): Promise<ConfirmResult> {
    const result = await this.run(CONFIRM, this.keyPrefix + key, [
      String(nowMs),
      String(httpStatus),
    ]);
    if (typeof result !== 'string' || !CONFIRM_RESULTS.has(result))
      throw new Error(`unexpected confirm script reply ${JSON.stringify(result)}`);
    return result as ConfirmResult;
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect(); // not connected: nothing to say goodbye to
    }
  }

  private async change(
    key: string,
    times: DeliveryTimes,
    claiming: boolean,
  ): Promise<DeliveryRecord> {
    const redisKey = this.keyPrefix + key;
    const first = firstRecord(claiming, times.nowMs, times.leaseMs, times.windowMs);
    const created = await this.redis.set(redisKey, first.value, 'PX', first.ttlMs, 'NX');
    if (created === 'OK') return { outcome: 'first', count: 1, firstSeenAtMs: times.nowMs };
    const reply = await this.run(CLAIM, redisKey, [
      String(times.nowMs),
      String(times.leaseMs),
      String(times.windowMs),
      claiming ? 'claim' : 'record',
    ]);
    return parseClaimReply(reply);
  }

  /** EVALSHA, falling back to EVAL once when this Redis has not cached the script (NOSCRIPT). */
  private async run(which: Script, key: string, args: string[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(which.sha, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.redis.eval(which.source, 1, key, ...args);
    }
  }
}

function parseClaimReply(reply: unknown): DeliveryRecord {
  if (!Array.isArray(reply) || reply.length !== 4)
    throw new Error(`unexpected claim script reply ${JSON.stringify(reply)}`);
  const [outcome, count, first, lease] = reply.map(String) as [string, string, string, string];
  if (!OUTCOMES.has(outcome)) throw new Error(`unexpected claim outcome ${outcome}`);
  const record = {
    outcome: outcome as DeliveryOutcome,
    count: Number(count),
    firstSeenAtMs: Number(first),
  };
  return outcome === 'in_progress' ? { ...record, leaseEndsAtMs: Number(lease) } : record;
}
