// The PromQL text helpers the dashboard and alert tests rely on.
import { describe, expect, it } from 'vitest';
import { boolComparisons, labelNamesIn, resolveVariables } from './promql-text.js';

describe('PromQL text helpers', () => {
  it('adds bool to every comparison outside label matchers and strings', () => {
    expect(boolComparisons('max by (a) (x{b!="",c=~"y|z"}) >= 3')).toBe(
      'max by (a) (x{b!="",c=~"y|z"}) >= bool 3',
    );
    expect(boolComparisons('(a / b) > 0.1\nand c > 0.0167')).toBe(
      '(a / b) > bool 0.1\nand c > bool 0.0167',
    );
    expect(boolComparisons('(x or y * 0) == 0')).toBe('(x or y * 0) == bool 0');
    expect(boolComparisons('a > bool 1')).toBe('a > bool 1');
  });

  it('lists the labels named in matchers and grouping clauses', () => {
    expect(
      labelNamesIn(
        'sum by (issuer, le) (rate(m{job=~"$job", reason!=""}[1m])) / ignoring (issuer) group_left n',
      ).sort(),
    ).toEqual(['issuer', 'job', 'le', 'reason']);
  });

  it('resolves Grafana variables it knows and leaves the rest', () => {
    expect(
      resolveVariables('rate(m{a=~"$a"}[$__rate_interval]) $b', { a: '.*', __rate_interval: '1m' }),
    ).toBe('rate(m{a=~".*"}[1m]) $b');
  });
});
