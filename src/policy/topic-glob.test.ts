import { describe, expect, it } from 'vitest';
import { compileTopicGlob, topicMatches, type TopicGlob } from './topic-glob.js';

function glob(text: string): TopicGlob {
  const compiled = compileTopicGlob(text);
  if (typeof compiled === 'string') throw new Error(compiled);
  return compiled;
}

const matches = (pattern: string, topic: string): boolean => topicMatches([glob(pattern)], topic);

describe('topic globs', () => {
  it('"*" takes exactly one non-empty segment', () => {
    expect(matches('orders/*', 'orders/placed')).toBe(true);
    expect(matches('orders/*', 'orders/a/b')).toBe(false);
    expect(matches('orders/*', 'orders/')).toBe(false);
    expect(matches('orders/*', 'orders')).toBe(false);
    expect(matches('*/placed', 'orders/placed')).toBe(true);
    expect(matches('*/placed', 'a/orders/placed')).toBe(false);
  });

  it('"*" inside a segment stays inside it', () => {
    expect(matches('invoice.*', 'invoice.paid')).toBe(true);
    expect(matches('invoice.*', 'invoice.')).toBe(false);
    expect(matches('invoice.*', 'invoice.paid/late')).toBe(false);
    expect(matches('orders/re*d', 'orders/refunded')).toBe(true);
  });

  it('"**" takes any number of whole segments, zero included', () => {
    expect(matches('orders/**', 'orders')).toBe(true);
    expect(matches('orders/**', 'orders/a')).toBe(true);
    expect(matches('orders/**', 'orders/a/b/c')).toBe(true);
    expect(matches('orders/**', 'ordersx')).toBe(false);
    expect(matches('orders/**', 'other/orders')).toBe(false);
    expect(matches('**/paid', 'paid')).toBe(true);
    expect(matches('**/paid', 'invoices/eu/paid')).toBe(true);
    expect(matches('**/paid', 'invoices/unpaid')).toBe(false);
    expect(matches('a/**/z', 'a/z')).toBe(true);
    expect(matches('a/**/z', 'a/b/c/z')).toBe(true);
    expect(matches('a/**/z', 'a/bz')).toBe(false);
    expect(matches('a/**/**/z', 'a/b/z')).toBe(true);
    expect(matches('**', 'anything/at/all')).toBe(true);
  });

  it('takes "." and every other character literally', () => {
    expect(matches('invoices.paid', 'invoices.paid')).toBe(true);
    expect(matches('invoices.paid', 'invoicesXpaid')).toBe(false);
    expect(matches('a-b:c_d', 'a-b:c_d')).toBe(true);
    expect(matches('v1.0/x', 'v1a0/x')).toBe(false);
  });

  it('matches the whole topic, case-sensitively', () => {
    expect(matches('invoices/paid', 'invoices/paid')).toBe(true);
    expect(matches('invoices/paid', 'invoices/paid/x')).toBe(false);
    expect(matches('invoices/paid', 'x/invoices/paid')).toBe(false);
    expect(matches('invoices/paid', 'Invoices/paid')).toBe(false);
  });

  it('allows a topic when any glob of the list matches', () => {
    const list = [glob('orders/*'), glob('invoices/paid')];
    expect(topicMatches(list, 'invoices/paid')).toBe(true);
    expect(topicMatches(list, 'orders/x')).toBe(true);
    expect(topicMatches(list, 'payments/x')).toBe(false);
    expect(topicMatches([], 'orders/x')).toBe(false);
  });

  it.each([
    ['', /empty/],
    ['orders/a**', /whole segment/],
    ['***', /whole segment/],
    ['orders/ placed', /never occurs in a topic/],
    ['orders/?', /never occurs in a topic/],
    ['orders/[ab]', /never occurs in a topic/],
    ['/orders', /can never match: a topic starts with a letter or digit/],
    ['.hidden', /can never match/],
    ['-x/*', /can never match/],
    ['a'.repeat(201), /at most 200/],
    [`${'a'.repeat(100)}/${'b'.repeat(100)}`, /at most 200/],
  ])('refuses %j at load, saying why', (text, message) => {
    const result = compileTopicGlob(text);
    expect(typeof result).toBe('string');
    expect(result).toMatch(message);
  });

  it('accepts globs of exactly the longest topic', () => {
    expect(typeof compileTopicGlob('a'.repeat(200))).toBe('object');
    expect(typeof compileTopicGlob(`**/${'a'.repeat(200)}`)).toBe('object');
  });
});
