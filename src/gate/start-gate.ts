// Wires one pps-gate instance: config snapshot, key caches, the three servers, readiness.
// The composition root: used by `serve`, by `demo` (through start-loopback-gate) and by tests.
import { setLogger as setGrpcLogger } from '@grpc/grpc-js';
import type { ConfigSnapshot } from '../config/config-snapshot.js';
import type { DeliveryStore } from '../dedup/delivery-store.js';
import { KeyStore } from '../issuers/key-store.js';
import { noKeyStoreEvents, type KeyStoreEvents } from '../issuers/key-store-events.js';
import { VerifiedTokens } from '../pipeline/verified-tokens.js';
import { Readiness } from '../lifecycle/readiness.js';
import type { ReplayStore } from '../replay/replay-store.js';
import { openReplayStore } from './open-replay-store.js';
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
import { accessLogService } from '../transport/grpc/access-log-service.js';
import { startGrpcServer, type GrpcServerHandle } from '../transport/grpc/grpc-server.js';
import { startAdminServer, type AdminRoute } from '../transport/http/admin-server.js';
import { configRoute } from '../transport/http/admin-routes/config-route.js';
import { keysRefreshRoute } from '../transport/http/admin-routes/keys-refresh-route.js';
import { keysRoute } from '../transport/http/admin-routes/keys-route.js';
import { metricsRoute } from '../transport/http/admin-routes/metrics-route.js';
import { startForwardAuthServer } from '../transport/http/forward-auth-server.js';
import type { HttpServerHandle } from '../transport/http/listen.js';
import { openDeliveryStore, storeSettingsChanged } from './open-delivery-store.js';
import { listenFor } from './listen-error.js';

export interface GateOptions {
  /** The one owner of the current config. Empty while the API config source waits for its first
   * ConfigMap: not ready, checks 503. Swapping it updates the key caches and readiness. */
  readonly snapshot: ConfigSnapshot;
  readonly host: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  /** Undefined: no admin server (a --workers primary serves one for all its workers). */
  readonly adminPort: number | undefined;
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
  /** The replay guard's seen-jti store (`replay: jti`); default: in this process, bounded. */
  readonly replayStore?: ReplayStore;
  /** Where PPS_GATE_REDIS_PASSWORD is read (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

/** A Check's whole dedup step answers within this, whatever the store does (README). */
export const DEDUP_DEADLINE_MS = 900;

export interface Gate {
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly adminPort: number | undefined;
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
  // Sized by the config; empty (and resized on the first swap) while there is none yet.
  const verifiedTokens = new VerifiedTokens(current?.tokenCache ?? { maxEntries: 0, maxBytes: 0 });
  const keyEvents = forgetRemovedKeys(
    verifiedTokens,
    metrics === undefined ? options.keyEvents : keyMetricsEvents(metrics, options.keyEvents),
  );
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
  metrics?.trackTokenCache(() => verifiedTokens.counts());
  if (current !== undefined)
    metrics?.setActiveConfig(current.hash, now(), current.jwks.maxStalenessMs);
  metrics?.trackReadiness(() => readiness.ready);
  const prefetched = Promise.all(current === undefined ? [] : keys.applyConfig(current)).then(
    () => undefined,
  );
  if (current !== undefined) readiness.satisfy('config');
  // The delivery store is opened from the first config (now, or the API source's first
  // ConfigMap); mode, window and lease follow reloads, the store itself needs a restart.
  const storeContext = { logger, metrics, now, env: options.env };
  let deliveryStore: DeliveryStore | undefined =
    current === undefined ? undefined : await openDeliveryStore(current.dedup, storeContext);
  let storeSettings = current?.dedup;
  // One replay store for the gate's life, opened with the delivery store from the first config:
  // a reload must not forget the tokens already used.
  let replayStore: ReplayStore | undefined =
    options.replayStore ??
    (current === undefined ? undefined : await openReplayStore(current.dedup, storeContext));
  snapshot.onSwap((next) => {
    // Prefetches of added issuers run in the background; readiness never waits on an issuer.
    void Promise.all(keys.applyConfig(next));
    loadedAtMs = now();
    verifiedTokens.applyConfig(next);
    readiness.satisfy('config');
    if (storeSettings === undefined) {
      storeSettings = next.dedup;
      if (replayStore === undefined) {
        // The memory store opens at once; a Redis one once ioredis has loaded (until then a
        // replay-guarded check answers 503 replay_store_unavailable, as while Redis connects).
        const opened = openReplayStore(next.dedup, storeContext);
        if (opened instanceof Promise) void opened.then((store) => (replayStore ??= store));
        else replayStore = opened;
      }
      void openDeliveryStore(next.dedup, storeContext).then((opened) => (deliveryStore = opened));
    } else if (storeSettingsChanged(storeSettings, next.dedup))
      logger.warn(
        { running: storeSettings.store, configured: next.dedup.store },
        'dedup store settings changed; the running store stays until pps-gate restarts',
      );
  });

  const observers = [
    countDecisions(decisionCounts),
    ...(metrics === undefined ? [] : [decisionMetrics(metrics)]),
    ...(options.observers ?? []),
  ];
  const logDecision = createDecisionLog(logger, options.decisionLog);
  // One store for the gate's life: a config reload must not forget the tokens already used.
  const plainDeps: CheckDeps = {
    config: snapshot,
    keys,
    now,
    ...(tracer === undefined ? {} : { tracer }),
    replay: () => replayStore,
    verifiedTokens,
    observe: (report) => {
      logDecision(report);
      for (const observer of observers) observer(report);
    },
  };
  const counted =
    metrics === undefined ? plainDeps : countInFlight(plainDeps, metrics.checksInFlight);
  const deliveries = { store: () => deliveryStore, deadlineMs: DEDUP_DEADLINE_MS };
  const grpcDeps = { ...counted, deliveries: { ...deliveries, annotateOnly: false } };
  const httpDeps = { ...counted, deliveries: { ...deliveries, annotateOnly: true } };
  const accessLog = accessLogService({
    confirm: (key, status) =>
      deliveryStore === undefined
        ? Promise.resolve('ignored' as const)
        : deliveryStore.confirm(key, status, now()),
    onConfirmError: (error) =>
      logger.warn(
        { err: (error as Error).message },
        'dedup confirmation lost (store unavailable); the lease will expire instead',
      ),
  });
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
    const { host, adminPort } = options;
    if (adminPort !== undefined)
      admin = await listenFor('--admin-port', host, adminPort, () =>
        startAdminServer(host, adminPort, readiness, adminRoutes),
      );
    grpc = await listenFor('--grpc-port', host, options.grpcPort, () =>
      startGrpcServer(host, options.grpcPort, grpcDeps, { readiness, accessLog }),
    );
    readiness.satisfy('grpc');
    http = await listenFor('--http-port', host, options.httpPort, () =>
      startForwardAuthServer(host, options.httpPort, httpDeps),
    );
    readiness.satisfy('http');
  } catch (error) {
    await Promise.all([grpc?.close(0), http?.close(0), admin?.close(0)]);
    keys.close();
    await deliveryStore?.close();
    await replayStore?.close();
    throw error;
  }
  const servers = { grpc, http, admin };

  return {
    grpcPort: servers.grpc.port,
    httpPort: servers.http.port,
    adminPort: servers.admin?.port,
    readiness,
    keys,
    prefetched,
    snapshot,
    async close(drainTimeoutMs) {
      readiness.startDraining();
      await Promise.all([servers.grpc.close(drainTimeoutMs), servers.http.close(drainTimeoutMs)]);
      await servers.admin?.close(Math.min(drainTimeoutMs, 1000));
      keys.close();
      await replayStore?.close();
      await deliveryStore?.close();
    },
  };
}

/** Key-set changes also sweep the verified tokens whose key left (then the other listeners). */
function forgetRemovedKeys(
  tokens: VerifiedTokens,
  next: KeyStoreEvents | undefined,
): KeyStoreEvents {
  const rest = next ?? noKeyStoreEvents;
  return {
    onFetch: (issuer, result, durationMs) => rest.onFetch(issuer, result, durationMs),
    onKeysChanged(issuer, added, removed, initial) {
      tokens.forgetKeys(issuer, removed);
      rest.onKeysChanged(issuer, added, removed, initial);
    },
  };
}
