import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/parse-config.js';
import type { GateConfig } from '../../../config/gate-config.js';
import { renderConfig } from './config-route.js';
import { redactUrl } from './redact-url.js';

describe('renderConfig', () => {
  const config = parseConfig(
    JSON.stringify({
      issuers: [
        {
          issuer: 'https://a.test',
          audiences: ['x', 'y'],
          algorithms: ['RS256'],
          jwksUri: 'https://a.test/jwks',
        },
        { issuer: 'https://b.test', audiences: '*', forwardToken: true },
      ],
      clockSkewSeconds: 30,
    }),
    'config.yaml',
  );

  it('renders issuer sets as arrays with the hash and source', () => {
    expect(renderConfig(config)).toEqual({
      hash: config.hash,
      source: 'config.yaml',
      issuers: [
        {
          issuer: 'https://a.test',
          audiences: ['x', 'y'],
          jwksUri: 'https://a.test/jwks',
          algorithms: ['RS256'],
          forwardToken: false,
          maxTokenLifetimeSeconds: 86400,
          requireIssuedAt: true,
        },
        {
          issuer: 'https://b.test',
          audiences: '*',
          jwksUri: null,
          algorithms: [...config.issuers.get('https://b.test')!.algorithms],
          forwardToken: true,
          maxTokenLifetimeSeconds: 86400,
          requireIssuedAt: true,
        },
      ],
      jwks: {
        cacheTtlSeconds: 3600,
        minRefreshIntervalSeconds: 30,
        fetchTimeoutMs: 5000,
        maxStalenessSeconds: 86400,
        maxResponseBytes: 1048576,
        requestWaitMs: 150,
      },
      tokenCache: { maxEntries: 10_000, maxBytes: 32 * 1024 * 1024 },
      clockSkewSeconds: 30,
      allowInsecureHttp: false,
      maxTokenBytes: 8192,
      dedup: {
        mode: 'annotate',
        store: 'memory',
        windowSeconds: 604800,
        leaseSeconds: 60,
        memory: { maxEntries: 100000 },
        redis: null,
      },
    });
  });

  it('shows the Redis connection without credentials', () => {
    const withRedis = parseConfig(
      JSON.stringify({
        issuers: [{ issuer: 'https://a.test', audiences: ['x'] }],
        dedup: {
          mode: 'enforce',
          store: 'redis',
          redis: { url: 'rediss://ops@redis.test:6380/2?x=1', tls: { serverName: 'r.internal' } },
        },
      }),
      'test',
    );
    expect(renderConfig(withRedis).dedup).toEqual({
      mode: 'enforce',
      store: 'redis',
      windowSeconds: 604800,
      leaseSeconds: 60,
      memory: { maxEntries: 100000 },
      redis: {
        url: 'rediss://redacted@redis.test:6380/2?[redacted]',
        keyPrefix: 'pps-gate:delivery:',
        tls: true,
        connectTimeoutMs: 500,
        commandTimeoutMs: 400,
      },
    });
  });

  it("shows each issuer's webhook policy keys as configured, and none for an issuer without", () => {
    const rules = {
      tenantClaim: 'firebase.tenant',
      tenants: ['OU1243'],
      topics: ['orders/*'],
      requiredClaims: { email_verified: true },
      maxTokenAgeSeconds: 3600,
      triggeredAtWindowSeconds: 345600,
      replay: 'jti',
      claimHeaders: { email: 'x-pps-auth-email' },
    };
    const withRules = parseConfig(
      JSON.stringify({
        issuers: [
          { issuer: 'https://a.test', audiences: ['x'], ...rules },
          { issuer: 'https://b.test', audiences: ['y'] },
        ],
      }),
      'config.yaml',
    );
    const [a, b] = renderConfig(withRules).issuers as Record<string, unknown>[];
    expect(a).toMatchObject(rules);
    expect(Object.keys(b!).sort()).toEqual([
      'algorithms',
      'audiences',
      'forwardToken',
      'issuer',
      'jwksUri',
      'maxTokenLifetimeSeconds',
      'requireIssuedAt',
    ]);
  });

  it('never shows a field it does not list, so a secret added to the config later stays hidden', () => {
    const withSecret = {
      ...config,
      dedup: { redisUrl: 'redis://:hunter2@redis:6379' },
    } as unknown as GateConfig;
    expect(JSON.stringify(renderConfig(withSecret))).not.toContain('hunter2');
  });
});

describe('redactUrl', () => {
  it('masks credentials and query strings, keeping scheme, host and path', () => {
    expect(redactUrl('https://user:pw@keys.test/jwks?api_key=abc#x')).toBe(
      'https://redacted@keys.test/jwks?[redacted]',
    );
    expect(redactUrl('https://keys.test/jwks')).toBe('https://keys.test/jwks');
    expect(redactUrl('not a url')).toBe('[unparseable url]');
  });
});
