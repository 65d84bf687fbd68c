// X-Pps-Triggered-At: an ISO-8601-like UTC instant that the sender writes loosely, e.g. the
// guide's own `2024-01-1T10:00:00.7777748Z` (one-digit day, seven fraction digits), which Node's
// Date rejects; Date also rolls `2024-02-30` over to March. This parser is lenient in form and
// strict in value: one- or two-digit fields, any fraction length, and a real calendar date.

// year-month-day, 'T'/'t'/space, hour:minute[:second[.fraction]], then 'Z' or a zero/explicit offset.
const SHAPE =
  /^(\d{4})-(\d{1,2})-(\d{1,2})[Tt ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

export interface TriggeredAt {
  readonly epochMs: number;
  /** Canonical ISO form, millisecond precision, always UTC. */
  readonly iso: string;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The instant, or a message saying what is wrong with the value. */
export function parseTriggeredAt(value: string): TriggeredAt | string {
  const match = SHAPE.exec(value.trim());
  if (match === null) return 'is not an ISO-8601 date-time such as 2024-01-01T10:00:00Z';
  const [, y, mo, d, h, mi, s = '0', fraction = '', zulu, sign, offH = '0', offM = '0'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12) return `has month ${month}`;
  if (day < 1 || day > daysInMonth(year, month)) return `has day ${day}, not in ${y}-${mo}`;
  if (hour > 23 || minute > 59 || second > 59) return 'has an out-of-range time of day';
  const offsetMinutes =
    zulu === undefined && sign !== undefined
      ? (sign === '-' ? -1 : 1) * (Number(offH) * 60 + Number(offM))
      : 0;
  if (Number(offM) > 59 || Math.abs(offsetMinutes) > 18 * 60)
    return 'has an out-of-range UTC offset';
  const millis = fraction === '' ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear takes the year as written.
  const utc = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  utc.setUTCFullYear(year);
  const epochMs = utc.getTime() - offsetMinutes * 60_000;
  return { epochMs, iso: new Date(epochMs).toISOString() };
}
