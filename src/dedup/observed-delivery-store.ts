// Wraps a delivery store to report each operation's latency and failures, and each delivery's
// outcome, to metrics (telemetry/metrics.ts) without the stores knowing about Prometheus.
import type {
  ConfirmResult,
  DeliveryOutcome,
  DeliveryRecord,
  DeliveryStore,
  DeliveryStoreKind,
  DeliveryStoreOperation,
  DeliveryTimes,
} from './delivery-store.js';

export interface DeliveryStoreObserver {
  operation(
    store: DeliveryStoreKind,
    operation: DeliveryStoreOperation,
    seconds: number,
    failed: boolean,
  ): void;
  outcome(outcome: DeliveryOutcome): void;
}

export class ObservedDeliveryStore implements DeliveryStore {
  readonly kind: DeliveryStoreKind;

  constructor(
    private readonly inner: DeliveryStore,
    private readonly observer: DeliveryStoreObserver,
  ) {
    this.kind = inner.kind;
  }

  record(key: string, times: DeliveryTimes): Promise<DeliveryRecord> {
    return this.counted('record', this.inner.record(key, times));
  }

  claim(key: string, times: DeliveryTimes): Promise<DeliveryRecord> {
    return this.counted('claim', this.inner.claim(key, times));
  }

  confirm(key: string, httpStatus: number, nowMs: number): Promise<ConfirmResult> {
    return this.timed('confirm', this.inner.confirm(key, httpStatus, nowMs));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private counted(
    operation: DeliveryStoreOperation,
    pending: Promise<DeliveryRecord>,
  ): Promise<DeliveryRecord> {
    return this.timed(operation, pending).then((record) => {
      this.observer.outcome(record.outcome);
      return record;
    });
  }

  private timed<T>(operation: DeliveryStoreOperation, pending: Promise<T>): Promise<T> {
    const startedAt = performance.now();
    return pending.then(
      (value) => {
        this.observer.operation(
          this.kind,
          operation,
          (performance.now() - startedAt) / 1000,
          false,
        );
        return value;
      },
      (error: unknown) => {
        this.observer.operation(this.kind, operation, (performance.now() - startedAt) / 1000, true);
        throw error;
      },
    );
  }
}
