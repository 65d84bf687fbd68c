// X-Pps-Triggered-At parsing: lenient in form (the guide's own example), strict in value.
import { describe, expect, it } from 'vitest';
import { parseTriggeredAt } from './parse-triggered-at.js';

function isoOf(value: string): string {
  const result = parseTriggeredAt(value);
  if (typeof result === 'string') throw new Error(`${value} rejected: ${result}`);
  return result.iso;
}

describe('parseTriggeredAt', () => {
  it("parses the guide's 2024-01-1T10:00:00.7777748Z (one-digit day, seven fraction digits)", () => {
    expect(parseTriggeredAt('2024-01-1T10:00:00.7777748Z')).toEqual({
      epochMs: Date.UTC(2024, 0, 1, 10, 0, 0, 777),
      iso: '2024-01-01T10:00:00.777Z',
    });
  });

  it('parses ordinary ISO-8601 UTC instants', () => {
    expect(isoOf('2024-06-15T08:30:05Z')).toBe('2024-06-15T08:30:05.000Z');
    expect(isoOf('2024-06-15T08:30Z')).toBe('2024-06-15T08:30:00.000Z');
    expect(isoOf('2024-06-15 08:30:05.1z')).toBe('2024-06-15T08:30:05.100Z');
  });

  it('rejects words, impossible dates and impossible times', () => {
    for (const value of [
      'yesterday',
      '2024-02-30T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-00-10T00:00:00Z',
      '25:00',
      '2024-01-01T25:00:00Z',
      '2024-01-01T10:60:00Z',
      '2024-01-01T10:00:60Z',
      '2024-04-31T00:00:00Z',
      '',
      '2024-01-01',
    ]) {
      expect(typeof parseTriggeredAt(value), value).toBe('string');
    }
  });

  it('accepts 29 February only in leap years', () => {
    expect(isoOf('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(isoOf('2000-02-29T00:00:00Z')).toBe('2000-02-29T00:00:00.000Z');
    expect(parseTriggeredAt('2023-02-29T00:00:00Z')).toBe('has day 29, not in 2023-02');
    expect(typeof parseTriggeredAt('1900-02-29T00:00:00Z')).toBe('string');
  });

  it('applies UTC offsets with and without a colon', () => {
    expect(isoOf('2024-01-01T12:00:00+02:00')).toBe('2024-01-01T10:00:00.000Z');
    expect(isoOf('2024-01-01T04:30:00.5-0530')).toBe('2024-01-01T10:00:00.500Z');
    expect(isoOf('2024-01-01T00:30:00+01:00')).toBe('2023-12-31T23:30:00.000Z');
    expect(isoOf('2024-01-01T10:00:00-00:00')).toBe('2024-01-01T10:00:00.000Z');
  });

  it('rejects offsets beyond 18 hours or with more than 59 minutes', () => {
    expect(parseTriggeredAt('2024-01-01T10:00:00+19:00')).toBe('has an out-of-range UTC offset');
    expect(parseTriggeredAt('2024-01-01T12:00:00+01:99')).toBe('has an out-of-range UTC offset');
  });

  it('truncates the fraction to the millisecond, never rounding up', () => {
    expect(isoOf('2024-01-01T00:00:00.29Z')).toBe('2024-01-01T00:00:00.290Z');
    expect(isoOf('2024-01-01T00:00:00.9999999Z')).toBe('2024-01-01T00:00:00.999Z');
    expect(isoOf('2024-01-01T00:00:00,5Z')).toBe('2024-01-01T00:00:00.500Z');
  });

  it('keeps years below 100 as written instead of mapping them to the 1900s', () => {
    expect(isoOf('0024-03-01T00:00:00Z')).toBe('0024-03-01T00:00:00.000Z');
  });
});
