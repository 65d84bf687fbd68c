// The primary of `--workers N`: owns the config (load, validate, follow reloads) and hands it to
// every worker; serves the admin port for all of them (/metrics summed over workers with
// prom-client's AggregatorRegistry, /readyz when every worker is ready); drains them all on
// SIGTERM. It answers no checks itself.
import { AggregatorRegistry } from 'prom-client';
import { ConfigSnapshot } from '../config/config-snapshot.js';
import { startConfigReloader } from '../config/config-reloader.js';
import type { OpenedConfigSource } from '../config/open-config-source.js';
import type { ServeOptions } from '../cli/serve-options.js';
import { Readiness, type ReadinessCondition } from '../lifecycle/readiness.js';
import { shutdownOnSignals } from '../lifecycle/shutdown-on-signals.js';
import type { Logger } from '../telemetry/logger.js';
import type { GateMetrics } from '../telemetry/metrics.js';
import { sendJson, startAdminServer, type AdminRoute } from '../transport/http/admin-server.js';
import { configRoute } from '../transport/http/admin-routes/config-route.js';
import { WorkerPool } from './worker-pool.js';

/** Ready when every worker is (each listens, has the config and is not draining). */
class PoolReadiness extends Readiness {
  constructor(private readonly pool: WorkerPool) {
    super();
    this.satisfy('config');
    this.satisfy('grpc');
    this.satisfy('http');
  }

  override get ready(): boolean {
    return super.ready && this.pool.allReady;
  }

  override get missing(): ReadinessCondition[] {
    return [...super.missing, ...(this.pool.allReady ? [] : (['config'] as const))];
  }
}

export interface PrimaryOptions {
  readonly options: ServeOptions;
  readonly opened: OpenedConfigSource;
  readonly logger: Logger;
  readonly metrics: GateMetrics;
}

function adminRoutes(pool: WorkerPool, metrics: GateMetrics, snapshot: ConfigSnapshot) {
  const routes: Record<string, AdminRoute> = {
    '/metrics': async (response) => {
      const perWorker = (await pool.ask('metrics')) as object[];
      // The primary's own series (config reloads, its process) join the workers' sums.
      const all = [...perWorker, await metrics.registry.getMetricsAsJSON()];
      const text = await AggregatorRegistry.aggregate(all).metrics();
      response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
    },
    '/keys': async (response) => {
      // Every worker keeps its own key caches; they agree but for fetch timing: show the first.
      const [first] = await pool.ask('keys');
      sendJson(response, 200, first ?? []);
    },
    '/config': configRoute(snapshot),
  };
  return routes;
}

export async function runPrimary(o: PrimaryOptions): Promise<number> {
  const { options, opened, logger, metrics } = o;
  const snapshot = new ConfigSnapshot(opened.initial?.config);
  const pool = new WorkerPool(options.workers, logger);
  snapshot.onSwap((next) => pool.setConfig(next));
  const ports = await pool.start(snapshot.current());
  const readiness = new PoolReadiness(pool);
  const admin = await startAdminServer(
    options.host,
    options.adminPort,
    readiness,
    adminRoutes(pool, metrics, snapshot),
  );
  const close = async (ms: number): Promise<void> => {
    readiness.startDraining();
    await reloader.close();
    await pool.drain(ms);
    await admin.close(Math.min(ms, 1000));
  };
  const exitCode = new Promise<number>((resolve) => {
    void shutdownOnSignals({ logger, drainTimeoutMs: options.drainTimeoutMs, close }).then(resolve);
  });
  let invalidAtStart: ((code: number) => void) | undefined;
  const reloader = startConfigReloader({
    source: opened.source,
    snapshot,
    initialText: opened.initial?.text,
    logger,
    metrics,
    onInvalidAtStart: (error) => {
      process.stderr.write(`pps-gate: ${error.message}\n`);
      void Promise.resolve()
        .then(() => close(0))
        .then(() => invalidAtStart?.(1));
    },
  });
  const config = snapshot.current();
  logger.info(
    {
      workers: options.workers,
      grpcPort: ports.grpcPort,
      httpPort: ports.httpPort,
      adminPort: admin.port,
      config: opened.description,
      issuers: config === undefined ? [] : [...config.issuers.keys()],
      configHash: config?.hash ?? null,
      waitingForConfig: config === undefined,
    },
    'pps-gate serving',
  );
  return Promise.race([exitCode, new Promise<number>((resolve) => (invalidAtStart = resolve))]);
}
