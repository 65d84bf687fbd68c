// The strict exposition parser the metrics tests rely on: it must read what prom-client writes and
// refuse every malformed line, or the scrape assertions would prove nothing.
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseExposition, sampleValue } from './exposition-format.js';

describe('parseExposition', () => {
  it('reads prom-client output, including escaped label values and histograms', async () => {
    const registry = new Registry();
    const counter = new Counter({
      name: 'x_total',
      help: 'a "help"\nline \\ here',
      labelNames: ['who'],
      registers: [registry],
    });
    counter.inc({ who: 'quote " backslash \\ newline \n end' }, 3);
    const histogram = new Histogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['t'],
      buckets: [0.1, 1],
      registers: [registry],
    });
    histogram.observe({ t: 'a' }, 0.05);
    histogram.observe({ t: 'a' }, 0.5);
    histogram.observe({ t: 'a' }, 5);
    const families = parseExposition(await registry.metrics());
    expect(families.get('x_total')).toMatchObject({
      type: 'counter',
      help: 'a "help"\nline \\ here',
    });
    expect(sampleValue(families, 'x_total', { who: 'quote " backslash \\ newline \n end' })).toBe(
      3,
    );
    expect(sampleValue(families, 'h_seconds', { t: 'a', le: '0.1' }, 'h_seconds_bucket')).toBe(1);
    expect(sampleValue(families, 'h_seconds', { t: 'a', le: '1' }, 'h_seconds_bucket')).toBe(2);
    expect(sampleValue(families, 'h_seconds', { t: 'a', le: '+Inf' }, 'h_seconds_bucket')).toBe(3);
    expect(sampleValue(families, 'h_seconds', { t: 'a' }, 'h_seconds_count')).toBe(3);
    expect(sampleValue(families, 'h_seconds', { t: 'a' }, 'h_seconds_sum')).toBeCloseTo(5.55, 10);
  });

  it.each([
    ['a sample without a TYPE', 'x 1\n'],
    ['a value that is not a number', '# TYPE x gauge\nx one\n'],
    ['a word that is not a float', '# TYPE x gauge\nx infinite\n'],
    ['an unterminated label value', '# TYPE x gauge\nx{a="b} 1\n'],
    ['an unknown escape', '# TYPE x gauge\nx{a="\\t"} 1\n'],
    ['a label without quotes', '# TYPE x gauge\nx{a=b} 1\n'],
    ['a duplicate label', '# TYPE x gauge\nx{a="1",a="2"} 1\n'],
    ['a duplicate series', '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n'],
    ['a family split in two', '# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx{b="2"} 1\n'],
    ['a TYPE after samples', '# TYPE x gauge\nx 1\n# TYPE x counter\n'],
    ['an unknown type', '# TYPE x meter\n'],
    ['a missing final newline', '# TYPE x gauge\nx 1'],
    ['junk after the value', '# TYPE x gauge\nx 1 2 3\n'],
    [
      'a +Inf bucket unequal to _count',
      '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n',
    ],
    [
      'buckets that are not cumulative',
      '# TYPE h histogram\nh_bucket{le="1"} 3\nh_bucket{le="2"} 2\nh_bucket{le="+Inf"} 3\nh_count 3\n',
    ],
    ['a histogram bucket without le', '# TYPE h histogram\nh_bucket 1\nh_count 1\n'],
  ])('rejects %s', (_, text) => {
    expect(() => parseExposition(text)).toThrow();
  });

  it('reads special values the way Go ParseFloat does (Prometheus accepts prom-client "Nan")', () => {
    const families = parseExposition(
      '# TYPE x gauge\nx{a="1"} Nan\nx{a="2"} +Inf\nx{a="3"} -inf\nx{a="4"} 1.5e3 1700000000000\n',
    );
    expect(sampleValue(families, 'x', { a: '1' })).toBeNaN();
    expect(sampleValue(families, 'x', { a: '2' })).toBe(Infinity);
    expect(sampleValue(families, 'x', { a: '3' })).toBe(-Infinity);
    expect(sampleValue(families, 'x', { a: '4' })).toBe(1500);
  });

  it('sampleValue refuses an ambiguous or missing series', () => {
    const families = parseExposition('# TYPE x gauge\nx{a="1"} 1\nx{a="2"} 2\n');
    expect(() => sampleValue(families, 'x')).toThrow(/2 series/);
    expect(() => sampleValue(families, 'x', { a: '3' })).toThrow(/0 series/);
    expect(sampleValue(families, 'x', { a: '2' })).toBe(2);
  });
});
