// Fuzzing the X-Pps-Triggered-At parser: any string gives an instant or a message, never a
// throw; every instant written loosely (one-digit fields, long fractions, offsets) parses to
// exactly that instant, truncated to the millisecond.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTriggeredAt } from '../../src/pipeline/parse-triggered-at.js';
import { fuzzParameters } from './fuzz-parameters.js';

const instant = fc.date({
  min: new Date('0001-01-02T00:00:00.000Z'),
  max: new Date('9999-12-30T23:59:59.999Z'),
  noInvalidDate: true,
});
const pad = (value: number, width: number, loose: boolean): string =>
  loose ? String(value) : String(value).padStart(width, '0');

/** `date` written as a sender might: local time at `offsetMinutes`, loose or padded fields. */
function written(
  date: Date,
  offsetMinutes: number,
  loose: boolean,
  separator: string,
  extraFractionDigits: string,
  zulu: string,
): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const ms = String(local.getUTCMilliseconds()).padStart(3, '0');
  const zone =
    offsetMinutes === 0
      ? zulu
      : `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offsetMinutes) / 60), 2, false)}:${pad(Math.abs(offsetMinutes) % 60, 2, false)}`;
  return (
    `${String(local.getUTCFullYear()).padStart(4, '0')}-${pad(local.getUTCMonth() + 1, 2, loose)}-${pad(local.getUTCDate(), 2, loose)}` +
    `${separator}${pad(local.getUTCHours(), 2, loose)}:${pad(local.getUTCMinutes(), 2, loose)}:${pad(local.getUTCSeconds(), 2, loose)}` +
    `.${ms}${extraFractionDigits}${zone}`
  );
}

describe('parseTriggeredAt under fuzzing', () => {
  it('never throws, and whatever it accepts round-trips through its own ISO form', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 60 }),
          fc.stringMatching(
            /^\d{4}-\d{1,2}-\d{1,2}[T ]\d{1,2}:\d{1,2}(:\d{1,2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/,
          ),
        ),
        (value) => {
          const result = parseTriggeredAt(value);
          if (typeof result === 'string') return;
          expect(Number.isFinite(result.epochMs)).toBe(true);
          expect(new Date(result.iso).getTime()).toBe(result.epochMs);
        },
      ),
      fuzzParameters(3000),
    );
  });

  it('parses every instant from year 1 to 9999, however loosely written, to that millisecond', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: -18 * 60, max: 18 * 60 }),
        fc.boolean(),
        fc.constantFrom('T', 't', ' '),
        fc.stringMatching(/^\d{0,6}$/),
        fc.constantFrom('Z', 'z'),
        (date, offset, loose, separator, extra, zulu) => {
          const text = written(date, offset, loose, separator, extra, zulu);
          const result = parseTriggeredAt(text);
          expect(result, text).toEqual({ epochMs: date.getTime(), iso: date.toISOString() });
        },
      ),
      fuzzParameters(3000),
    );
  });

  it('refuses a day past the end of its month in any year', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        (year, month) => {
          const lastDay = new Date(Date.UTC(2000, month, 0));
          lastDay.setUTCFullYear(year, month, 0);
          const day = lastDay.getUTCDate() + 1;
          const text = `${String(year).padStart(4, '0')}-${month}-${day}T00:00:00Z`;
          expect(typeof parseTriggeredAt(text), text).toBe('string');
        },
      ),
      fuzzParameters(1000),
    );
  });
});
