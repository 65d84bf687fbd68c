// Fuzzing the config parser: any text is a config or a ConfigError naming the source (never
// another exception); every well-formed document parses to exactly what it says; an unknown key
// or an out-of-range number anywhere is refused with a message naming it.
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/parse-config.js';
import { fuzzParameters } from './fuzz-parameters.js';

const SOURCE = 'fuzz.yaml';
const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
const issuerUrl = fc
  .tuple(label, fc.array(label, { maxLength: 2 }))
  .map(([host, path]) => `https://${host}.example${path.map((p) => `/${p}`).join('')}`);
const audiences = fc.oneof(
  fc.constant('*' as const),
  fc.uniqueArray(
    fc.string({ minLength: 1, maxLength: 20 }).filter((a) => a !== '*'),
    {
      minLength: 1,
      maxLength: 3,
    },
  ),
);
const issuerEntry = fc.record(
  {
    issuer: issuerUrl,
    audiences,
    algorithms: fc.uniqueArray(fc.constantFrom('RS256', 'ES256', 'PS256', 'EdDSA'), {
      minLength: 1,
    }),
    forwardToken: fc.boolean(),
  },
  { requiredKeys: ['issuer', 'audiences'] },
);
const jwks = fc.record(
  {
    cacheTtlSeconds: fc.integer({ min: 1, max: 7 * 86_400 }),
    minRefreshIntervalSeconds: fc.integer({ min: 1, max: 3600 }),
    fetchTimeoutMs: fc.integer({ min: 100, max: 60_000 }),
  },
  { requiredKeys: [] },
);
const validDocument = fc.record(
  {
    issuers: fc.uniqueArray(issuerEntry, { minLength: 1, maxLength: 4, selector: (e) => e.issuer }),
    jwks,
    clockSkewSeconds: fc.integer({ min: 0, max: 600 }),
    maxTokenBytes: fc.integer({ min: 1024, max: 64 * 1024 }),
  },
  { requiredKeys: ['issuers'] },
);

function parseOrError(text: string): ReturnType<typeof parseConfig> | ConfigError {
  try {
    return parseConfig(text, SOURCE);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

describe('parseConfig under fuzzing', () => {
  it('answers any text with a config or a ConfigError naming the source, never another error', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
          validDocument
            .map((d) => stringify(d))
            .chain((text) =>
              fc
                .tuple(fc.nat(text.length), fc.string({ maxLength: 4 }))
                .map(([at, insert]) => text.slice(0, at) + insert + text.slice(at)),
            ),
        ),
        (text) => {
          const result = parseOrError(text);
          if (result instanceof ConfigError) expect(result.message).toContain(SOURCE);
          else expect(result.issuers.size).toBeGreaterThan(0);
        },
      ),
      fuzzParameters(600),
    );
  });

  it('parses every well-formed document, YAML or JSON, to exactly the issuers and limits it gives', () => {
    fc.assert(
      fc.property(validDocument, fc.boolean(), (doc, asJson) => {
        const config = parseConfig(asJson ? JSON.stringify(doc) : stringify(doc), SOURCE);
        expect([...config.issuers.keys()]).toEqual(doc.issuers.map((e) => e.issuer));
        for (const entry of doc.issuers) {
          const policy = config.issuers.get(entry.issuer)!;
          expect(policy.audiences).toEqual(entry.audiences === '*' ? 'any' : entry.audiences);
          expect(policy.forwardToken).toBe(entry.forwardToken ?? false);
          if (entry.algorithms) expect([...policy.algorithms]).toEqual(entry.algorithms);
        }
        expect(config.clockSkewSeconds).toBe(doc.clockSkewSeconds ?? 60);
        expect(config.maxTokenBytes).toBe(doc.maxTokenBytes ?? 8192);
        expect(config.jwks.fetchTimeoutMs).toBe(doc.jwks?.fetchTimeoutMs ?? 5000);
        expect(Object.isFrozen(config)).toBe(true);
      }),
      fuzzParameters(500),
    );
  });

  it('refuses an unknown key at the top level, in jwks or in an issuer, naming the key', () => {
    fc.assert(
      fc.property(
        validDocument,
        fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,15}$/),
        fc.constantFrom('top', 'jwks', 'issuer'),
        (doc, key, where) => {
          const target: Record<string, unknown> =
            where === 'top'
              ? doc
              : where === 'jwks'
                ? (((doc as Record<string, unknown>).jwks ??= {}) as Record<string, unknown>)
                : (doc.issuers[0] as Record<string, unknown>);
          fc.pre(!(key in target) && key !== '__proto__' && key !== 'trusted_issuers');
          fc.pre(
            !['issuers', 'jwks', 'clockSkewSeconds', 'allowInsecureHttp', 'maxTokenBytes'].includes(
              key,
            ) || where !== 'top',
          );
          target[key] = 1;
          const result = parseOrError(stringify(doc));
          expect(result).toBeInstanceOf(ConfigError);
          expect((result as ConfigError).message).toContain(`"${key}"`);
        },
      ),
      fuzzParameters(500),
    );
  });

  it('refuses an out-of-range or non-integer number, naming its field', () => {
    const field = fc.constantFrom(
      ['clockSkewSeconds', 0, 600],
      ['maxTokenBytes', 1024, 64 * 1024],
      ['jwks.fetchTimeoutMs', 100, 60_000],
      ['jwks.cacheTtlSeconds', 1, 7 * 86_400],
    ) as fc.Arbitrary<[string, number, number]>;
    fc.assert(
      fc.property(
        validDocument,
        field,
        fc.double({ noNaN: true }),
        (doc, [path, min, max], value) => {
          fc.pre(value < min || value > max || !Number.isInteger(value));
          fc.pre(Number.isFinite(value));
          const [first, second] = path.split('.') as [string, string | undefined];
          const record = doc as Record<string, unknown>;
          if (second === undefined) record[first] = value;
          else ((record[first] ??= {}) as Record<string, unknown>)[second] = value;
          const result = parseOrError(JSON.stringify(doc));
          expect(result).toBeInstanceOf(ConfigError);
          expect((result as ConfigError).message).toContain(path);
        },
      ),
      fuzzParameters(500),
    );
  });
});
