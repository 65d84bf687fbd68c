// The config file's schema (YAML or JSON): the documented shape with `issuers: [...]`, or the
// guide's own `trusted_issuers: {issuer: [audiences] | null}` map. Unknown keys are errors.
import { z } from 'zod';
import { dedupSchema } from './dedup-schema.js';
import { DEFAULT_ALGORITHMS } from './gate-config.js';
import { issuerRulesShape } from './issuer-rules-schema.js';

const algorithm = z.enum(DEFAULT_ALGORITHMS, {
  error: () => `must be one of ${DEFAULT_ALGORITHMS.join(', ')} (none and HS* are never allowed)`,
});

const audiences = z.union([
  z.literal('*'),
  z
    .array(z.string().min(1, 'audience must not be empty'))
    .min(1, 'list at least one audience, or "*"'),
]);

const issuerEntry = z.strictObject({
  issuer: z.string().min(1),
  audiences,
  jwksUri: z.string().optional(),
  algorithms: z.array(algorithm).min(1).optional(),
  forwardToken: z.boolean().optional(),
  ...issuerRulesShape,
  // OIDC ID tokens of the common providers live an hour; a day breaks none of them and still
  // refuses the ten-year token a leaked signing key would mint.
  maxTokenLifetimeSeconds: z
    .number()
    .int()
    .min(60)
    .max(366 * 86_400)
    .optional(),
  // OIDC Core §2 requires iat in an ID token; an issuer of other JWTs may opt out.
  requireIssuedAt: z.boolean().optional(),
});

const jwks = z.strictObject({
  cacheTtlSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(3600),
  minRefreshIntervalSeconds: z.number().int().min(1).max(3600).default(30),
  fetchTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
  maxStalenessSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(86_400),
  maxResponseBytes: z
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(1024 * 1024),
  // Envoy's ext_authz timeout defaults to 200 ms: answer (503 + retry-after) well within it,
  // leaving room for the signature check and the gRPC hop, while the fetch carries on.
  requestWaitMs: z.number().int().min(0).max(60_000).default(150),
});

// The verified-token cache's bounds (README "Performance"): entries, and an estimate of the
// bytes they hold. maxEntries 0 turns the cache off.
const tokenCache = z.strictObject({
  maxEntries: z.number().int().min(0).max(1_000_000).default(10_000),
  maxBytes: z
    .number()
    .int()
    .min(1024 * 1024)
    .max(4 * 1024 * 1024 * 1024)
    .default(32 * 1024 * 1024),
});

export const configSchema = z
  .strictObject({
    issuers: z.array(issuerEntry).min(1, 'list at least one trusted issuer').optional(),
    trusted_issuers: z
      .record(
        z.string().min(1),
        z.union([z.null(), z.literal('*'), z.array(z.string().min(1)).min(1)]),
      )
      .optional(),
    jwks: jwks.default(jwks.parse({})),
    tokenCache: tokenCache.default(tokenCache.parse({})),
    clockSkewSeconds: z.number().int().min(0).max(600).default(60),
    allowInsecureHttp: z.boolean().default(false),
    maxTokenBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024)
      .default(8192),
    // Duplicate deliveries; on (annotate, memory) even when the section is absent.
    dedup: dedupSchema.default(dedupSchema.parse({})),
  })
  .refine((c) => (c.issuers === undefined) !== (c.trusted_issuers === undefined), {
    message: 'give exactly one of "issuers" (list) or "trusted_issuers" (map)',
  })
  .refine((c) => c.trusted_issuers === undefined || Object.keys(c.trusted_issuers).length > 0, {
    message: 'list at least one trusted issuer',
    path: ['trusted_issuers'],
  });

export type ConfigDocument = z.infer<typeof configSchema>;
