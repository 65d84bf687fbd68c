// Step 2: decode the (still unverified) JOSE header and claims with a strict parser, and apply
// the header rules that need no key: kid required, typ absent or JWT (RFC 8725 §3.11), no crit.
import { deny, type Deny } from './decision.js';
import type { CompactToken } from './extract-token.js';
import { parseStrictJsonObject } from './strict-json.js';

export interface DecodedToken {
  readonly alg: string;
  readonly kid: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

const MAX_KID_LENGTH = 256;
// ignoreBOM keeps a leading U+FEFF in the text, where the strict parser refuses it: otherwise
// TextDecoder would drop it silently and two byte strings would decode to one token.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeSegment(segment: string): Record<string, unknown> {
  return parseStrictJsonObject(utf8.decode(Buffer.from(segment, 'base64url')));
}

export function decodeToken(token: CompactToken): DecodedToken | Deny {
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = decodeSegment(token.header);
  } catch (error) {
    return deny('malformed_token', `JOSE header: ${(error as Error).message}`);
  }
  try {
    claims = decodeSegment(token.payload);
  } catch (error) {
    return deny('malformed_token', `claims: ${(error as Error).message}`);
  }
  const { alg, kid, typ } = header;
  if (typeof alg !== 'string' || alg === '') return deny('malformed_token', 'alg is missing');
  if (typeof kid !== 'string' || kid === '' || kid.length > MAX_KID_LENGTH) {
    return deny('malformed_token', 'kid must be a non-empty string of at most 256 characters');
  }
  if (typ !== undefined && (typeof typ !== 'string' || typ.toUpperCase() !== 'JWT')) {
    return deny('unsupported_token_type', `typ ${JSON.stringify(typ)} is not JWT`);
  }
  // Critical extensions and unencoded payloads (RFC 7797) are never part of an ID token.
  if (header.crit !== undefined || header.b64 !== undefined) {
    return deny('malformed_token', 'crit and b64 header parameters are not supported');
  }
  return { alg, kid, claims };
}
