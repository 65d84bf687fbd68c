// A strict parser for the Prometheus text exposition format 0.0.4 (prometheus.io/docs/instrumenting/
// exposition_formats): every line must be a HELP, TYPE, comment, blank or well-formed sample, and
// families must be contiguous, typed before use, free of duplicate series and (histograms)
// cumulative with a +Inf bucket equal to _count. Anything else throws, naming the line.
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  type: MetricType;
  help: string | undefined;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
// Values are "as Go's ParseFloat reads them": case-insensitive Inf/Infinity and NaN (prom-client
// writes "Nan" for an event-loop lag it has not measured yet, and Prometheus accepts it).
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?inf(?:inity)?|nan)$/i;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<MetricType, readonly string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export class ExpositionError extends Error {
  constructor(lineNo: number, message: string, line: string) {
    super(`line ${lineNo}: ${message}: ${JSON.stringify(line.slice(0, 120))}`);
  }
}

function parseLabels(
  text: string,
  fail: (message: string) => never,
): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let pos = 1; // after "{"
  for (;;) {
    if (text[pos] === '}') return { labels, rest: text.slice(pos + 1) };
    const name = LABEL_NAME.exec(text.slice(pos))?.[0];
    if (name === undefined) fail('bad label name');
    if (name in labels) fail(`duplicate label ${name}`);
    pos += name.length;
    if (text.slice(pos, pos + 2) !== '="') fail('expected =" after a label name');
    pos += 2;
    let value = '';
    for (;;) {
      const c = text[pos];
      if (c === undefined) fail('unterminated label value');
      if (c === '"') break;
      if (c === '\\') {
        const escaped = text[pos + 1];
        if (escaped === 'n') value += '\n';
        else if (escaped === '\\' || escaped === '"') value += escaped;
        else fail('bad escape in a label value');
        pos += 2;
        continue;
      }
      value += c;
      pos++;
    }
    labels[name] = value;
    pos++;
    if (text[pos] === ',') pos++;
    else if (text[pos] !== '}') fail('expected , or } after a label value');
  }
}

function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
  for (const [name, family] of families) {
    if (SUFFIXES[family.type].some((suffix) => `${name}${suffix}` === sampleName)) return family;
  }
  return undefined;
}

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seriesSeen = new Set<string>();
  let current: Family | undefined;
  const lines = text.split('\n');
  if (text.length > 0 && !text.endsWith('\n'))
    throw new ExpositionError(lines.length, 'no final newline', lines.at(-1) ?? '');
  lines.forEach((line, index) => {
    const fail: (message: string) => never = (message) => {
      throw new ExpositionError(index + 1, message, line);
    };
    if (line.trim() === '') return;
    const meta = /^# (HELP|TYPE) ([^ ]+)(?: (.*))?$/.exec(line);
    if (meta !== null) {
      const [, keyword, name = '', rest = ''] = meta;
      if (METRIC_NAME.exec(name)?.[0] !== name) fail('bad metric name');
      let family = families.get(name);
      if (family !== undefined && family !== current) fail('family is not contiguous');
      if (family === undefined) {
        family = { name, type: 'untyped', help: undefined, samples: [] };
        families.set(name, family);
      }
      current = family;
      if (keyword === 'HELP') {
        if (family.help !== undefined) fail('second HELP');
        family.help = rest.replace(/\\(n|\\)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
      } else {
        if (!TYPES.has(rest)) fail(`unknown type ${rest}`);
        if (family.samples.length > 0) fail('TYPE after samples');
        family.type = rest as MetricType;
      }
      return;
    }
    if (line.startsWith('#')) return;
    const name = METRIC_NAME.exec(line)?.[0];
    if (name === undefined) fail('bad metric name');
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, fail));
    const fields = /^ +(\S+)(?: +(-?\d+))?$/.exec(rest);
    if (fields === null || !VALUE.test(fields[1]!)) fail('bad value');
    const family = familyOf(name, families);
    if (family === undefined) fail(`sample without a TYPE for ${name}`);
    if (family !== current) fail('family is not contiguous');
    if (family.type === 'histogram' && name.endsWith('_bucket') && labels.le === undefined)
      fail('bucket without le');
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seriesSeen.has(key)) fail('duplicate series');
    seriesSeen.add(key);
    const raw = fields[1]!;
    const special = raw.toLowerCase().replace(/^\+/, '');
    const value = special.startsWith('nan')
      ? Number.NaN
      : special.startsWith('inf')
        ? Infinity
        : special.startsWith('-inf')
          ? -Infinity
          : Number(raw);
    family.samples.push({ name, labels, value });
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function checkHistogram(family: Family): void {
  const groups = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    groups.set(key, [
      ...(groups.get(key) ?? []),
      { ...sample, labels: le === undefined ? rest : { ...rest, le } },
    ]);
  }
  for (const [key, samples] of groups) {
    const buckets = samples.filter((s) => s.name.endsWith('_bucket'));
    const count = samples.find((s) => s.name.endsWith('_count'));
    const inf = buckets.find((s) => s.labels.le === '+Inf');
    if (inf === undefined || count === undefined)
      throw new Error(`${family.name}${key}: histogram lacks +Inf bucket or _count`);
    if (inf.value !== count.value)
      throw new Error(`${family.name}${key}: +Inf bucket ${inf.value} != _count ${count.value}`);
    const sorted = [...buckets].sort((a, b) => Number(a.labels.le) - Number(b.labels.le));
    sorted.forEach((bucket, i) => {
      if (i > 0 && bucket.value < sorted[i - 1]!.value)
        throw new Error(`${family.name}${key}: buckets are not cumulative`);
    });
  }
}

/** The value of the one series of `family` whose labels include `labels`; throws when not exactly one. */
export function sampleValue(
  families: Map<string, Family>,
  family: string,
  labels: Record<string, string> = {},
  sampleName = family,
): number {
  const matches = (families.get(family)?.samples ?? []).filter(
    (s) => s.name === sampleName && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (matches.length !== 1)
    throw new Error(`${sampleName}${JSON.stringify(labels)}: ${matches.length} series, expected 1`);
  return matches[0]!.value;
}
