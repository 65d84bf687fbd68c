// A claim named by a dotted path into the verified claims set (`firebase.tenant`), with a strict
// syntax checked once at config load: plain segments are letters, digits and `_ $ : -`; a name
// holding anything else (a namespaced claim such as `https://example.com/roles`) is written as a
// bracketed JSON string, `["https://example.com/roles"]`. Lookups walk own members of objects
// only, so no path can reach into a prototype or an array.

export interface ClaimPath {
  /** The path as written in the config, for messages and /config. */
  readonly text: string;
  readonly segments: readonly string[];
}

const PLAIN = /[A-Za-z0-9_$:-]+/y;
const MAX_PATH_LENGTH = 256;
const MAX_SEGMENTS = 16;

/** Reads one `["..."]` segment starting at `start`; returns it and where it ends, or an error. */
function bracketSegment(text: string, start: number): { name: string; end: number } | string {
  const close = text.indexOf('"]', start + 2);
  if (close === -1) return 'a ["..."] segment is not closed';
  let name: unknown;
  try {
    name = JSON.parse(text.slice(start + 1, close + 1));
  } catch {
    return 'a ["..."] segment must hold one JSON string';
  }
  if (typeof name !== 'string' || name === '') return 'a ["..."] segment must not be empty';
  return { name, end: close + 2 };
}

/** The parsed path, or a message saying what is wrong with its syntax. */
export function parseClaimPath(text: string): ClaimPath | string {
  if (text === '') return 'a claim path must not be empty';
  if (text.length > MAX_PATH_LENGTH) return `a claim path is at most ${MAX_PATH_LENGTH} characters`;
  const segments: string[] = [];
  let pos = 0;
  for (;;) {
    if (text.startsWith('["', pos)) {
      const bracket = bracketSegment(text, pos);
      if (typeof bracket === 'string') return bracket;
      segments.push(bracket.name);
      pos = bracket.end;
    } else {
      PLAIN.lastIndex = pos;
      const match = PLAIN.exec(text);
      if (match === null) {
        const found = text[pos] === undefined ? 'the end' : JSON.stringify(text[pos]);
        return `expected a claim name at position ${pos}, found ${found} (write names with other characters as ["name"])`;
      }
      segments.push(match[0]);
      pos += match[0].length;
    }
    if (segments.length > MAX_SEGMENTS) return `a claim path has at most ${MAX_SEGMENTS} segments`;
    if (pos === text.length) return Object.freeze({ text, segments: Object.freeze(segments) });
    if (text[pos] !== '.' && !text.startsWith('["', pos))
      return `unexpected ${JSON.stringify(text[pos])} at position ${pos}; separate names with "."`;
    if (text[pos] === '.') pos++;
    if (pos === text.length) return 'a claim path must not end with "."';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The claim's value, or undefined when any segment is missing or not an object member. */
export function lookupClaim(claims: Readonly<Record<string, unknown>>, path: ClaimPath): unknown {
  let value: unknown = claims;
  for (const segment of path.segments) {
    if (!isRecord(value) || !Object.hasOwn(value, segment)) return undefined;
    value = value[segment];
  }
  return value;
}
