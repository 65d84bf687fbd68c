// Wires one pps-gate instance: config snapshot, key caches, the three servers, readiness.
// The composition root: used by `serve`, by `demo` (through start-loopback-gate) and by tests.
import { setLogger as setGrpcLogger } from '@grpc/grpc-js';
import type { ConfigSnapshot } from '../config/config-snapshot.js';
import { KeyStore } from '../issuers/key-store.js';
import { noKeyStoreEvents, type KeyStoreEvents } from '../issuers/key-store-events.js';
import { Readiness } from '../lifecycle/readiness.js';
import type { CheckDeps, DecisionObserver } from '../pipeline/run-check.js';
import { countInFlight } from '../telemetry/count-in-flight.js';
import { countDecisions, DecisionCounts } from '../telemetry/decision-counts.js';
import { createDecisionLog, type DecisionLogOptions } from '../telemetry/decision-log.js';
import { decisionMetrics, keyMetricsEvents } from '../telemetry/metric-observers.js';
import type { Logger } from '../telemetry/logger.js';
import type { GateMetrics } from '../telemetry/metrics.js';
import type { GateTracer } from '../telemetry/tracing.js';
import { statusRoute } from '../transport/http/admin-routes/status-route.js';
import { gateStatus, type GateStatusSources } from './gate-status.js';
import { startGrpcServer, type GrpcServerHandle } from '../transport/grpc/grpc-server.js';
import { startAdminServer, type AdminRoute } from '../transport/http/admin-server.js';
import { configRoute } from '../transport/http/admin-routes/config-route.js';
import { keysRefreshRoute } from '../transport/http/admin-routes/keys-refresh-route.js';
import { keysRoute } from '../transport/http/admin-routes/keys-route.js';
import { metricsRoute } from '../transport/http/admin-routes/metrics-route.js';
import { startForwardAuthServer } from '../transport/http/forward-auth-server.js';
import type { HttpServerHandle } from '../transport/http/listen.js';
import { listenFor } from './listen-error.js';

export interface GateOptions {
  /** The one owner of the current config. Empty while the API config source waits for its first
   * ConfigMap: not ready, checks 503. Swapping it updates the key caches and readiness. */
  readonly snapshot: ConfigSnapshot;
  readonly host: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly adminPort: number;
  readonly logger: Logger;
  /** Prometheus metrics; absent in library use and some tests. */
  readonly metrics?: GateMetrics;
  /** Decision log level and allow sampling (default: every decision at info). */
  readonly decisionLog?: DecisionLogOptions;
  readonly now?: () => number;
  readonly keyEvents?: KeyStoreEvents;
  readonly observers?: readonly DecisionObserver[];
  readonly adminRoutes?: Readonly<Record<string, AdminRoute>>;
  /** OpenTelemetry spans for checks, key lookups, JWKS fetches and verification; off when absent. */
  readonly tracer?: GateTracer;
  /** What the status page (GET / on the admin port) shows about config reloads. */
  readonly status?: Pick<GateStatusSources, 'lastReload' | 'sourceDescription'>;
}

export interface Gate {
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly adminPort: number;
  readonly readiness: Readiness;
  readonly keys: KeyStore;
  /** What new requests see; `swap` it to change config (requests in flight keep theirs). */
  readonly snapshot: ConfigSnapshot;
  /** Resolves when the start-up key prefetch has finished (succeeded or failed). */
  readonly prefetched: Promise<void>;
  /** Not-ready, stop accepting, let in-flight checks finish (bounded), release timers. */
  close(drainTimeoutMs: number): Promise<void>;
}

export async function startGate(options: GateOptions): Promise<Gate> {
  const { logger, snapshot } = options;
  // grpc-js writes its own errors (a failed bind, say) to stderr; route them into the log.
  setGrpcLogger({
    error: (...args: unknown[]) => logger.warn({ grpc: args.join(' ') }, 'grpc-js'),
    info: (...args: unknown[]) => logger.debug({ grpc: args.join(' ') }, 'grpc-js'),
    debug: (...args: unknown[]) => logger.trace({ grpc: args.join(' ') }, 'grpc-js'),
  });
  const now = options.now ?? Date.now;
  const current = snapshot.current();
  const readiness = new Readiness();
  const { metrics } = options;
  const keyEvents =
    metrics === undefined ? options.keyEvents : keyMetricsEvents(metrics, options.keyEvents);
  const { tracer } = options;
  const keys = new KeyStore({
    logger,
    now,
    events: keyEvents ?? noKeyStoreEvents,
    ...(tracer === undefined ? {} : { tracer }),
  });
  let loadedAtMs = current === undefined ? undefined : now();
  const decisionCounts = new DecisionCounts(15, now);
  metrics?.trackKeys(() => keys.describe());
  if (current !== undefined)
    metrics?.setActiveConfig(current.hash, now(), current.jwks.maxStalenessMs);
  metrics?.trackReadiness(() => readiness.ready);
  const prefetched = Promise.all(current === undefined ? [] : keys.applyConfig(current)).then(
    () => undefined,
  );
  if (current !== undefined) readiness.satisfy('config');
  snapshot.onSwap((next) => {
    // Prefetches of added issuers run in the background; readiness never waits on an issuer.
    void Promise.all(keys.applyConfig(next));
    loadedAtMs = now();
    readiness.satisfy('config');
  });

  const observers = [
    countDecisions(decisionCounts),
    ...(metrics === undefined ? [] : [decisionMetrics(metrics)]),
    ...(options.observers ?? []),
  ];
  const logDecision = createDecisionLog(logger, options.decisionLog);
  const plainDeps: CheckDeps = {
    config: snapshot,
    keys,
    now,
    ...(tracer === undefined ? {} : { tracer }),
    observe: (report) => {
      logDecision(report);
      for (const observer of observers) observer(report);
    },
  };
  const deps = metrics === undefined ? plainDeps : countInFlight(plainDeps, metrics.checksInFlight);
  const adminRoutes: Record<string, AdminRoute> = {
    ...(metrics === undefined ? {} : { '/metrics': metricsRoute(metrics.registry) }),
    '/': statusRoute(
      gateStatus({
        readiness,
        snapshot,
        keys,
        decisions: decisionCounts,
        loadedAtMs: () => loadedAtMs,
        now,
        ...options.status,
      }),
    ),
    '/keys': keysRoute(() => keys.describe()),
    'POST /keys/refresh': keysRefreshRoute(keys, (issuer) =>
      metrics?.keyRefreshRequests.inc({ issuer }),
    ),
    '/config': configRoute(snapshot),
    ...options.adminRoutes,
  };

  let grpc: GrpcServerHandle | undefined;
  let http: HttpServerHandle | undefined;
  let admin: HttpServerHandle | undefined;
  try {
    const { host } = options;
    admin = await listenFor('--admin-port', host, options.adminPort, () =>
      startAdminServer(host, options.adminPort, readiness, adminRoutes),
    );
    grpc = await listenFor('--grpc-port', host, options.grpcPort, () =>
      startGrpcServer(host, options.grpcPort, deps, readiness),
    );
    readiness.satisfy('grpc');
    http = await listenFor('--http-port', host, options.httpPort, () =>
      startForwardAuthServer(host, options.httpPort, deps),
    );
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
    snapshot,
    async close(drainTimeoutMs) {
      readiness.startDraining();
      await Promise.all([servers.grpc.close(drainTimeoutMs), servers.http.close(drainTimeoutMs)]);
      await servers.admin.close(Math.min(drainTimeoutMs, 1000));
      keys.close();
    },
  };
}
