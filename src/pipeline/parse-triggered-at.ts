// X-Pps-Triggered-At: an ISO-8601-like UTC instant that the sender writes loosely, e.g. the
// guide's own `2024-01-1T10:00:00.7777748Z` (one-digit day, seven fraction digits), which Node's
// Date rejects; Date also rolls `2024-02-30` over to March. This parser is lenient in form and
// strict in value: one- or two-digit fields, any fraction length, and a real calendar date.

import { isoInstant } from '../time/iso-instant.js';

// Accepted shape: year(4)-month(1-2)-day(1-2), 'T'/'t'/space, hour(1-2):minute(1-2)
// [:second(1-2)[(.|,)fraction(1-9)]], then nothing, 'Z'/'z', or +/-HH[:]MM. Scanned by hand:
// this runs on every webhook, and a capture-group regex allocates a dozen strings per call.
const SHAPE_ERROR = 'is not an ISO-8601 date-time such as 2024-01-01T10:00:00Z';

export interface TriggeredAt {
  readonly epochMs: number;
  /** Canonical ISO form, millisecond precision, always UTC. */
  readonly iso: string;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const digitAt = (text: string, i: number): number => {
  const c = text.charCodeAt(i) - 0x30;
  return c >= 0 && c <= 9 ? c : -1;
};

/** A cursor over the text: each read returns the number it consumed, or -1. */
class Scan {
  i = 0;
  constructor(readonly text: string) {}

  /** `min` to `max` digits as a number. */
  number(min: number, max: number): number {
    let value = 0;
    let count = 0;
    while (count < max) {
      const d = digitAt(this.text, this.i);
      if (d < 0) break;
      value = value * 10 + d;
      this.i++;
      count++;
    }
    return count < min ? -1 : value;
  }

  take(code: number): boolean {
    if (this.text.charCodeAt(this.i) !== code) return false;
    this.i++;
    return true;
  }

  get done(): boolean {
    return this.i === this.text.length;
  }
}

const DASH = 0x2d;
const COLON = 0x3a;

/** The instant, or a message saying what is wrong with the value. */
export function parseTriggeredAt(value: string): TriggeredAt | string {
  const scan = new Scan(value.trim());
  const year = scan.number(4, 4);
  if (year < 0 || !scan.take(DASH)) return SHAPE_ERROR;
  const month = scan.number(1, 2);
  const monthText = scan.text.slice(5, scan.i);
  if (month < 0 || !scan.take(DASH)) return SHAPE_ERROR;
  const day = scan.number(1, 2);
  if (day < 0 || !(scan.take(0x54) || scan.take(0x74) || scan.take(0x20))) return SHAPE_ERROR;
  const hour = scan.number(1, 2);
  if (hour < 0 || !scan.take(COLON)) return SHAPE_ERROR;
  const minute = scan.number(1, 2);
  if (minute < 0) return SHAPE_ERROR;
  let second = 0;
  let millis = 0;
  if (scan.take(COLON)) {
    second = scan.number(1, 2);
    if (second < 0) return SHAPE_ERROR;
    if (scan.take(0x2e) || scan.take(0x2c)) {
      // Only the first three fraction digits count: truncated to the millisecond, never rounded.
      const fractionStart = scan.i;
      if (scan.number(1, 9) < 0) return SHAPE_ERROR;
      for (let k = 0; k < 3; k++) {
        const d = fractionStart + k < scan.i ? digitAt(scan.text, fractionStart + k) : 0;
        millis = millis * 10 + d;
      }
    }
  }
  let offsetMinutes = 0;
  let offsetMinutePart = 0;
  if (!scan.done && !(scan.take(0x5a) || scan.take(0x7a))) {
    const sign = scan.take(0x2b) ? 1 : scan.take(DASH) ? -1 : 0;
    if (sign === 0) return SHAPE_ERROR;
    const offsetHours = scan.number(2, 2);
    if (offsetHours < 0) return SHAPE_ERROR;
    scan.take(COLON);
    offsetMinutePart = scan.number(2, 2);
    if (offsetMinutePart < 0) return SHAPE_ERROR;
    offsetMinutes = sign * (offsetHours * 60 + offsetMinutePart);
  }
  if (!scan.done) return SHAPE_ERROR;
  if (month < 1 || month > 12) return `has month ${month}`;
  if (day < 1 || day > daysInMonth(year, month))
    return `has day ${day}, not in ${String(year).padStart(4, '0')}-${monthText}`;
  if (hour > 23 || minute > 59 || second > 59) return 'has an out-of-range time of day';
  if (offsetMinutePart > 59 || Math.abs(offsetMinutes) > 18 * 60)
    return 'has an out-of-range UTC offset';
  let utcMs = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear takes the year as written.
  if (year < 100) utcMs = new Date(utcMs).setUTCFullYear(year);
  const epochMs = utcMs - offsetMinutes * 60_000;
  return { epochMs, iso: isoInstant(epochMs) };
}
