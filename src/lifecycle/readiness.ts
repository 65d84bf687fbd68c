// Whether this instance should get traffic: config loaded, servers listening, not draining.
// /readyz and gRPC health both read it; gRPC health Watch streams follow its changes.
import { EventEmitter } from 'node:events';

export type ReadinessCondition = 'config' | 'grpc' | 'http' | 'draining';

export class Readiness extends EventEmitter<{ change: [ready: boolean] }> {
  private readonly pending = new Set<ReadinessCondition>(['config', 'grpc', 'http']);
  private draining = false;

  satisfy(condition: Exclude<ReadinessCondition, 'draining'>): void {
    const before = this.ready;
    this.pending.delete(condition);
    if (this.ready !== before) this.emit('change', this.ready);
  }

  startDraining(): void {
    const before = this.ready;
    this.draining = true;
    if (this.ready !== before) this.emit('change', this.ready);
  }

  get ready(): boolean {
    return this.pending.size === 0 && !this.draining;
  }

  /** What is still missing, for /readyz's body. */
  get missing(): ReadinessCondition[] {
    return [...this.pending, ...(this.draining ? (['draining'] as const) : [])];
  }
}
