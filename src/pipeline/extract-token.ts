// Step 1: framing. Exactly one `Bearer` credential holding one compact JWS in canonical
// base64url (RFC 7515 §7.1, RFC 4648 §5 without padding), within a size cap, before any decode.
import { deny, type Deny } from './decision.js';

// base64url's alphabet (RFC 4648 §5), as a lookup table: the framing scan runs on every check.
const IS_BASE64URL = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')
  IS_BASE64URL[c.charCodeAt(0)] = 1;
const SCHEME = 'bearer';

/**
 * One scheme word (`Bearer`, any case), one or more spaces, three non-empty base64url segments
 * joined by dots, nothing else: the positions of the token and its two dots, or undefined.
 * A hand scan, because a regular expression over a ~1 KiB header costs more than the framing.
 */
function scanBearer(header: string): [start: number, dot1: number, dot2: number] | undefined {
  if (header.length < SCHEME.length + 6) return undefined;
  for (let i = 0; i < SCHEME.length; i++)
    if ((header.charCodeAt(i) | 0x20) !== SCHEME.charCodeAt(i)) return undefined;
  let start = SCHEME.length;
  if (header.charCodeAt(start) !== 0x20) return undefined;
  while (header.charCodeAt(start) === 0x20) start++;
  const dots: number[] = [];
  let segmentStart = start;
  for (let i = start; i < header.length; i++) {
    const c = header.charCodeAt(i);
    if (c === 0x2e) {
      if (i === segmentStart || dots.length === 2) return undefined;
      dots.push(i);
      segmentStart = i + 1;
    } else if (c >= 128 || IS_BASE64URL[c] !== 1) return undefined;
  }
  const [dot1, dot2] = dots;
  if (dot1 === undefined || dot2 === undefined || segmentStart === header.length) return undefined;
  return [start, dot1, dot2];
}
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export interface CompactToken {
  readonly token: string;
  readonly header: string;
  readonly payload: string;
  readonly signature: string;
}

/**
 * A base64url string is canonical when its length is a possible encoding length and the
 * unused low bits of its last character are zero; lenient decoders (Node's atob, used by
 * jose) accept other forms, so two different strings would verify as the same token.
 */
export function isCanonicalBase64Url(segment: string): boolean {
  const remainder = segment.length % 4;
  if (remainder === 1) return false;
  if (remainder === 0) return true;
  const last = ALPHABET.indexOf(segment.charAt(segment.length - 1));
  const unusedBitsMask = remainder === 2 ? 0x0f : 0x03;
  return (last & unusedBitsMask) === 0;
}

/** Strips SP and HTAB (RFC 9110 OWS) from both ends; nothing else counts as whitespace here. */
function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === 0x20 || value.charCodeAt(start) === 0x09))
    start++;
  while (end > start && (value.charCodeAt(end - 1) === 0x20 || value.charCodeAt(end - 1) === 0x09))
    end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

export function extractToken(
  authorization: string | undefined,
  maxTokenBytes: number,
): CompactToken | Deny {
  if (authorization === undefined || authorization.trim() === '') {
    return deny('missing_token', 'no Authorization header');
  }
  // The header is ASCII when well-formed, so its length bounds the token's byte size.
  if (authorization.length > maxTokenBytes + 16) {
    return deny('malformed_token', `Authorization header over ${maxTokenBytes} bytes`);
  }
  // RFC 9110 §5.5: optional whitespace around a field value is not part of it. Node's HTTP parser
  // strips it; Envoy hands gRPC CheckRequest values over as received.
  const value = trimOws(authorization);
  const found = scanBearer(value);
  if (found === undefined) {
    return /^bearer(\s|$)/i.test(value)
      ? deny('malformed_token', 'Authorization is not exactly one Bearer compact JWS')
      : deny('missing_token', 'Authorization scheme is not Bearer');
  }
  const [start, dot1, dot2] = found;
  const token = value.slice(start);
  const header = value.slice(start, dot1);
  const payload = value.slice(dot1 + 1, dot2);
  const signature = value.slice(dot2 + 1);
  if (token.length > maxTokenBytes) {
    return deny('malformed_token', `token is ${token.length} bytes, over ${maxTokenBytes}`);
  }
  if (
    !isCanonicalBase64Url(header) ||
    !isCanonicalBase64Url(payload) ||
    !isCanonicalBase64Url(signature)
  ) {
    return deny('malformed_token', 'token segment is not canonical base64url');
  }
  return { token, header, payload, signature };
}
