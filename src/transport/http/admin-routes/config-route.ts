// GET /config on the admin port: the active config snapshot and its hash. Fields are listed one by
// one on purpose: a field added to GateConfig later (a Redis URL, a password) never shows up here
// until someone decides it is safe to.
import type { ConfigSnapshot } from '../../../config/config-snapshot.js';
import type { GateConfig } from '../../../config/gate-config.js';
import { describeIssuerRules } from '../../../policy/issuer-rules.js';
import { sendJson, type AdminRoute } from '../admin-server.js';
import { redactUrl } from './redact-url.js';

export function renderConfig(config: GateConfig): Record<string, unknown> {
  const { jwks } = config;
  return {
    hash: config.hash,
    source: config.source,
    issuers: [...config.issuers.values()].map((policy) => ({
      issuer: policy.issuer,
      audiences: policy.audiences === 'any' ? '*' : [...policy.audiences],
      jwksUri: policy.jwksUri === undefined ? null : redactUrl(policy.jwksUri),
      algorithms: [...policy.algorithms],
      forwardToken: policy.forwardToken,
      // The webhook policy keys the issuer sets, as written (claim paths, globs, header names:
      // nothing secret).
      ...describeIssuerRules(policy.rules),
      maxTokenLifetimeSeconds: policy.maxTokenLifetimeSeconds,
      requireIssuedAt: policy.requireIssuedAt,
    })),
    jwks: {
      cacheTtlSeconds: jwks.cacheTtlMs / 1000,
      minRefreshIntervalSeconds: jwks.minRefreshIntervalMs / 1000,
      fetchTimeoutMs: jwks.fetchTimeoutMs,
      maxStalenessSeconds: jwks.maxStalenessMs / 1000,
      maxResponseBytes: jwks.maxResponseBytes,
      requestWaitMs: jwks.requestWaitMs,
    },
    tokenCache: { maxEntries: config.tokenCache.maxEntries, maxBytes: config.tokenCache.maxBytes },
    clockSkewSeconds: config.clockSkewSeconds,
    allowInsecureHttp: config.allowInsecureHttp,
    maxTokenBytes: config.maxTokenBytes,
    dedup: renderDedup(config.dedup),
  };
}

/** The password is never in the config (PPS_GATE_REDIS_PASSWORD); the URL is redacted anyway. */
function renderDedup(dedup: GateConfig['dedup']): Record<string, unknown> {
  const { redis } = dedup;
  return {
    mode: dedup.mode,
    store: dedup.store,
    windowSeconds: dedup.windowMs / 1000,
    leaseSeconds: dedup.leaseMs / 1000,
    memory: { maxEntries: dedup.memoryMaxEntries },
    redis:
      redis === undefined
        ? null
        : {
            url: redactUrl(redis.url),
            keyPrefix: redis.keyPrefix,
            tls: redis.tls !== undefined,
            connectTimeoutMs: redis.connectTimeoutMs,
            commandTimeoutMs: redis.commandTimeoutMs,
          },
  };
}

/** The snapshot is empty while the gate waits for its first config (the Kubernetes API source). */
export function configRoute(snapshot: Pick<ConfigSnapshot, 'current'>): AdminRoute {
  return (response) => {
    const config = snapshot.current();
    if (config === undefined) sendJson(response, 503, { error: 'no config loaded yet' });
    else sendJson(response, 200, renderConfig(config));
  };
}
