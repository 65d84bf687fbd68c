// The config file's `dedup` section (README "Duplicate deliveries"). Defaults apply even when the
// section is absent: annotate mode, memory store, a 7-day window.
import { z } from 'zod';
import {
  DEFAULT_LEASE_SECONDS,
  DEFAULT_MEMORY_MAX_ENTRIES,
  DEFAULT_REDIS_KEY_PREFIX,
  DEFAULT_WINDOW_SECONDS,
  type DedupSettings,
} from './dedup-settings.js';

function redisUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be a URL like redis://host:6379 or rediss://host:6380/0';
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    return `must start with redis:// or rediss:// (got ${parsed.protocol}//)`;
  if (parsed.hostname === '') return 'must name a host';
  if (parsed.password !== '')
    return 'must not carry a password: set PPS_GATE_REDIS_PASSWORD instead (the config is a ConfigMap, not a Secret)';
  if (!/^\/?(\d{1,2})?$/.test(parsed.pathname)) return 'path must be a database number, e.g. /0';
  return undefined;
}

const redisTls = z.union([
  z.boolean(),
  z.strictObject({
    caFile: z.string().min(1).optional(),
    serverName: z.string().min(1).optional(),
  }),
]);

const redis = z.strictObject({
  url: z.string().superRefine((url, ctx) => {
    const problem = redisUrlProblem(url);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
  keyPrefix: z.string().max(200).default(DEFAULT_REDIS_KEY_PREFIX),
  tls: redisTls.default(false),
  connectTimeoutMs: z.number().int().min(50).max(10_000).default(500),
  // A check must answer within a second whatever Redis does.
  commandTimeoutMs: z.number().int().min(50).max(900).default(400),
});

export const dedupSchema = z
  .strictObject({
    mode: z.enum(['annotate', 'enforce']).default('annotate'),
    store: z.enum(['memory', 'redis']).default('memory'),
    windowSeconds: z
      .number()
      .int()
      .min(60)
      .max(90 * 86_400)
      .default(DEFAULT_WINDOW_SECONDS),
    leaseSeconds: z.number().int().min(5).max(86_400).default(DEFAULT_LEASE_SECONDS),
    memory: z
      .strictObject({
        maxEntries: z.number().int().min(1).max(10_000_000).default(DEFAULT_MEMORY_MAX_ENTRIES),
      })
      .default({ maxEntries: DEFAULT_MEMORY_MAX_ENTRIES }),
    redis: redis.optional(),
  })
  .refine((d) => d.store !== 'redis' || d.redis !== undefined, {
    message: 'store "redis" needs a redis section with a url',
    path: ['redis'],
  })
  .refine((d) => d.windowSeconds > d.leaseSeconds, {
    message: 'must be longer than leaseSeconds',
    path: ['windowSeconds'],
  });

export type DedupDocument = z.infer<typeof dedupSchema>;

export function toDedupSettings(doc: DedupDocument): DedupSettings {
  const { redis } = doc;
  return {
    mode: doc.mode,
    store: doc.store,
    windowMs: doc.windowSeconds * 1000,
    leaseMs: doc.leaseSeconds * 1000,
    memoryMaxEntries: doc.memory.maxEntries,
    redis:
      redis === undefined
        ? undefined
        : {
            url: redis.url,
            keyPrefix: redis.keyPrefix,
            tls:
              redis.tls === false && !redis.url.startsWith('rediss:')
                ? undefined
                : redis.tls === true || redis.tls === false
                  ? {}
                  : redis.tls,
            connectTimeoutMs: redis.connectTimeoutMs,
            commandTimeoutMs: redis.commandTimeoutMs,
          },
  };
}
