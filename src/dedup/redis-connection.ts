// Builds the ioredis client for the Redis delivery store, configured to fail fast: a check must
// get its answer within a second even when Redis is dead, and ioredis's defaults queue commands
// and retry for over a minute. So: no offline queue (a command while disconnected fails at once),
// short connect and command timeouts, no retries per request, no resending of unanswered commands
// after a reconnect (the check already answered "unavailable"), and reconnects that never stop,
// so the gate recovers by itself when Redis comes back.
import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisSettings } from '../config/dedup-settings.js';

/** Where the password comes from: the environment, never the config file or ConfigMap. */
export const REDIS_PASSWORD_ENV = 'PPS_GATE_REDIS_PASSWORD';

/** Backoff between reconnect attempts: 50 ms doubling to at most 1 s, forever. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 5), 1000);
}

export function redisOptions(
  settings: RedisSettings,
  env: NodeJS.ProcessEnv = process.env,
): RedisOptions {
  const password = env[REDIS_PASSWORD_ENV];
  const options: RedisOptions = {
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    connectTimeout: settings.connectTimeoutMs,
    commandTimeout: settings.commandTimeoutMs,
    retryStrategy: reconnectDelayMs,
    lazyConnect: true,
    ...(password !== undefined && password !== '' ? { password } : {}),
  };
  if (settings.tls !== undefined) {
    const { caFile, serverName } = settings.tls;
    options.tls = {
      ...(caFile !== undefined ? { ca: readFileSync(caFile) } : {}),
      ...(serverName !== undefined ? { servername: serverName } : {}),
    };
  }
  return options;
}

/**
 * `onError` sees every connection error (ioredis emits one per failed reconnect); without a
 * listener ioredis prints them to stderr itself.
 */
export function createRedisClient(
  settings: RedisSettings,
  onError: (error: Error) => void,
  env: NodeJS.ProcessEnv = process.env,
): Redis {
  const client = new Redis(settings.url, redisOptions(settings, env));
  client.on('error', onError);
  return client;
}
