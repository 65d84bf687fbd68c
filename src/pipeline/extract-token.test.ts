// Framing rules for the Authorization header: one Bearer, one canonical compact JWS, a size cap.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isDeny } from './decision.js';
import { extractToken, isCanonicalBase64Url } from './extract-token.js';

const MAX = 8192;
const b64 = (text: string): string => Buffer.from(text).toString('base64url');
const header = b64('{"alg":"RS256","kid":"k1","typ":"JWT"}');
const payload = b64('{"iss":"https://issuer.example/p","sub":"s","aud":"p","exp":2000000000}');
// 256 bytes -> 342 characters, length % 4 === 2: its last character has four unused bits.
const signature = randomBytes(256).toString('base64url');
const token = `${header}.${payload}.${signature}`;

function reasonOf(authorization: string | undefined): string {
  const result = extractToken(authorization, MAX);
  return 'reason' in result ? result.reason : 'ok';
}

/** A token of exactly `length` characters whose segments are all canonical. */
function tokenOfLength(length: number): string {
  // Canonical base64url of n bytes has length 4k, 4k+2 or 4k+3, never 4k+1: pick a signature
  // size that leaves the payload a possible length.
  for (const signatureBytes of [256, 255, 254]) {
    const sig = randomBytes(signatureBytes).toString('base64url');
    const payloadLength = length - header.length - sig.length - 2;
    if (payloadLength % 4 === 1) continue;
    const padded = Buffer.alloc(Math.floor((payloadLength * 3) / 4), 0x41).toString('base64url');
    expect(padded.length).toBe(payloadLength);
    return `${header}.${padded}.${sig}`;
  }
  throw new Error('unreachable');
}

describe('extractToken', () => {
  it('returns the token and its three segments for one Bearer credential', () => {
    expect(extractToken(`Bearer ${token}`, MAX)).toEqual({ token, header, payload, signature });
  });

  it('accepts the Bearer scheme in any case', () => {
    for (const scheme of ['bearer', 'BEARER', 'BeArEr'])
      expect(reasonOf(`${scheme} ${token}`)).toBe('ok');
  });

  it('answers missing_token when there is no Authorization header or it is blank', () => {
    expect(reasonOf(undefined)).toBe('missing_token');
    expect(reasonOf('')).toBe('missing_token');
    expect(reasonOf('   ')).toBe('missing_token');
  });

  it('answers missing_token for another scheme', () => {
    expect(reasonOf(`Basic ${b64('user:pass')}`)).toBe('missing_token');
    expect(reasonOf(`DPoP ${token}`)).toBe('missing_token');
    expect(reasonOf(token)).toBe('missing_token');
  });

  it('rejects two credentials as Envoy comma-merges them, or side by side, as malformed_token', () => {
    expect(reasonOf(`Bearer ${token}, Bearer ${token}`)).toBe('malformed_token');
    expect(reasonOf(`Bearer ${token} Bearer ${token}`)).toBe('malformed_token');
    expect(reasonOf(`Bearer ${token} ${token}`)).toBe('malformed_token');
  });

  it('rejects trailing junk or a trailing newline after the token', () => {
    expect(reasonOf(`Bearer ${token} extra`)).toBe('malformed_token');
    expect(reasonOf(`Bearer ${token}\n`)).toBe('malformed_token');
    expect(reasonOf(`Bearer ${token}\r\n`)).toBe('malformed_token');
    expect(reasonOf(`Bearer ${token} \u00a0`)).toBe('malformed_token');
  });

  it('trims optional whitespace (SP, HTAB) around the field value, as RFC 9110 §5.5 says, on every transport', () => {
    for (const value of [`Bearer ${token} `, `Bearer ${token}\t \t`, ` \tBearer ${token}`]) {
      expect(extractToken(value, MAX), JSON.stringify(value.slice(0, 3))).toEqual({
        token,
        header,
        payload,
        signature,
      });
    }
    expect(reasonOf(' \t ')).toBe('missing_token');
  });

  it('rejects whitespace inside a segment, which lenient base64 decoders skip', () => {
    const split = `${header}.${payload}.${signature.slice(0, 100)} ${signature.slice(100)}`;
    expect(reasonOf(`Bearer ${split}`)).toBe('malformed_token');
    const tabbed = `${header}.${payload.slice(0, 10)}\t${payload.slice(10)}.${signature}`;
    expect(reasonOf(`Bearer ${tabbed}`)).toBe('malformed_token');
  });

  it('rejects a non-canonical final base64url character that decodes to the same bytes', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(signature.charAt(signature.length - 1));
    const twin = `${signature.slice(0, -1)}${alphabet.charAt(last | 1)}`;
    // The point of the rule: Node decodes both strings to identical bytes.
    expect(Buffer.from(twin, 'base64url').equals(Buffer.from(signature, 'base64url'))).toBe(true);
    expect(twin).not.toBe(signature);
    expect(reasonOf(`Bearer ${header}.${payload}.${twin}`)).toBe('malformed_token');
  });

  it('rejects padding and the +/ alphabet of plain base64', () => {
    expect(reasonOf(`Bearer ${header}.${payload}.${signature}==`)).toBe('malformed_token');
    const plain = Buffer.from(signature, 'base64url').toString('base64');
    expect(plain).toMatch(/[+/=]/);
    expect(reasonOf(`Bearer ${header}.${payload}.${plain}`)).toBe('malformed_token');
    expect(reasonOf(`Bearer ${header}.${payload}.ab+c`)).toBe('malformed_token');
    expect(reasonOf(`Bearer ${header}.${payload}.ab/c`)).toBe('malformed_token');
  });

  it('rejects two or four segments and an empty signature segment', () => {
    expect(reasonOf(`Bearer ${header}.${payload}`)).toBe('malformed_token');
    expect(reasonOf(`Bearer ${token}.${signature}`)).toBe('malformed_token');
    expect(reasonOf(`Bearer ${header}.${payload}.`)).toBe('malformed_token');
    expect(reasonOf('Bearer')).toBe('malformed_token');
    expect(reasonOf('Bearer ')).toBe('malformed_token');
  });

  it('rejects a 20 KiB token as malformed_token', () => {
    const big = tokenOfLength(20 * 1024 + 2);
    expect(reasonOf(`Bearer ${big}`)).toBe('malformed_token');
  });

  it('accepts a token just under 8 KiB and rejects one byte over the cap', () => {
    const under = tokenOfLength(MAX - 2);
    expect(under.length).toBe(8190);
    expect(reasonOf(`Bearer ${under}`)).toBe('ok');
    expect(reasonOf(`Bearer ${tokenOfLength(MAX)}`)).toBe('ok');
    const over = tokenOfLength(MAX + 2);
    const result = extractToken(`Bearer ${over}`, MAX);
    expect(result).toMatchObject({ allowed: false, reason: 'malformed_token' });
    expect((result as { detail: string }).detail).toContain('over 8192');
  });
});

describe('isCanonicalBase64Url', () => {
  it('accepts encodings Node itself produces for every length', () => {
    for (let n = 0; n < 40; n++)
      expect(isCanonicalBase64Url(randomBytes(n).toString('base64url'))).toBe(true);
  });

  it('rejects a length of 4k+1 and set unused low bits', () => {
    expect(isCanonicalBase64Url('abcde')).toBe(false);
    expect(isCanonicalBase64Url('AB')).toBe(false); // 'B' leaves bit 0 of the unused 4 set
    expect(isCanonicalBase64Url('AAB')).toBe(false); // 'B' leaves bit 0 of the unused 2 set
    expect(isCanonicalBase64Url('AQ')).toBe(true);
  });
});

describe('extractToken against the Bearer grammar', () => {
  // The grammar as a regular expression: one scheme word, spaces, three base64url segments.
  const GRAMMAR =
    /^[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;
  const pieces = fc.constantFrom(
    'Bearer ',
    'bearer  ',
    'BEARER',
    ' ',
    '.',
    'a',
    'Q',
    '_',
    '-',
    '=',
    '+',
    '\t',
    'é',
    'x.y',
    '\n',
  );

  it('frames exactly the headers the grammar accepts, into the same segments', () => {
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => {
        const header = parts.join('');
        const match = GRAMMAR.exec(header);
        const framed = extractToken(header, 8192);
        if (match === null) {
          expect(isDeny(framed)).toBe(true);
          return;
        }
        // Non-canonical segments are refused after framing; the segments must still match.
        if (isDeny(framed)) expect(framed.detail).toContain('canonical');
        else expect([framed.header, framed.payload, framed.signature]).toEqual(match.slice(1));
      }),
      { seed: 20261130, numRuns: 3000 },
    );
  });
});
