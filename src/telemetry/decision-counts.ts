// Decision counts per minute over the last few minutes, for the status page: a ring of fixed
// per-minute rows (one counter per outcome: "allow" or a reason code). Recording a decision is an
// index lookup and an increment; a row is zeroed in place when its minute comes round again, so
// the hot path allocates nothing.
import { REASON_CODES, type Reason } from '../errors/reasons.js';
import type { DecisionObserver } from '../pipeline/run-check.js';

export type DecisionOutcome = 'allow' | Reason;

export const DECISION_OUTCOMES: readonly DecisionOutcome[] = ['allow', ...REASON_CODES];

const MINUTE_MS = 60_000;

export interface MinuteCounts {
  /** Start of the minute (ms since the epoch). */
  readonly startMs: number;
  /** Outcomes seen in that minute (zero counts left out). */
  readonly counts: Readonly<Partial<Record<DecisionOutcome, number>>>;
}

export class DecisionCounts {
  private readonly index = new Map<DecisionOutcome, number>(
    DECISION_OUTCOMES.map((outcome, i) => [outcome, i]),
  );
  private readonly rows: Uint32Array[];
  private readonly rowMinute: Float64Array;

  constructor(
    readonly minutes = 15,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(minutes) || minutes < 1) throw new RangeError('minutes must be >= 1');
    this.rows = Array.from({ length: minutes }, () => new Uint32Array(DECISION_OUTCOMES.length));
    this.rowMinute = new Float64Array(minutes).fill(-1);
  }

  record(outcome: DecisionOutcome): void {
    const minute = Math.floor(this.now() / MINUTE_MS);
    const slot = minute % this.minutes;
    const row = this.rows[slot]!;
    if (this.rowMinute[slot] !== minute) {
      row.fill(0);
      this.rowMinute[slot] = minute;
    }
    const i = this.index.get(outcome);
    if (i !== undefined) row[i]!++;
  }

  /** The last `minutes` minutes, oldest first, the current (partial) minute last. */
  snapshot(): MinuteCounts[] {
    const current = Math.floor(this.now() / MINUTE_MS);
    const result: MinuteCounts[] = [];
    for (let minute = current - this.minutes + 1; minute <= current; minute++) {
      const slot = ((minute % this.minutes) + this.minutes) % this.minutes;
      const counts: Partial<Record<DecisionOutcome, number>> = {};
      if (this.rowMinute[slot] === minute) {
        const row = this.rows[slot]!;
        DECISION_OUTCOMES.forEach((outcome, i) => {
          if (row[i]! > 0) counts[outcome] = row[i];
        });
      }
      result.push({ startMs: minute * MINUTE_MS, counts });
    }
    return result;
  }
}

/** Feeds the counts from each decision the gate reports. */
export function countDecisions(counts: DecisionCounts): DecisionObserver {
  return ({ decision }) => counts.record(decision.allowed ? 'allow' : decision.reason);
}
