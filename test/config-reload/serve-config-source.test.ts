// `pps-gate serve` with each config source, as a process: what is fatal at start-up, how the API
// source waits for its first ConfigMap (not ready, checks 503), and what a bad or deleted config
// later looks like from outside (the last good one serving, /metrics counting it).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import { runGate, startGateProcess, type GateProcess } from '../support/start-gate-process.js';
import {
  AUTHORIZATION_SERVICE,
  createEnvoyAuthClient,
  createHealthClient,
} from '../support/envoy-client.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../support/fake-kube-apiserver.js';
import { KubeletAtomicWriter } from './kubelet-atomic-writer.js';
import { waitUntilAsync } from './recording-listener.js';
import { configText } from './swap-under-load.js';
import { EPHEMERAL_LOOPBACK_PORTS, EPHEMERAL_PORTS } from '../support/gate-child.js';

const KEY = 'issuers.yaml';
const CM = 'pps-gate-issuers';

describe('serve with a config source', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  });
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'pps-gate-serve-source-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  const issuer = async (): Promise<LocalIssuer> => {
    const started = await startLocalIssuer({ project: 'pps-serve-source' });
    cleanups.push(() => started.close());
    return started;
  };
  const apiServer = async (): Promise<{ api: FakeKubeApiServer; env: Record<string, string> }> => {
    const api = await startFakeKubeApiServer('authz');
    cleanups.push(() => api.close());
    const kubeconfig = join(tempDir(), 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeConfigYaml());
    return { api, env: { PPS_GATE_CONFIGMAP: `authz/${CM}`, KUBECONFIG: kubeconfig } };
  };
  const serving = async (env: Record<string, string>): Promise<GateProcess> => {
    const gate = await startGateProcess({
      config: {},
      viaEnv: true,
      env: { PPS_GATE_CONFIG: '', ...env },
    });
    cleanups.push(async () => void (await gate.stop()));
    return gate;
  };
  const reloadCount = async (
    gate: GateProcess,
    result: string,
    source: string,
  ): Promise<number> => {
    const text = await (await fetch(`${gate.adminUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) =>
        l.startsWith(`pps_gate_config_reloads_total{result="${result}",source="${source}"}`),
      );
    return line === undefined ? 0 : Number(line.split(' ').at(-1));
  };

  it('exits 1 at start-up on an invalid config file, naming the field', async () => {
    const path = join(tempDir(), KEY);
    writeFileSync(path, 'allowInsecureHttp: true\nissuers: []\n');
    const result = await runGate(['serve', '--config', path, ...EPHEMERAL_LOOPBACK_PORTS]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `invalid config in ${path}: issuers: list at least one trusted issuer`,
    );
  });

  it('exits 1 at start-up when the config file does not exist', async () => {
    const path = join(tempDir(), 'nowhere', KEY);
    const result = await runGate(['serve', '--config', path, ...EPHEMERAL_PORTS]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot read config file ${path}: ENOENT`);
  });

  it('exits 2 when given both --config and --configmap, or neither', async () => {
    const both = await runGate([
      'serve',
      '--config',
      '/etc/pps-gate/issuers.yaml',
      '--configmap',
      'authz/issuers',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
    const neither = await runGate(['serve']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain(
      '--config (PPS_GATE_CONFIG) or --configmap (PPS_GATE_CONFIGMAP) is required',
    );
  });

  it('API source: not ready and answering 503 config_unavailable until the ConfigMap exists, then serving it', async () => {
    const stay = await issuer();
    const { api, env } = await apiServer();
    const gate = await serving(env);
    const client = createEnvoyAuthClient(gate.grpcAddress);
    const health = createHealthClient(gate.grpcAddress);
    cleanups.push(() => (client.close(), health.close()));
    const readyz = await fetch(`${gate.adminUrl}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toMatchObject({ ready: false, waitingFor: ['config'] });
    expect(await health.check(AUTHORIZATION_SERVICE)).toBe('NOT_SERVING');
    // Up though not ready: a liveness probe on "" must not restart a pod waiting for its config.
    expect(await health.check('')).toBe('SERVING');
    expect(await client.checkToken(await stay.sign())).toEqual({
      kind: 'deny',
      reason: 'config_unavailable',
      httpStatus: 503,
    });

    api.setConfigMap(CM, { [KEY]: configText(stay, undefined, 1) });
    await waitUntilAsync(
      async () => (await fetch(`${gate.adminUrl}/readyz`)).status === 200,
      'readiness',
      10_000,
    );
    await waitUntilAsync(
      async () => (await client.checkToken(await stay.sign())).kind === 'allow',
      'the first allow',
      10_000,
    );
    expect(await health.check(AUTHORIZATION_SERVICE)).toBe('SERVING');
  });

  it('API source: exits 1 when the first ConfigMap it sees is invalid', async () => {
    const { api, env } = await apiServer();
    api.setConfigMap(CM, {
      [KEY]: 'issuers:\n  - issuer: http://insecure.example\n    audiences: [x]\n',
    });
    const result = await runGate(
      ['serve', '--host', '127.0.0.1', '--grpc-port', '0', '--http-port', '0', '--admin-port', '0'],
      { env },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `invalid config in authz/${CM}#${KEY}: issuers[0].issuer: "http://insecure.example" must use https`,
    );
  });

  it('API source: a deleted ConfigMap leaves the last good config serving and is counted', async () => {
    const stay = await issuer();
    const { api, env } = await apiServer();
    api.setConfigMap(CM, { [KEY]: configText(stay, undefined, 1) });
    const gate = await serving(env);
    const client = createEnvoyAuthClient(gate.grpcAddress);
    cleanups.push(() => client.close());
    await waitUntilAsync(
      async () => (await client.checkToken(await stay.sign())).kind === 'allow',
      'the first allow',
      10_000,
    );
    api.setConfigMap(CM, undefined);
    await waitUntilAsync(
      async () => (await reloadCount(gate, 'deleted', 'api')) === 1,
      'the deletion to be counted',
    );
    expect(await client.checkToken(await stay.sign())).toMatchObject({
      kind: 'allow',
      issuer: stay.issuer,
    });
    expect((await fetch(`${gate.adminUrl}/readyz`)).status).toBe(200);
  });

  it('file source: an invalid edit is counted in /metrics while the active config hash stays', async () => {
    const stay = await issuer();
    const dir = tempDir();
    const writer = new KubeletAtomicWriter(dir);
    writer.write({ [KEY]: configText(stay, undefined, 1) });
    const gate = await serving({ PPS_GATE_CONFIG: join(dir, KEY) });
    const hashBefore = ((await (await fetch(`${gate.adminUrl}/config`)).json()) as { hash: string })
      .hash;
    writer.write({ [KEY]: `${configText(stay, undefined, 2)}clockSkew: 5\n` });
    await waitUntilAsync(
      async () => (await reloadCount(gate, 'invalid', 'file')) === 1,
      'the invalid edit to be counted',
    );
    const metrics = await (await fetch(`${gate.adminUrl}/metrics`)).text();
    expect(metrics).toContain(`pps_gate_config_info{hash="${hashBefore}"} 1`);
    expect(gate.stdoutLines().filter((l) => l.includes('config reload rejected'))).toHaveLength(1);
    expect(gate.stdoutLines().find((l) => l.includes('config reload rejected'))).toContain(
      'unknown key \\"clockSkew\\"',
    );
  });
});
