// Per-check counting for a prom-client Counter: prom-client's Counter#inc validates and hashes its
// label object on every call; here each label set is bound once to a slot, the per-check path
// adds to a plain number, and the counter takes the pending counts when it collects (every
// scrape, and every worker's collection in cluster mode), so what /metrics shows stays exact.
import type { Counter } from 'prom-client';

export class TallySlot<L extends string> {
  pending = 0;
  constructor(readonly labels: Readonly<Record<L, string>>) {}
}

export class CounterTally<L extends string> {
  private readonly slots = new Map<string, TallySlot<L>>();

  constructor(private readonly labelNames: readonly L[]) {}

  /** The slot for one label set; bind once per label set and keep it. */
  bind(labels: Readonly<Record<L, string>>): TallySlot<L> {
    const key = this.labelNames.map((name) => labels[name]).join('\u0000');
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = new TallySlot({ ...labels });
      this.slots.set(key, slot);
    }
    return slot;
  }

  /** Hands every pending count to `counter`; call it from the counter's collect(). */
  drainInto(counter: Counter<L>): void {
    for (const slot of this.slots.values()) {
      if (slot.pending === 0) continue;
      counter.inc(slot.labels as Partial<Record<L, string>>, slot.pending);
      slot.pending = 0;
    }
  }
}
