// Step 1: framing. Exactly one `Bearer` credential holding one compact JWS in canonical
// base64url (RFC 7515 §7.1, RFC 4648 §5 without padding), within a size cap, before any decode.
import { deny, type Deny } from './decision.js';

// One scheme word, one or more spaces, three non-empty base64url segments, nothing else.
const BEARER = /^[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;
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
  const match = BEARER.exec(value);
  if (match === null) {
    return /^bearer(\s|$)/i.test(value)
      ? deny('malformed_token', 'Authorization is not exactly one Bearer compact JWS')
      : deny('missing_token', 'Authorization scheme is not Bearer');
  }
  const [, header = '', payload = '', signature = ''] = match;
  const token = value.slice(value.length - header.length - payload.length - signature.length - 2);
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
