// The per-issuer webhook policy, compiled once at config load from the issuer's entry: tenant
// binding and allow-list, topic globs, required claims, freshness windows, the replay guard and
// claim headers. Every field is optional; an issuer without any keeps NO_RULES.
import { parseClaimPath, type ClaimPath } from './claim-path.js';
import { parseClaimHeaderName, type ClaimHeader } from './claim-headers.js';
import type { RequiredClaim, RequiredValue } from './required-claims.js';
import { compileTopicGlob, type TopicGlob } from './topic-glob.js';

export interface IssuerRules {
  readonly tenantClaim: ClaimPath | undefined;
  readonly tenants: ReadonlySet<string> | undefined;
  readonly topics: readonly TopicGlob[] | undefined;
  readonly requiredClaims: readonly RequiredClaim[];
  readonly maxTokenAgeSeconds: number | undefined;
  readonly triggeredAtWindowSeconds: number | undefined;
  readonly replay: 'jti' | undefined;
  readonly claimHeaders: readonly ClaimHeader[];
}

/** The config entry's keys, as the schema validated them. */
export interface IssuerRulesSpec {
  readonly tenantClaim?: string | undefined;
  readonly tenants?: readonly string[] | undefined;
  readonly topics?: readonly string[] | undefined;
  readonly requiredClaims?: Readonly<Record<string, RequiredValue>> | undefined;
  readonly maxTokenAgeSeconds?: number | undefined;
  readonly triggeredAtWindowSeconds?: number | undefined;
  readonly replay?: 'jti' | undefined;
  readonly claimHeaders?: Readonly<Record<string, string>> | undefined;
}

export const NO_RULES: IssuerRules = Object.freeze({
  tenantClaim: undefined,
  tenants: undefined,
  topics: undefined,
  requiredClaims: Object.freeze([]),
  maxTokenAgeSeconds: undefined,
  triggeredAtWindowSeconds: undefined,
  replay: undefined,
  claimHeaders: Object.freeze([]),
});

// The schema has checked every value with the same parsers; a failure here is a bug.
function path(text: string): ClaimPath {
  const parsed = parseClaimPath(text);
  if (typeof parsed === 'string') throw new Error(`claim path ${text}: ${parsed}`);
  return parsed;
}

function glob(text: string): TopicGlob {
  const compiled = compileTopicGlob(text);
  if (typeof compiled === 'string') throw new Error(`topic glob ${text}: ${compiled}`);
  return compiled;
}

function headerName(text: string): string {
  const name = parseClaimHeaderName(text);
  if (typeof name !== 'string') throw new Error(name.error);
  return name;
}

export function compileIssuerRules(spec: IssuerRulesSpec): IssuerRules {
  return Object.freeze({
    tenantClaim: spec.tenantClaim === undefined ? undefined : path(spec.tenantClaim),
    tenants: spec.tenants === undefined ? undefined : new Set(spec.tenants),
    topics: spec.topics === undefined ? undefined : Object.freeze(spec.topics.map(glob)),
    requiredClaims: Object.freeze(
      Object.entries(spec.requiredClaims ?? {}).map(([claim, value]) => ({
        path: path(claim),
        value,
      })),
    ),
    maxTokenAgeSeconds: spec.maxTokenAgeSeconds,
    triggeredAtWindowSeconds: spec.triggeredAtWindowSeconds,
    replay: spec.replay,
    claimHeaders: Object.freeze(
      Object.entries(spec.claimHeaders ?? {}).map(([claim, name]) => ({
        path: path(claim),
        name: headerName(name),
      })),
    ),
  });
}

/** The rules as config keys again (for /config and the config hash). */
export function describeIssuerRules(rules: IssuerRules): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (rules.tenantClaim !== undefined) out.tenantClaim = rules.tenantClaim.text;
  if (rules.tenants !== undefined) out.tenants = [...rules.tenants];
  if (rules.topics !== undefined) out.topics = rules.topics.map((t) => t.text);
  if (rules.requiredClaims.length > 0)
    out.requiredClaims = Object.fromEntries(
      rules.requiredClaims.map((r) => [r.path.text, r.value]),
    );
  if (rules.maxTokenAgeSeconds !== undefined) out.maxTokenAgeSeconds = rules.maxTokenAgeSeconds;
  if (rules.triggeredAtWindowSeconds !== undefined)
    out.triggeredAtWindowSeconds = rules.triggeredAtWindowSeconds;
  if (rules.replay !== undefined) out.replay = rules.replay;
  if (rules.claimHeaders.length > 0)
    out.claimHeaders = Object.fromEntries(rules.claimHeaders.map((h) => [h.path.text, h.name]));
  return out;
}
