// envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs: Envoy streams its HTTP access
// log here, and each entry for a delivery pps-gate let through confirms it (2xx: delivered;
// anything else: failed, so the sender's retry goes through). Entries for other requests are
// ignored. Streams are long-lived; a broken one is simply dropped (Envoy opens a new one).
import type { ServerReadableStream, sendUnaryData } from '@grpc/grpc-js';
import type { ConfirmResult } from '../../dedup/delivery-store.js';
import { deliveryConfirmation, type HttpAccessLogEntryMessage } from './access-log-entry.js';

export interface StreamAccessLogsMessage {
  http_logs?: { log_entry?: HttpAccessLogEntryMessage[] } | null;
}

export interface AccessLogDeps {
  confirm(deliveryKey: string, httpStatus: number): Promise<ConfirmResult>;
  /** A confirmation that could not be stored (store down): the lease will expire instead. */
  onConfirmError(error: unknown): void;
}

export interface AccessLogService {
  readonly handlers: {
    StreamAccessLogs(
      call: ServerReadableStream<StreamAccessLogsMessage, object>,
      callback: sendUnaryData<object>,
    ): void;
  };
  /** Ends every open stream (at shutdown: Envoy's streams never end by themselves). */
  endStreams(): void;
}

export function accessLogService(deps: AccessLogDeps): AccessLogService {
  const open = new Set<() => void>();
  return {
    handlers: {
      StreamAccessLogs(call, callback) {
        let ended = false;
        const finish = (): void => {
          if (ended) return;
          ended = true;
          open.delete(finish);
          callback(null, {});
        };
        open.add(finish);
        call.on('data', (message: StreamAccessLogsMessage) => {
          for (const entry of message.http_logs?.log_entry ?? []) {
            const confirmation = deliveryConfirmation(entry);
            if (confirmation === undefined) continue;
            deps
              .confirm(confirmation.deliveryKey, confirmation.httpStatus)
              .catch((error: unknown) => deps.onConfirmError(error));
          }
        });
        call.on('end', finish);
        // A broken stream (Envoy restarted, network): nothing to answer; forget it.
        call.on('error', () => {
          ended = true;
          open.delete(finish);
        });
        call.on('cancelled', () => {
          ended = true;
          open.delete(finish);
        });
      },
    },
    endStreams() {
      for (const finish of [...open]) finish();
    },
  };
}
