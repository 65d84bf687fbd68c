// Fuzzing the token decoder: any bytes in the header and payload segments give a decoded token
// or a deny, never a throw; what it decodes is exactly the JSON those bytes spell.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeToken } from '../../src/pipeline/decode-token.js';
import type { CompactToken } from '../../src/pipeline/extract-token.js';
import { fuzzParameters } from './fuzz-parameters.js';

function compact(headerBytes: Uint8Array, payloadBytes: Uint8Array): CompactToken {
  const header = Buffer.from(headerBytes).toString('base64url');
  const payload = Buffer.from(payloadBytes).toString('base64url');
  return { token: `${header}.${payload}.c2ln`, header, payload, signature: 'c2ln' };
}

const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));
const jsonObject = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), {
  maxKeys: 8,
});
const header = fc.record(
  {
    alg: fc.constantFrom('RS256', 'ES256', 'EdDSA'),
    kid: fc.string({ minLength: 1, maxLength: 40 }),
  },
  { requiredKeys: ['alg', 'kid'] },
);
/** Bytes that are mostly JSON, sometimes with a byte or two flipped. */
const mutatedJson = fc
  .tuple(
    jsonObject,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 2 }),
  )
  .map(([value, edits]) => {
    const bytes = utf8(JSON.stringify(value));
    for (const [at, byte] of edits) if (bytes.length > 0) bytes[at % bytes.length] = byte;
    return bytes;
  });
const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 200 }), mutatedJson);

describe('decodeToken under fuzzing', () => {
  it('never throws on any header and payload bytes, and denies only as malformed or wrong typ', () => {
    fc.assert(
      fc.property(anyBytes, anyBytes, (h, p) => {
        const result = decodeToken(compact(h, p));
        if ('reason' in result)
          expect(['malformed_token', 'unsupported_token_type']).toContain(result.reason);
      }),
      fuzzParameters(3000),
    );
  });

  it('decodes exactly the claims the payload bytes spell, and the header alg and kid', () => {
    fc.assert(
      fc.property(header, jsonObject, (h, claims) => {
        const result = decodeToken(compact(utf8(JSON.stringify(h)), utf8(JSON.stringify(claims))));
        expect(result).toEqual({
          alg: h.alg,
          kid: h.kid,
          claims: JSON.parse(JSON.stringify(claims)),
        });
      }),
      fuzzParameters(1000),
    );
  });

  it('refuses a payload that is not valid UTF-8', () => {
    fc.assert(
      fc.property(header, jsonObject, fc.nat(), (h, claims, at) => {
        const bytes = utf8(JSON.stringify(claims));
        const invalid = new Uint8Array([
          ...bytes.slice(0, at % bytes.length),
          0xff,
          ...bytes.slice(at % bytes.length),
        ]);
        expect(decodeToken(compact(utf8(JSON.stringify(h)), invalid))).toMatchObject({
          reason: 'malformed_token',
        });
      }),
      fuzzParameters(500),
    );
  });
});
