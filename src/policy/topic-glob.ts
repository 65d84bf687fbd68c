// Topic allow-list globs for X-Pps-Topic, compiled once at config load. Topics are `/`-separated
// paths; in a glob `*` stands for one or more characters inside one segment (so `orders/*` takes
// `orders/placed` but not `orders/a/b` or `orders/`), a `**` segment for any number of whole
// segments, zero included (`orders/**` takes `orders`, `orders/a` and `orders/a/b`), and every
// other character, `.` included, is itself. Matching is case-sensitive, like the topics.

export interface TopicGlob {
  readonly text: string;
  readonly pattern: RegExp;
}

// The topic syntax check-webhook-headers.ts enforces: a glob that needs anything else (a space, a
// `?`, a leading `/`) or more than 200 characters can never match, and is a config error.
const TOPIC_CHARACTER = /^[A-Za-z0-9._:/-]$/;
const FIRST_CHARACTER = /^[A-Za-z0-9]$/;
const MAX_TOPIC_LENGTH = 200;

const escapeLiteral = (c: string): string => (/[A-Za-z0-9_:/-]/.test(c) ? c : `\\${c}`);

/** The regexp source of one segment that is not `**`, or an error. */
function segmentSource(segment: string): string | { error: string } {
  if (segment.includes('**'))
    return { error: `"**" must be a whole segment (as in "orders/**"), not part of "${segment}"` };
  let source = '';
  for (const c of segment) {
    if (c === '*') source += '[^/]+';
    else if (TOPIC_CHARACTER.test(c)) source += escapeLiteral(c);
    else
      return {
        error: `${JSON.stringify(c)} never occurs in a topic (letters, digits, . _ : / - only)`,
      };
  }
  return source;
}

/** The shortest topic the glob can match: literals count once, `*` once, `**` not at all. */
function shortestMatch(segments: readonly string[]): number {
  const concrete = segments.filter((s) => s !== '**');
  return concrete.reduce((n, s) => n + s.length, 0) + Math.max(0, concrete.length - 1);
}

/** The compiled glob, or a message saying why it is malformed or can never match a topic. */
export function compileTopicGlob(text: string): TopicGlob | string {
  if (text === '') return 'a topic glob must not be empty';
  const segments = text.split('/');
  const first = segments[0] ?? '';
  if (first !== '**' && !first.startsWith('*') && !FIRST_CHARACTER.test(first.charAt(0)))
    return 'can never match: a topic starts with a letter or digit';
  if (shortestMatch(segments) > MAX_TOPIC_LENGTH)
    return `can never match: a topic is at most ${MAX_TOPIC_LENGTH} characters`;
  let source = '';
  let anySegments = false;
  let started = false;
  for (const segment of segments) {
    if (segment === '**') {
      anySegments = true;
      continue;
    }
    const part = segmentSource(segment);
    if (typeof part !== 'string') return part.error;
    // `**` before a segment: any number of whole segments, each followed by its `/`.
    if (started) source += anySegments ? '/(?:[^/]*/)*' : '/';
    else if (anySegments) source += '(?:[^/]*/)*';
    source += part;
    started = true;
    anySegments = false;
  }
  if (anySegments) source += started ? '(?:/.*)?' : '.*';
  return Object.freeze({ text, pattern: new RegExp(`^${source}$`) });
}

export function topicMatches(globs: readonly TopicGlob[], topic: string): boolean {
  for (const glob of globs) if (glob.pattern.test(topic)) return true;
  return false;
}
