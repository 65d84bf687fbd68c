// The status page's per-minute decision counts.
import { describe, expect, it } from 'vitest';
import { DecisionCounts } from './decision-counts.js';

const MINUTE = 60_000;

describe('DecisionCounts', () => {
  it('counts outcomes per minute, oldest minute first, the current one last', () => {
    let now = 10 * MINUTE + 5_000;
    const counts = new DecisionCounts(3, () => now);
    counts.record('allow');
    counts.record('allow');
    counts.record('invalid_signature');
    now += MINUTE;
    counts.record('keys_unavailable');
    expect(counts.snapshot()).toEqual([
      { startMs: 9 * MINUTE, counts: {} },
      { startMs: 10 * MINUTE, counts: { allow: 2, invalid_signature: 1 } },
      { startMs: 11 * MINUTE, counts: { keys_unavailable: 1 } },
    ]);
  });

  it('forgets a minute once it falls out of the window, even when its slot is not reused', () => {
    let now = 10 * MINUTE;
    const counts = new DecisionCounts(3, () => now);
    counts.record('allow');
    now += 3 * MINUTE;
    expect(counts.snapshot().map((m) => m.counts)).toEqual([{}, {}, {}]);
    counts.record('token_expired');
    now += 5 * MINUTE;
    counts.record('allow');
    expect(counts.snapshot()).toEqual([
      { startMs: 16 * MINUTE, counts: {} },
      { startMs: 17 * MINUTE, counts: {} },
      { startMs: 18 * MINUTE, counts: { allow: 1 } },
    ]);
  });

  it('refuses a window shorter than a minute', () => {
    expect(() => new DecisionCounts(0)).toThrow(RangeError);
  });
});
