// A ConfigSourceListener that records what a source reported, plus a bounded wait for tests.
import type { ConfigSourceListener } from '../../src/config/config-source.js';

export interface Recorded {
  readonly kind: 'content' | 'missing' | 'failed';
  readonly value: string;
}

export class RecordingListener implements ConfigSourceListener {
  readonly events: Recorded[] = [];

  content(text: string): void {
    this.events.push({ kind: 'content', value: text });
  }

  missing(detail: string): void {
    this.events.push({ kind: 'missing', value: detail });
  }

  failed(detail: string): void {
    this.events.push({ kind: 'failed', value: detail });
  }

  of(kind: Recorded['kind']): string[] {
    return this.events.filter((event) => event.kind === kind).map((event) => event.value);
  }

  last(kind: Recorded['kind']): string | undefined {
    return this.of(kind).at(-1);
  }
}

/** Polls `condition` every 10 ms; throws with `what` after `timeoutMs` (a bound, not a measurement). */
export async function waitUntil(
  condition: () => boolean,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Like waitUntil, for conditions that must await (metrics, HTTP). */
export async function waitUntilAsync(
  condition: () => Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
