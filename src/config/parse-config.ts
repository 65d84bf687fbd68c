// Turns config text into a validated GateConfig once, at load; every message names the field
// and the source, so an operator can fix the file without guessing.
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { compileIssuerRules, describeIssuerRules } from '../policy/issuer-rules.js';
import { configSchema, type ConfigDocument } from './config-schema.js';
import { toDedupSettings } from './dedup-schema.js';
import {
  DEFAULT_ALGORITHMS,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  type GateConfig,
  type IssuerPolicy,
} from './gate-config.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

function describeIssues(error: z.ZodError, source: string): string {
  const lines = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const where = issue.path.length === 0 ? '' : ` in ${fieldPath(issue.path)}`;
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${where}`;
    }
    return `${fieldPath(issue.path)}: ${issue.message}`;
  });
  return `invalid config in ${source}: ${lines.join('; ')}`;
}

function checkUrl(value: string, field: string, source: string, allowInsecureHttp: boolean): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`invalid config in ${source}: ${field}: "${value}" is not a URL`);
  }
  if (url.protocol !== 'https:' && !(allowInsecureHttp && url.protocol === 'http:')) {
    throw new ConfigError(
      `invalid config in ${source}: ${field}: "${value}" must use https (set allowInsecureHttp: true only for local development)`,
    );
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigError(
      `invalid config in ${source}: ${field}: "${value}" must not carry a query, fragment or credentials`,
    );
  }
}

function toPolicies(doc: ConfigDocument, source: string): Map<string, IssuerPolicy> {
  const entries =
    doc.issuers ??
    Object.entries(doc.trusted_issuers ?? {}).map(([issuer, audiences]) => ({
      issuer,
      audiences: audiences ?? ('*' as const),
      jwksUri: undefined,
      algorithms: undefined,
      forwardToken: undefined,
      maxTokenLifetimeSeconds: undefined,
      requireIssuedAt: undefined,
    }));
  const policies = new Map<string, IssuerPolicy>();
  entries.forEach((entry, index) => {
    const field = doc.issuers ? `issuers[${index}]` : `trusted_issuers["${entry.issuer}"]`;
    checkUrl(entry.issuer, `${field}.issuer`, source, doc.allowInsecureHttp);
    if (entry.jwksUri !== undefined)
      checkUrl(entry.jwksUri, `${field}.jwksUri`, source, doc.allowInsecureHttp);
    if (policies.has(entry.issuer)) {
      throw new ConfigError(
        `invalid config in ${source}: ${field}.issuer: "${entry.issuer}" is listed twice`,
      );
    }
    // "*" alone means any audience, as a string or as the one item of a list (["*"], which YAML
    // and Helm users write as readily as "*").
    const anyAudience =
      entry.audiences === '*' || (entry.audiences.length === 1 && entry.audiences[0] === '*');
    const audiences = anyAudience ? 'any' : entry.audiences;
    if (audiences !== 'any' && audiences.includes('*')) {
      throw new ConfigError(
        `invalid config in ${source}: ${field}.audiences: "*" must stand alone`,
      );
    }
    policies.set(entry.issuer, {
      issuer: entry.issuer,
      audiences: audiences === 'any' ? 'any' : Object.freeze([...audiences]),
      jwksUri: entry.jwksUri,
      algorithms: new Set(entry.algorithms ?? DEFAULT_ALGORITHMS),
      forwardToken: entry.forwardToken ?? false,
      rules: compileIssuerRules(doc.issuers?.[index] ?? {}),
      maxTokenLifetimeSeconds: entry.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
      requireIssuedAt: entry.requireIssuedAt ?? true,
    });
  });
  return policies;
}

/** Parses YAML (a superset of JSON) and validates it; throws ConfigError naming field and source. */
export function parseConfig(text: string, source: string): GateConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError(
      `invalid config in ${source}: not valid YAML/JSON: ${(error as Error).message}`,
    );
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`invalid config in ${source}: expected a mapping at the top level`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, source));
  const doc = parsed.data;
  const issuers = toPolicies(doc, source);
  const normalised = JSON.stringify({
    issuers: [...issuers.values()].map((p) => ({
      ...p,
      algorithms: [...p.algorithms],
      rules: describeIssuerRules(p.rules),
    })),
    jwks: doc.jwks,
    tokenCache: doc.tokenCache,
    clockSkewSeconds: doc.clockSkewSeconds,
    allowInsecureHttp: doc.allowInsecureHttp,
    maxTokenBytes: doc.maxTokenBytes,
    dedup: doc.dedup,
  });
  return Object.freeze({
    issuers,
    jwks: Object.freeze({
      cacheTtlMs: doc.jwks.cacheTtlSeconds * 1000,
      minRefreshIntervalMs: doc.jwks.minRefreshIntervalSeconds * 1000,
      fetchTimeoutMs: doc.jwks.fetchTimeoutMs,
      maxStalenessMs: doc.jwks.maxStalenessSeconds * 1000,
      maxResponseBytes: doc.jwks.maxResponseBytes,
      requestWaitMs: doc.jwks.requestWaitMs,
    }),
    tokenCache: Object.freeze({ ...doc.tokenCache }),
    clockSkewSeconds: doc.clockSkewSeconds,
    allowInsecureHttp: doc.allowInsecureHttp,
    maxTokenBytes: doc.maxTokenBytes,
    dedup: Object.freeze(toDedupSettings(doc.dedup)),
    hash: createHash('sha256').update(normalised).digest('hex'),
    source,
  });
}
