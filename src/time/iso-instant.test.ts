// isoInstant must write exactly what Date#toISOString writes, for every instant it handles.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoInstant } from './iso-instant.js';

const MAX_DATE_MS = 8.64e15;

describe('isoInstant', () => {
  it('matches toISOString at the edges: epoch, leap days, year 0, 9999, before 1970', () => {
    for (const ms of [
      0,
      -1,
      951_782_400_000, // 2000-02-29
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(1900, 1, 28),
      new Date('0000-01-01T00:00:00.000Z').getTime(),
      new Date('9999-12-31T23:59:59.999Z').getTime(),
      new Date('+010000-01-01T00:00:00.000Z').getTime(),
      new Date('-000001-12-31T23:59:59.999Z').getTime(),
      MAX_DATE_MS,
      -MAX_DATE_MS,
    ])
      expect(isoInstant(ms), String(ms)).toBe(new Date(ms).toISOString());
  });

  it('matches toISOString for any valid time value (seeded property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_DATE_MS, max: MAX_DATE_MS }), (ms) => {
        expect(isoInstant(ms)).toBe(new Date(ms).toISOString());
      }),
      { seed: 20261130, numRuns: 20_000 },
    );
  });

  it('throws on an invalid time, as toISOString does', () => {
    expect(() => isoInstant(Number.NaN)).toThrow(RangeError);
    expect(() => isoInstant(MAX_DATE_MS + 1)).toThrow(RangeError);
  });
});
