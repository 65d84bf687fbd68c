// The one owner of the config new requests see. A request reads `current()` once and keeps that
// object to the end, so a swap never changes a request midway; the reloader swaps, the pipeline
// and the admin routes read.
import type { GateConfig } from './gate-config.js';

/** Told of a validated config before requests see it (e.g. key caches prefetch added issuers). */
export type SwapListener = (next: GateConfig) => void;

export class ConfigSnapshot {
  private value: GateConfig | undefined;
  private readonly listeners: SwapListener[] = [];

  /** `initial` is absent while the Kubernetes API source waits for its first ConfigMap. */
  constructor(initial?: GateConfig) {
    this.value = initial;
  }

  current(): GateConfig | undefined {
    return this.value;
  }

  onSwap(listener: SwapListener): void {
    this.listeners.push(listener);
  }

  /** Listeners first: if one throws, the old config keeps serving and the caller hears of it. */
  swap(next: GateConfig): void {
    for (const listener of this.listeners) listener(next);
    this.value = next;
  }
}
