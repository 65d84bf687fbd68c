// Config errors for the per-issuer webhook policy keys: each bad value is refused at load with a
// message naming the file, the field and what is wrong.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { NO_RULES } from '../policy/issuer-rules.js';
import { ConfigError, parseConfig } from './parse-config.js';

const ISS = 'https://securetoken.google.com/pps-local-dev-376022';
const SOURCE = '/etc/pps-gate/config.yaml';

function errorFor(rules: Record<string, unknown>): string {
  const text = stringify({
    issuers: [{ issuer: ISS, audiences: ['pps-local-dev-376022'], ...rules }],
  });
  try {
    parseConfig(text, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(rules)}`);
}

describe('per-issuer webhook policy config', () => {
  it('accepts the documented example', () => {
    const text = `issuers:
  - issuer: ${ISS}
    audiences: [pps-local-dev-376022]
    tenantClaim: firebase.tenant
    tenants: [OU1243, OU2000]
    topics: ["orders/*", "invoices/paid"]
    requiredClaims: { email_verified: true }
    maxTokenAgeSeconds: 3600
    triggeredAtWindowSeconds: 259200
    replay: jti
    claimHeaders: { email: x-pps-auth-email, user_id: x-pps-auth-user-id }
`;
    expect(() => parseConfig(text, SOURCE)).not.toThrow();
  });

  it.each([
    [
      { tenantClaim: 'firebase..tenant' },
      /issuers\[0\]\.tenantClaim: claim path "firebase\.\.tenant": expected a claim name at position 9/,
    ],
    [
      { tenantClaim: 'https://x/tenant' },
      /issuers\[0\]\.tenantClaim: claim path .*unexpected "\/"/,
    ],
    [
      { tenantClaim: '' },
      /issuers\[0\]\.tenantClaim: claim path "": a claim path must not be empty/,
    ],
    [{ tenantClaim: 7 }, /issuers\[0\]\.tenantClaim: .*string/],
    [{ tenants: [] }, /issuers\[0\]\.tenants: list at least one tenant/],
    [{ tenants: ['OU 1'] }, /issuers\[0\]\.tenants\[0\]: a tenant id looks like/],
    [
      { topics: ['orders/a**'] },
      /issuers\[0\]\.topics\[0\]: topic glob "orders\/a\*\*": "\*\*" must be a whole segment/,
    ],
    [
      { topics: ['orders/*', '/payments/*'] },
      /issuers\[0\]\.topics\[1\]: topic glob "\/payments\/\*": can never match/,
    ],
    [{ topics: ['orders/{a,b}'] }, /issuers\[0\]\.topics\[0\]: .*"\{" never occurs in a topic/],
    [{ topics: [] }, /issuers\[0\]\.topics: list at least one topic glob/],
    [{ requiredClaims: { 'a b': true } }, /issuers\[0\]\.requiredClaims\.a b: claim path "a b"/],
    [
      { requiredClaims: { roles: ['admin'] } },
      /issuers\[0\]\.requiredClaims\.roles: a required claim value must be a string, number or boolean/,
    ],
    [
      { requiredClaims: { roles: null } },
      /issuers\[0\]\.requiredClaims\.roles: a required claim value/,
    ],
    [{ maxTokenAgeSeconds: 0 }, /issuers\[0\]\.maxTokenAgeSeconds: must be at least 1 second/],
    [
      { maxTokenAgeSeconds: 1.5 },
      /issuers\[0\]\.maxTokenAgeSeconds: must be a whole number of seconds/,
    ],
    [
      { triggeredAtWindowSeconds: -5 },
      /issuers\[0\]\.triggeredAtWindowSeconds: must be at least 1 second/,
    ],
    [{ triggeredAtWindowSeconds: '3d' }, /issuers\[0\]\.triggeredAtWindowSeconds: .*number/],
    [{ replay: 'nonce' }, /issuers\[0\]\.replay: the only replay guard is "jti"/],
    [{ replay: true }, /issuers\[0\]\.replay: the only replay guard is "jti"/],
    [
      { claimHeaders: { email: 'x-user-email' } },
      /issuers\[0\]\.claimHeaders\.email: "x-user-email" must be a header name under the reserved x-pps-auth- prefix/,
    ],
    [
      { claimHeaders: { email: 'x-pps-auth-subject' } },
      /issuers\[0\]\.claimHeaders\.email: .*own identity headers/,
    ],
    [
      { claimHeaders: { 'a..b': 'x-pps-auth-ab' } },
      /issuers\[0\]\.claimHeaders\.a\.\.b: claim path "a\.\.b"/,
    ],
    [
      { claimHeaders: { email: 'x-pps-auth-e', mail: 'X-Pps-Auth-E' } },
      /issuers\[0\]\.claimHeaders\.mail: header "X-Pps-Auth-E" is already set from claim "email"/,
    ],
    [{ tenant: 'OU1' }, /unknown key "tenant" in issuers\[0\]/],
  ])('refuses %j, naming the file and the field', (rules, message) => {
    const error = errorFor(rules);
    expect(error).toContain(`invalid config in ${SOURCE}:`);
    expect(error).toMatch(message);
  });
});

describe('the compiled webhook policy in the config snapshot', () => {
  const base = { issuer: ISS, audiences: ['pps-local-dev-376022'] };

  it('carries each issuer its own compiled rules, and none for the trusted_issuers map', () => {
    const config = parseConfig(
      JSON.stringify({ issuers: [{ ...base, topics: ['orders/*'], replay: 'jti' }] }),
      SOURCE,
    );
    const rules = config.issuers.get(ISS)!.rules;
    expect(rules.topics?.map((t) => t.text)).toEqual(['orders/*']);
    expect(rules.replay).toBe('jti');
    const map = parseConfig(`trusted_issuers:\n  ${ISS}: null\n`, SOURCE);
    expect(map.issuers.get(ISS)!.rules).toEqual(NO_RULES);
  });

  it('changes the config hash when a rule changes', () => {
    const hash = (rules: object) =>
      parseConfig(JSON.stringify({ issuers: [{ ...base, ...rules }] }), SOURCE).hash;
    expect(hash({ topics: ['orders/*'] })).not.toBe(hash({ topics: ['orders/**'] }));
    expect(hash({})).not.toBe(hash({ replay: 'jti' }));
    expect(hash({ tenants: ['OU1'] })).toBe(hash({ tenants: ['OU1'] }));
  });
});

describe('Ed25519 (RFC 9864) in algorithms', () => {
  const withAlgorithms = (algorithms: unknown) =>
    JSON.stringify({ issuers: [{ issuer: ISS, audiences: ['a'], algorithms }] });

  it('accepts Ed25519 alongside EdDSA, and allows it by default', () => {
    const config = parseConfig(withAlgorithms(['Ed25519', 'EdDSA']), SOURCE);
    expect([...config.issuers.get(ISS)!.algorithms]).toEqual(['Ed25519', 'EdDSA']);
    const byDefault = parseConfig(
      JSON.stringify({ issuers: [{ issuer: ISS, audiences: ['a'] }] }),
      SOURCE,
    );
    expect(byDefault.issuers.get(ISS)!.algorithms.has('Ed25519')).toBe(true);
  });

  it('refuses Ed448, which jose cannot verify, naming the field', () => {
    expect(() => parseConfig(withAlgorithms(['Ed448']), SOURCE)).toThrow(
      /issuers\[0\]\.algorithms\[0\]: must be one of .*Ed25519/,
    );
  });
});
