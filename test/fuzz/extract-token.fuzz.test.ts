// Fuzzing the Authorization header parser (framing): whatever the header holds, it answers a
// token or a missing/malformed deny, never throws, and only ever hands on a canonical compact JWS.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractToken } from '../../src/pipeline/extract-token.js';
import { fuzzParameters } from './fuzz-parameters.js';

const MAX = 8192;
const segment = fc
  .uint8Array({ minLength: 1, maxLength: 300 })
  .map((bytes) => Buffer.from(bytes).toString('base64url'));
const compactJws = fc.tuple(segment, segment, segment).map((parts) => parts.join('.'));
const scheme = fc.mixedCase(fc.constant('bearer'));
const spaces = fc.integer({ min: 1, max: 4 }).map((n) => ' '.repeat(n));

/** Header values near the accepted shape: a real token, then one random edit. */
const nearMiss = fc
  .tuple(
    scheme,
    spaces,
    compactJws,
    fc.nat(),
    fc.string({ unit: 'binary', maxLength: 3 }),
    fc.nat(3),
  )
  .map(([s, sp, token, at, insert, drop]) => {
    const value = `${s}${sp}${token}`;
    const i = at % (value.length + 1);
    return value.slice(0, i) + insert + value.slice(i + drop);
  });

const anyHeader = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'binary-ascii', maxLength: 200 }).map((s) => `Bearer ${s}`),
  nearMiss,
);

describe('extractToken under fuzzing', () => {
  it('never throws, and answers either a token or missing_token / malformed_token', () => {
    fc.assert(
      fc.property(fc.option(anyHeader, { nil: undefined }), (header) => {
        const result = extractToken(header, MAX);
        if ('reason' in result)
          expect(['missing_token', 'malformed_token']).toContain(result.reason);
      }),
      fuzzParameters(2000),
    );
  });

  it('hands on only three canonical base64url segments that make up the token, within the cap', () => {
    fc.assert(
      fc.property(anyHeader, fc.integer({ min: 64, max: MAX }), (header, max) => {
        const result = extractToken(header, max);
        if ('reason' in result) return;
        expect(result.token).toBe(`${result.header}.${result.payload}.${result.signature}`);
        expect(result.token.length).toBeLessThanOrEqual(max);
        for (const part of [result.header, result.payload, result.signature]) {
          expect(Buffer.from(part, 'base64url').toString('base64url')).toBe(part);
        }
        expect(header.endsWith(result.token)).toBe(true);
      }),
      fuzzParameters(2000),
    );
  });

  it('accepts every canonical compact JWS after the Bearer scheme in any case and one or more spaces', () => {
    fc.assert(
      fc.property(scheme, spaces, compactJws, (s, sp, token) => {
        const result = extractToken(`${s}${sp}${token}`, MAX);
        expect(result).toMatchObject({ token });
      }),
      fuzzParameters(500),
    );
  });

  it('refuses a token segment whose last character has unused bits set (a second spelling)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }).filter((b) => b.length % 3 !== 0),
        fc.integer({ min: 1, max: 15 }),
        (bytes, noise) => {
          const canonical = Buffer.from(bytes).toString('base64url');
          const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
          const last = alphabet.indexOf(canonical.at(-1)!);
          const unused = bytes.length % 3 === 1 ? 0x0f : 0x03;
          fc.pre((noise & unused) !== 0);
          const altered = canonical.slice(0, -1) + alphabet[last | (noise & unused)]!;
          const result = extractToken(`Bearer ${altered}.${canonical}.${canonical}`, MAX);
          expect(result).toMatchObject({ reason: 'malformed_token' });
        },
      ),
      fuzzParameters(500),
    );
  });
});
