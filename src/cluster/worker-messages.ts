// What the primary and its workers say to each other over cluster IPC (advanced serialization,
// so a GateConfig's Maps and Sets cross as they are).
import type { GateConfig } from '../config/gate-config.js';

export type PrimaryMessage =
  | { readonly type: 'pps-gate:config'; readonly config: GateConfig }
  | { readonly type: 'pps-gate:ask'; readonly id: number; readonly what: 'metrics' | 'keys' }
  | { readonly type: 'pps-gate:drain'; readonly drainTimeoutMs: number };

export type WorkerMessage =
  /** The worker listens for messages now: send it the config. */
  | { readonly type: 'pps-gate:hello' }
  /** Its gRPC and HTTP servers listen (on the ports every worker shares). */
  | { readonly type: 'pps-gate:listening'; readonly grpcPort: number; readonly httpPort: number }
  /** Its readiness changed (config loaded, not draining). */
  | { readonly type: 'pps-gate:readiness'; readonly ready: boolean }
  | { readonly type: 'pps-gate:answer'; readonly id: number; readonly value: unknown };

const TYPES = new Set(['pps-gate:config', 'pps-gate:ask', 'pps-gate:drain']);
const WORKER_TYPES = new Set([
  'pps-gate:hello',
  'pps-gate:listening',
  'pps-gate:readiness',
  'pps-gate:answer',
]);

export function isPrimaryMessage(message: unknown): message is PrimaryMessage {
  return TYPES.has((message as { type?: unknown } | null)?.type as string);
}

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return WORKER_TYPES.has((message as { type?: unknown } | null)?.type as string);
}
