// Whether this instance is up (servers listening, not draining: liveness) and whether it should
// get traffic (also config loaded: readiness). /readyz and gRPC health read it; gRPC health
// Watch streams follow its changes.
import { EventEmitter } from 'node:events';

export type ReadinessCondition = 'config' | 'grpc' | 'http' | 'draining';

export class Readiness extends EventEmitter<{ change: [] }> {
  private readonly pending = new Set<ReadinessCondition>(['config', 'grpc', 'http']);
  private draining = false;

  satisfy(condition: Exclude<ReadinessCondition, 'draining'>): void {
    if (this.pending.delete(condition)) this.emit('change');
  }

  startDraining(): void {
    if (this.draining) return;
    this.draining = true;
    this.emit('change');
  }

  /** Ready for checks: config loaded, both servers listening, not draining. */
  get ready(): boolean {
    return this.pending.size === 0 && !this.draining;
  }

  /**
   * Up: listening and not draining, whether or not a config has arrived yet. An API config source
   * may wait for its ConfigMap indefinitely; that is "not ready", never "restart me".
   */
  get up(): boolean {
    return !this.draining && !this.pending.has('grpc') && !this.pending.has('http');
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** What is still missing, for /readyz's body. */
  get missing(): ReadinessCondition[] {
    return [...this.pending, ...(this.draining ? (['draining'] as const) : [])];
  }
}
