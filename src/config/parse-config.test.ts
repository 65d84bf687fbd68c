// Config parsing: both documented shapes, defaults, errors naming field and source, the hash.
import { describe, expect, it } from 'vitest';
import { NO_RULES } from '../policy/issuer-rules.js';
import { ConfigError, parseConfig } from './parse-config.js';

const ISS = 'https://securetoken.google.com/pps-prod';
const SOURCE = '/etc/pps-gate/config.yaml';

function errorOf(text: string): string {
  try {
    parseConfig(text, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('reads the issuers list shape with its options', () => {
    const config = parseConfig(
      `issuers:\n  - issuer: ${ISS}\n    audiences: [pps-prod, pps-other]\n    algorithms: [RS256]\n    forwardToken: true\n    jwksUri: https://keys.example/jwks.json\n    maxTokenLifetimeSeconds: 3600\n    requireIssuedAt: false\n`,
      SOURCE,
    );
    expect(config.source).toBe(SOURCE);
    expect(config.issuers.get(ISS)).toEqual({
      issuer: ISS,
      audiences: ['pps-prod', 'pps-other'],
      jwksUri: 'https://keys.example/jwks.json',
      algorithms: new Set(['RS256']),
      forwardToken: true,
      rules: NO_RULES,
      maxTokenLifetimeSeconds: 3600,
      requireIssuedAt: false,
    });
  });

  it('reads the trusted_issuers map shape, where null means any audience', () => {
    const config = parseConfig(
      `trusted_issuers:\n  ${ISS}: [pps-prod]\n  https://other.example/x: null\n`,
      SOURCE,
    );
    expect(config.issuers.get(ISS)).toMatchObject({
      audiences: ['pps-prod'],
      forwardToken: false,
      jwksUri: undefined,
    });
    expect(config.issuers.get('https://other.example/x')?.audiences).toBe('any');
    expect(config.issuers.get(ISS)?.algorithms.has('RS256')).toBe(true);
    expect(config.issuers.get(ISS)?.algorithms.has('HS256')).toBe(false);
  });

  it('treats "*" as any audience', () => {
    const config = parseConfig(
      JSON.stringify({ issuers: [{ issuer: ISS, audiences: '*' }] }),
      SOURCE,
    );
    expect(config.issuers.get(ISS)?.audiences).toBe('any');
  });

  it('treats the list ["*"] as any audience too, in both shapes', () => {
    const listed = parseConfig(`issuers:\n  - {issuer: "${ISS}", audiences: ["*"]}\n`, SOURCE);
    expect(listed.issuers.get(ISS)?.audiences).toBe('any');
    const mapped = parseConfig(`trusted_issuers:\n  "${ISS}": ["*"]\n`, SOURCE);
    expect(mapped.issuers.get(ISS)?.audiences).toBe('any');
  });

  it('fills the documented defaults', () => {
    const config = parseConfig(
      JSON.stringify({ issuers: [{ issuer: ISS, audiences: ['a'] }] }),
      SOURCE,
    );
    expect(config.jwks).toEqual({
      cacheTtlMs: 3600_000,
      minRefreshIntervalMs: 30_000,
      fetchTimeoutMs: 5000,
      maxStalenessMs: 86_400_000,
      maxResponseBytes: 1024 * 1024,
      requestWaitMs: 150,
    });
    expect(config.issuers.get(ISS)).toMatchObject({
      maxTokenLifetimeSeconds: 86_400,
      requireIssuedAt: true,
    });
    expect(config).toMatchObject({
      clockSkewSeconds: 60,
      maxTokenBytes: 8192,
      allowInsecureHttp: false,
      tokenCache: { maxEntries: 10_000, maxBytes: 32 * 1024 * 1024 },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names an unknown key and the source file, at the top and inside an issuer', () => {
    const top = errorOf(`issuers:\n  - issuer: ${ISS}\n    audiences: [a]\njwk: {}\n`);
    expect(top).toContain('"jwk"');
    expect(top).toContain(SOURCE);
    const nested = errorOf(`issuers:\n  - issuer: ${ISS}\n    audience: a\n`);
    expect(nested).toContain('"audience"');
    expect(nested).toContain('issuers[0]');
    expect(nested).toContain(SOURCE);
  });

  it('rejects token cache bounds out of range, naming the field', () => {
    const base = `issuers:\n  - issuer: ${ISS}\n    audiences: [a]\n`;
    expect(errorOf(`${base}tokenCache: { maxEntries: -1 }\n`)).toContain('tokenCache.maxEntries');
    expect(errorOf(`${base}tokenCache: { maxBytes: 1000 }\n`)).toContain('tokenCache.maxBytes');
    expect(errorOf(`${base}tokenCache: { size: 10 }\n`)).toContain('"size"');
  });

  it('rejects an empty issuer list in either shape', () => {
    expect(errorOf('issuers: []')).toMatch(/issuers: list at least one trusted issuer/);
    expect(errorOf('trusted_issuers: {}')).toMatch(
      /trusted_issuers: list at least one trusted issuer/,
    );
    expect(errorOf('clockSkewSeconds: 5')).toContain('give exactly one of');
    expect(
      errorOf(`issuers: [{issuer: "${ISS}", audiences: "*"}]\ntrusted_issuers: {"${ISS}": null}`),
    ).toContain('give exactly one of');
  });

  it('rejects a non-https issuer or jwksUri unless allowInsecureHttp is set', () => {
    const message = errorOf(`issuers:\n  - issuer: http://127.0.0.1:8080/p\n    audiences: [a]\n`);
    expect(message).toContain('issuers[0].issuer');
    expect(message).toContain('must use https');
    expect(
      errorOf(
        `issuers:\n  - issuer: ${ISS}\n    audiences: [a]\n    jwksUri: http://keys.example/j\n`,
      ),
    ).toContain('issuers[0].jwksUri');
    expect(errorOf(`trusted_issuers:\n  http://127.0.0.1/p: null\n`)).toContain(
      'trusted_issuers["http://127.0.0.1/p"].issuer',
    );
    const allowed = parseConfig(
      `allowInsecureHttp: true\nissuers:\n  - issuer: http://127.0.0.1:8080/p\n    audiences: [a]\n`,
      SOURCE,
    );
    expect(allowed.issuers.has('http://127.0.0.1:8080/p')).toBe(true);
  });

  it('rejects an issuer listed twice', () => {
    const message = errorOf(
      `issuers:\n  - {issuer: "${ISS}", audiences: [a]}\n  - {issuer: "${ISS}", audiences: [b]}\n`,
    );
    expect(message).toContain('issuers[1].issuer');
    expect(message).toContain('listed twice');
  });

  it('rejects "*" mixed with named audiences', () => {
    expect(errorOf(`issuers:\n  - {issuer: "${ISS}", audiences: ["*", a]}\n`)).toContain(
      'issuers[0].audiences: "*" must stand alone',
    );
    expect(errorOf(`trusted_issuers:\n  "${ISS}": ["*", a]\n`)).toContain('"*" must stand alone');
  });

  it('rejects HS256 and none as algorithms, naming the field', () => {
    for (const alg of ['HS256', 'none']) {
      const message = errorOf(
        `issuers:\n  - {issuer: "${ISS}", audiences: [a], algorithms: [RS256, ${alg}]}\n`,
      );
      expect(message).toContain('issuers[0].algorithms[1]');
      expect(message).toContain('never allowed');
    }
  });

  it('rejects a token lifetime under a minute or over a year, and a wait budget out of range, naming the field', () => {
    expect(
      errorOf(`issuers:\n  - {issuer: "${ISS}", audiences: [a], maxTokenLifetimeSeconds: 30}\n`),
    ).toContain('issuers[0].maxTokenLifetimeSeconds');
    expect(
      errorOf(
        `issuers:\n  - {issuer: "${ISS}", audiences: [a], maxTokenLifetimeSeconds: 40000000}\n`,
      ),
    ).toContain('issuers[0].maxTokenLifetimeSeconds');
    expect(
      errorOf(`issuers:\n  - {issuer: "${ISS}", audiences: [a]}\njwks: {requestWaitMs: -1}\n`),
    ).toContain('jwks.requestWaitMs');
  });

  it('rejects YAML with duplicate keys and text that is not a mapping', () => {
    expect(
      errorOf(
        `clockSkewSeconds: 1\nclockSkewSeconds: 2\nissuers: [{issuer: "${ISS}", audiences: "*"}]`,
      ),
    ).toContain('not valid YAML/JSON');
    expect(errorOf('- a\n- b')).toContain('expected a mapping');
  });

  it('hashes equal content equally, whatever the format or key order, and different content differently', () => {
    const json = JSON.stringify({
      clockSkewSeconds: 30,
      issuers: [{ issuer: ISS, audiences: ['a'] }],
    });
    const yaml = `issuers:\n  - audiences: [a]\n    issuer: ${ISS}\nclockSkewSeconds: 30\n`;
    const first = parseConfig(json, 'a.json').hash;
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(parseConfig(json, 'b.json').hash).toBe(first);
    expect(parseConfig(yaml, 'c.yaml').hash).toBe(first);
    expect(parseConfig(json.replace('"a"', '"b"'), 'a.json').hash).not.toBe(first);
    expect(parseConfig(json.replace('30', '31'), 'a.json').hash).not.toBe(first);
  });
});
