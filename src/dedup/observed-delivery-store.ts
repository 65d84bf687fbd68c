// Wraps a delivery store to report each operation's latency and failures, and each delivery's
// outcome, to metrics (telemetry/metrics.ts) without the stores knowing about Prometheus. An
// answer the store gives at once is reported and passed on at once (no promise hop).
import type {
  ConfirmResult,
  DeliveryOutcome,
  DeliveryRecord,
  DeliveryStore,
  DeliveryStoreKind,
  DeliveryStoreOperation,
  DeliveryTimes,
  StoreAnswer,
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

  record(key: string, times: DeliveryTimes): StoreAnswer<DeliveryRecord> {
    const startedAt = performance.now();
    return this.counted('record', startedAt, () => this.inner.record(key, times));
  }

  claim(key: string, times: DeliveryTimes): StoreAnswer<DeliveryRecord> {
    const startedAt = performance.now();
    return this.counted('claim', startedAt, () => this.inner.claim(key, times));
  }

  confirm(key: string, httpStatus: number, nowMs: number): Promise<ConfirmResult> {
    const startedAt = performance.now();
    return this.inner.confirm(key, httpStatus, nowMs).then(
      (result) => {
        this.done('confirm', startedAt, false);
        return result;
      },
      (error: unknown) => {
        this.done('confirm', startedAt, true);
        throw error;
      },
    );
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private counted(
    operation: DeliveryStoreOperation,
    startedAt: number,
    run: () => StoreAnswer<DeliveryRecord>,
  ): StoreAnswer<DeliveryRecord> {
    let answer: StoreAnswer<DeliveryRecord>;
    try {
      answer = run();
    } catch (error) {
      this.done(operation, startedAt, true);
      throw error;
    }
    if (!(answer instanceof Promise)) return this.settled(operation, startedAt, answer);
    return answer.then(
      (record) => this.settled(operation, startedAt, record),
      (error: unknown) => {
        this.done(operation, startedAt, true);
        throw error;
      },
    );
  }

  private settled(
    operation: DeliveryStoreOperation,
    startedAt: number,
    record: DeliveryRecord,
  ): DeliveryRecord {
    this.done(operation, startedAt, false);
    this.observer.outcome(record.outcome);
    return record;
  }

  private done(operation: DeliveryStoreOperation, startedAt: number, failed: boolean): void {
    this.observer.operation(this.kind, operation, (performance.now() - startedAt) / 1000, failed);
  }
}
