// The primary of `--workers N`: owns the config (load, validate, follow reloads) and hands it to
// every worker; serves the admin port for all of them (/metrics summed over workers with
// prom-client's AggregatorRegistry, /readyz when every worker is ready); drains them all on
// SIGTERM. It answers no checks itself.
import { AggregatorRegistry } from 'prom-client';
import type { GateConfig } from '../config/gate-config.js';
import type { PreparedConfig } from '../config/start-config-reload.js';
import type { ServeOptions } from '../cli/serve-options.js';
import { Readiness, type ReadinessCondition } from '../lifecycle/readiness.js';
import { shutdownOnSignals } from '../lifecycle/shutdown-on-signals.js';
import type { Logger } from '../telemetry/logger.js';
import type { GateMetrics } from '../telemetry/metrics.js';
import { sendJson, startAdminServer } from '../transport/http/admin-server.js';
import { configRoute } from '../transport/http/admin-routes/config-route.js';
import { WorkerPool } from './worker-pool.js';

/** Ready when every worker is (each has the config, listens and is not draining). */
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
  readonly workers: number;
  readonly prepared: PreparedConfig;
  readonly logger: Logger;
  readonly metrics: GateMetrics;
}

export async function runPrimary(o: PrimaryOptions): Promise<number> {
  const { options, prepared, logger, metrics, workers } = o;
  let current: GateConfig | undefined = prepared.initial;
  const pool = new WorkerPool(workers, logger);
  const ports = await pool.start(current);
  const readiness = new PoolReadiness(pool);
  const admin = await startAdminServer(options.host, options.adminPort, readiness, {
    '/metrics': async (response) => {
      const perWorker = (await pool.ask('metrics')) as object[][];
      // The primary's own series (config reloads, its process) join the workers' sums.
      const all = [...perWorker, await metrics.registry.getMetricsAsJSON()];
      const text = await AggregatorRegistry.aggregate(all).metrics();
      response
        .writeHead(200, { 'content-type': metrics.registry.contentType })
        .end(text);
    },
    '/keys': async (response) => {
      // Every worker keeps its own key caches; they agree but for fetch timing: show the first.
      const [first] = await pool.ask('keys');
      sendJson(response, 200, first ?? []);
    },
    '/config': configRoute(() => current),
  });
  const reloader = prepared.follow((next) => {
    current = next;
    pool.setConfig(next);
  });
  const stopped = shutdownOnSignals({
    logger,
    drainTimeoutMs: options.drainTimeoutMs,
    close: async (ms) => {
      readiness.startDraining();
      await reloader.close();
      await pool.drain(ms);
      await admin.close(Math.min(ms, 1000));
    },
  });
  logger.info(
    {
      workers,
      grpcPort: ports.grpcPort,
      httpPort: ports.httpPort,
      adminPort: admin.port,
      config: prepared.description,
      issuers: current === undefined ? [] : [...current.issuers.keys()],
      configHash: current?.hash ?? null,
      waitingForConfig: current === undefined,
    },
    'pps-gate serving',
  );
  return stopped;
}
