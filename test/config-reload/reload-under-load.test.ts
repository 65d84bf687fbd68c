// The built server under a steady stream of Check requests while its config is swapped 50 times
// (every fifth swap invalid), once through a kubelet-style ConfigMap volume and once through the
// Kubernetes API (a stand-in apiserver): zero errors, zero wrong decisions, no refetch of the
// staying issuer's keys, and the swap-to-effect time printed for the notes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import { startGateProcess, type GateProcess } from '../support/start-gate-process.js';
import { createEnvoyAuthClient, type EnvoyAuthClient } from '../support/envoy-client.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../support/fake-kube-apiserver.js';
import { KubeletAtomicWriter } from './kubelet-atomic-writer.js';
import {
  configText,
  summarise,
  swapUnderLoad,
  type SwapUnderLoadReport,
} from './swap-under-load.js';

const KEY = 'issuers.yaml';
const SWAPS = 50;

/** Counts "config reload rejected" log lines as they stream by (the log is the gate's own record). */
function countRejections(gate: GateProcess): () => number {
  let count = 0;
  let carry = '';
  gate.child.stdout?.on('data', (chunk: string) => {
    const lines = (carry + chunk).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) if (line.includes('"config reload rejected')) count++;
  });
  return () => count;
}

describe('config reload under load (built server)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  });

  async function issuers(): Promise<{ stay: LocalIssuer; flip: LocalIssuer }> {
    const stay = await startLocalIssuer({ project: 'pps-stays' });
    const flip = await startLocalIssuer({ project: 'pps-comes-and-goes' });
    cleanups.push(
      () => stay.close(),
      () => flip.close(),
    );
    return { stay, flip };
  }

  function check(
    report: SwapUnderLoadReport,
    source: string,
    stay: LocalIssuer,
    jwksFetchesBefore: number,
  ): void {
    const effect = summarise(report.effectMs);
    const removal = summarise(report.removeEffectMs);
    process.stdout.write(
      `[config-reload ${source}] ${report.checks} checks during ${report.validSwaps} valid + ${report.invalidSwaps} invalid swaps; ` +
        `swap-to-effect ms median ${effect.median}, p90 ${effect.p90}, max ${effect.max} ` +
        `(removals only: median ${removal.median}, p90 ${removal.p90})\n`,
    );
    expect(report.wrong).toEqual([]);
    expect(report.unexpectedFlips).toEqual([]);
    expect(report.validSwaps).toBe(40);
    expect(report.invalidSwaps).toBe(10);
    expect(report.checks).toBeGreaterThan(report.validSwaps);
    // No refetch storm: the staying issuer's keys were fetched once, at start-up.
    expect(stay.fetches.jwks).toBe(jwksFetchesBefore);
  }

  /** The load run both sources share: steady checks while 50 configs are published. */
  async function swapAndCheck(
    gate: GateProcess,
    source: 'file' | 'api',
    stay: LocalIssuer,
    flip: LocalIssuer,
    publish: (text: string) => void,
  ): Promise<void> {
    cleanups.push(async () => void (await gate.stop()));
    const rejectedSoFar = countRejections(gate);
    const client = createEnvoyAuthClient(gate.grpcAddress);
    cleanups.push(() => client.close());
    await waitForAllow(client, stay);
    const fetchesBefore = stay.fetches.jwks;
    const report = await swapUnderLoad({
      client,
      stay,
      flip,
      rejectedSoFar,
      swaps: SWAPS,
      invalidEvery: 5,
      concurrency: 4,
      publish,
    });
    check(report, source, stay, fetchesBefore);
  }

  it('file source (kubelet ..data swaps): 50 swaps, zero errors or wrong decisions', async () => {
    const { stay, flip } = await issuers();
    const dir = mkdtempSync(join(tmpdir(), 'pps-gate-configmap-volume-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const writer = new KubeletAtomicWriter(dir);
    writer.write({ [KEY]: configText(stay, undefined, 0) });
    const gate = await startGateProcess({
      config: {},
      viaEnv: true,
      env: { PPS_GATE_CONFIG: join(dir, KEY), PPS_GATE_LOG_ALLOW_SAMPLE_RATE: '0' },
    });
    await swapAndCheck(gate, 'file', stay, flip, (text) => void writer.write({ [KEY]: text }));
  });

  it('API source (stand-in kube-apiserver watch): 50 swaps, zero errors or wrong decisions', async () => {
    const { stay, flip } = await issuers();
    const api: FakeKubeApiServer = await startFakeKubeApiServer('authz');
    cleanups.push(() => api.close());
    const dir = mkdtempSync(join(tmpdir(), 'pps-gate-kubeconfig-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'kubeconfig'), api.kubeConfigYaml());
    api.setConfigMap('pps-gate-issuers', { [KEY]: configText(stay, undefined, 0) });
    const gate = await startGateProcess({
      config: {},
      viaEnv: true,
      env: {
        PPS_GATE_CONFIG: '',
        PPS_GATE_CONFIGMAP: 'authz/pps-gate-issuers',
        KUBECONFIG: join(dir, 'kubeconfig'),
        PPS_GATE_LOG_ALLOW_SAMPLE_RATE: '0',
      },
    });
    await swapAndCheck(gate, 'api', stay, flip, (text) =>
      api.setConfigMap('pps-gate-issuers', { [KEY]: text }),
    );
    // The whole run used one watch: no reconnects, no re-lists.
    expect(api.requests.filter((r) => !r.watch)).toHaveLength(1);
  });
});

/** Bounded wait until the gate has its config and the staying issuer's keys (start-up). */
async function waitForAllow(client: EnvoyAuthClient, stay: LocalIssuer): Promise<void> {
  const token = await stay.sign();
  const deadline = Date.now() + 10_000;
  for (;;) {
    const outcome = await client.checkToken(token);
    if (outcome.kind === 'allow') return;
    if (Date.now() > deadline)
      throw new Error(`the gate never allowed the staying issuer: ${JSON.stringify(outcome)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
