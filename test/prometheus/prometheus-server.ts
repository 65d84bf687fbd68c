// Runs Debian's real Prometheus (package `prometheus`) on loopback for a test: a generated config
// scraping the given targets every `scrapeIntervalSeconds`, optional rule files, a temp storage
// dir, and its HTTP API (/api/v1/query, /api/v1/label/.../values, /api/v1/rules) for queries.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, whenClosed } from '../support/gate-child.js';

export const PROMETHEUS = process.env.PROMETHEUS ?? '/usr/bin/prometheus';
const START_TIMEOUT_MS = 20_000;

export interface PrometheusTarget {
  readonly job: string;
  readonly address: string;
  /** Target labels, as Kubernetes service discovery would add them (namespace, pod, ...). */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface PrometheusOptions {
  readonly targets: readonly PrometheusTarget[];
  readonly ruleFiles?: readonly string[];
  readonly scrapeIntervalSeconds?: number;
}

export interface QueryResult {
  readonly status: 'success' | 'error';
  readonly error?: string;
  readonly data?: {
    readonly resultType: string;
    readonly result: readonly { metric: Record<string, string>; value?: [number, string] }[];
  };
}

export interface RuleState {
  readonly name: string;
  readonly health: string;
  readonly lastError?: string;
  readonly evaluationTime: number;
  readonly lastEvaluation: string;
}

export interface PrometheusServer {
  readonly url: string;
  query(expr: string): Promise<QueryResult>;
  labelValues(label: string, match: string): Promise<string[]>;
  rules(): Promise<RuleState[]>;
  stop(): Promise<void>;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return (await response.json()) as T;
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'pps-gate-prometheus-'));
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: interval, evaluation_interval: interval },
      rule_files: options.ruleFiles ?? [],
      scrape_configs: options.targets.map((target) => ({
        job_name: target.job,
        scrape_timeout: interval,
        static_configs: [{ targets: [target.address], labels: target.labels ?? {} }],
      })),
    }),
  );
  // Prometheus cannot report a port 0 binding; a port free a moment ago it is.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = whenClosed(child);
  let exited = false;
  void closed.then(() => (exited = true));

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new Error(`prometheus exited at start-up: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus not ready within ${START_TIMEOUT_MS} ms: ${stderr}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    url,
    query: (expr) => getJson<QueryResult>(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`),
    async labelValues(label, match) {
      const body = await getJson<{ data?: string[] }>(
        `${url}/api/v1/label/${encodeURIComponent(label)}/values?match[]=${encodeURIComponent(match)}`,
      );
      return body.data ?? [];
    },
    async rules() {
      const body = await getJson<{ data: { groups: { rules: RuleState[] }[] } }>(
        `${url}/api/v1/rules`,
      );
      return body.data.groups.flatMap((group) => group.rules);
    },
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await closed;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
