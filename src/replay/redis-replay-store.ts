// The shared replay store on Redis, so a token used on one replica is known to all of them. The
// first use wins atomically with `SET key webhookId NX PX ttl` (https://redis.io/commands/set/);
// a loser reads the id the winner stored. Keys are `<prefix>replay:<sha256(issuer, jti)>`, so a
// long or odd jti never becomes a long key, and the record dies with the token.
import { createHash } from 'node:crypto';
import type { ReplayStore, ReplayVerdict } from './replay-store.js';

/** The two commands this store needs; an ioredis client satisfies it. */
export interface ReplayRedisClient {
  set(key: string, value: string, px: 'PX', ttlMs: number, nx: 'NX'): Promise<'OK' | null>;
  get(key: string): Promise<string | null>;
  quit(): Promise<unknown>;
}

export interface RedisReplayStoreOptions {
  readonly client: ReplayRedisClient;
  /** Shared with the other pps-gate keys in the same Redis, e.g. `pps-gate:`. */
  readonly keyPrefix: string;
  readonly now: () => number;
}

export class RedisReplayStore implements ReplayStore {
  readonly kind = 'redis';

  constructor(private readonly options: RedisReplayStoreOptions) {}

  redisKey(tokenKey: string): string {
    const digest = createHash('sha256').update(tokenKey).digest('base64url');
    return `${this.options.keyPrefix}replay:${digest}`;
  }

  async check(tokenKey: string, webhookId: string, expiresAtMs: number): Promise<ReplayVerdict> {
    const { client, now } = this.options;
    const key = this.redisKey(tokenKey);
    // Two rounds at most: the record can expire between a lost SET and the GET that follows.
    for (let round = 0; round < 2; round++) {
      const ttlMs = Math.ceil(expiresAtMs - now());
      if (ttlMs <= 0) return 'first';
      if ((await client.set(key, webhookId, 'PX', ttlMs, 'NX')) === 'OK') return 'first';
      const seen = await client.get(key);
      if (seen !== null) return seen === webhookId ? 'redelivery' : 'replayed';
    }
    throw new Error('the replay record kept expiring while being read');
  }

  async close(): Promise<void> {
    await this.options.client.quit();
  }
}
