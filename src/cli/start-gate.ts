// Wires one pps-gate instance: config snapshot, key caches, the three servers, readiness.
// Used by `serve` and by `demo` (and by tests in-process).
import type { GateConfig } from '../config/gate-config.js';
import { KeyStore } from '../issuers/key-store.js';
import { noKeyStoreEvents, type KeyStoreEvents } from '../issuers/key-store-events.js';
import { Readiness } from '../lifecycle/readiness.js';
import type { CheckDeps, DecisionObserver } from '../pipeline/run-check.js';
import { logDecision } from '../telemetry/decision-log.js';
import type { Logger } from '../telemetry/logger.js';
import type { GateMetrics } from '../telemetry/metrics.js';
import { startGrpcServer, type GrpcServerHandle } from '../transport/grpc/grpc-server.js';
import { startAdminServer, type AdminRoute } from '../transport/http/admin-server.js';
import { startForwardAuthServer } from '../transport/http/forward-auth-server.js';
import type { HttpServerHandle } from '../transport/http/listen.js';

export interface GateOptions {
  readonly config: GateConfig;
  readonly host: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly adminPort: number;
  readonly logger: Logger;
  /** Prometheus metrics; absent in library use and some tests. */
  readonly metrics?: GateMetrics;
  readonly now?: () => number;
  readonly keyEvents?: KeyStoreEvents;
  readonly observers?: readonly DecisionObserver[];
  readonly adminRoutes?: Readonly<Record<string, AdminRoute>>;
}

export interface Gate {
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly adminPort: number;
  readonly readiness: Readiness;
  readonly keys: KeyStore;
  /** The snapshot new requests see. */
  config(): GateConfig;
  /** Atomically switches to a new snapshot; requests in flight keep the one they started with. */
  swapConfig(next: GateConfig): void;
  /** Resolves when the start-up key prefetch has finished (succeeded or failed). */
  readonly prefetched: Promise<void>;
  /** Not-ready, stop accepting, let in-flight checks finish (bounded), release timers. */
  close(drainTimeoutMs: number): Promise<void>;
}

export async function startGate(options: GateOptions): Promise<Gate> {
  const { logger } = options;
  const now = options.now ?? Date.now;
  let current = options.config;
  const readiness = new Readiness();
  const keys = new KeyStore({ logger, now, events: options.keyEvents ?? noKeyStoreEvents });
  const prefetched = Promise.all(keys.applyConfig(current)).then(() => undefined);
  readiness.satisfy('config');

  const observers = options.observers ?? [];
  const deps: CheckDeps = {
    config: () => current,
    keys,
    now,
    observe: (report) => {
      logDecision(logger, report);
      for (const observer of observers) observer(report);
    },
  };

  let grpc: GrpcServerHandle | undefined;
  let http: HttpServerHandle | undefined;
  let admin: HttpServerHandle | undefined;
  try {
    admin = await startAdminServer(options.host, options.adminPort, readiness, options.adminRoutes);
    grpc = await startGrpcServer(options.host, options.grpcPort, deps, readiness);
    readiness.satisfy('grpc');
    http = await startForwardAuthServer(options.host, options.httpPort, deps);
    readiness.satisfy('http');
  } catch (error) {
    await Promise.all([grpc?.close(0), http?.close(0), admin?.close(0)]);
    keys.close();
    throw error;
  }
  const servers = { grpc, http, admin };

  return {
    grpcPort: servers.grpc.port,
    httpPort: servers.http.port,
    adminPort: servers.admin.port,
    readiness,
    keys,
    prefetched,
    config: () => current,
    swapConfig(next) {
      // Prefetches of added issuers run in the background; readiness never waits on an issuer.
      void Promise.all(keys.applyConfig(next));
      current = next;
    },
    async close(drainTimeoutMs) {
      readiness.startDraining();
      await Promise.all([servers.grpc.close(drainTimeoutMs), servers.http.close(drainTimeoutMs)]);
      await servers.admin.close(Math.min(drainTimeoutMs, 1000));
      keys.close();
    },
  };
}
