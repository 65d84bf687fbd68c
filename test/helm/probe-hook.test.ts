// The chart's `helm test` hook runs `node dist/main.js probe` in the pps-gate image: the probe
// subcommand against a real running gate (ready, waiting for its ConfigMap, unreachable, silent),
// and the hook pod as the chart renders it.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../support/fake-kube-apiserver.js';
import { freePort, runGate } from '../support/gate-child.js';
import { findObject, renderChart } from '../support/helm-cli.js';
import { startGateProcess, type GateProcess } from '../support/start-gate-process.js';

const AUTHORIZATION = 'envoy.service.auth.v3.Authorization';

const probe = (...args: string[]) => runGate(['probe', ...args], { timeoutMs: 15_000 });

describe('pps-gate probe against a ready gate', () => {
  let issuer: LocalIssuer;
  let gate: GateProcess;

  beforeAll(async () => {
    issuer = await startLocalIssuer({ project: 'probe-ready' });
    gate = await startGateProcess({
      config: {
        issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }],
        allowInsecureHttp: true,
      },
    });
  });

  afterAll(async () => {
    await gate?.stop();
    await issuer?.close();
  });

  it('exits 0 and prints SERVING for the server and the Authorization service, as the hook asks', async () => {
    const result = await probe(gate.grpcAddress, '', AUTHORIZATION);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`"" at ${gate.grpcAddress}: SERVING`);
    expect(result.stdout).toContain(`"${AUTHORIZATION}" at ${gate.grpcAddress}: SERVING`);
    expect(result.code).toBe(0);
  });

  it('checks the whole server ("") when no service is named', async () => {
    const result = await probe(gate.grpcAddress);
    expect(result.stdout).toBe(`"" at ${gate.grpcAddress}: SERVING\n`);
    expect(result.code).toBe(0);
  });

  it('exits 1 naming a service the server does not know', async () => {
    const result = await probe(gate.grpcAddress, 'no.such.Service');
    expect(result.stderr).toContain('"no.such.Service"');
    expect(result.stderr).toContain('unknown to the server (NOT_FOUND)');
    expect(result.code).toBe(1);
  });
});

describe('pps-gate probe against a gate waiting for its ConfigMap (stand-in kube-apiserver watch)', () => {
  let api: FakeKubeApiServer;
  let gate: GateProcess;
  let dir: string;

  beforeAll(async () => {
    api = await startFakeKubeApiServer('authz');
    dir = mkdtempSync(join(tmpdir(), 'pps-gate-probe-'));
    writeFileSync(join(dir, 'kubeconfig'), api.kubeConfigYaml());
    gate = await startGateProcess({
      config: {},
      viaEnv: true,
      env: {
        PPS_GATE_CONFIG: '',
        PPS_GATE_CONFIGMAP: 'authz/pps-gate-issuers',
        KUBECONFIG: join(dir, 'kubeconfig'),
      },
    });
  });

  afterAll(async () => {
    await gate?.stop();
    await api?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 1 with NOT_SERVING for the Authorization service while "" stays SERVING', async () => {
    const result = await probe(gate.grpcAddress, '', AUTHORIZATION);
    expect(result.stdout).toContain(`"" at ${gate.grpcAddress}: SERVING`);
    expect(result.stderr).toContain(`"${AUTHORIZATION}" at ${gate.grpcAddress}: NOT_SERVING`);
    expect(result.code).toBe(1);
  });
});

describe('pps-gate probe when nothing answers', () => {
  let silent: Server | undefined;
  const sockets = new Set<Socket>();

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
  });

  it('exits 1 calling the address unreachable when nothing listens', async () => {
    const port = await freePort();
    const result = await probe(`127.0.0.1:${port}`);
    expect(result.stderr).toContain(`"" at 127.0.0.1:${port}: unreachable`);
    expect(result.code).toBe(1);
  });

  it('exits 1 after --timeout-ms when the port accepts but never answers', async () => {
    // A TCP listener that never speaks HTTP/2: the call can only end at its deadline.
    silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const result = await probe('--timeout-ms', '300', `127.0.0.1:${port}`);
    expect(result.stderr).toContain(`"" at 127.0.0.1:${port}: no answer within 300 ms`);
    expect(result.code).toBe(1);
  });

  it.each([
    [['--timeout-ms', '0', '127.0.0.1:9191'], '--timeout-ms must be a positive whole number'],
    [['--port', '9191'], "Unknown option '--port'"],
    [[], 'missing HOST:PORT'],
    [['localhost'], 'HOST:PORT expected, got "localhost"'],
  ])('exits 2 with a usage message for bad arguments %j', async (args, message) => {
    const result = await probe(...args);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: pps-gate probe');
    expect(result.code).toBe(2);
  });
});

describe('the rendered helm test hook', () => {
  it('runs the image\'s own `node dist/main.js probe` on the Service for "" and the Authorization service', () => {
    const pod = findObject(
      renderChart('default-values.yaml'),
      'Pod',
      'rel-pps-gate-test-grpc-health',
    ) as unknown as {
      metadata: { annotations: Record<string, string> };
      spec: { containers: { image: string; workingDir: string; command: string[] }[] };
    };
    expect(pod, 'hook pod').toBeDefined();
    expect(pod.metadata.annotations['helm.sh/hook']).toBe('test');
    const [container] = pod.spec.containers;
    expect(container!.workingDir).toBe('/app');
    expect(container!.command).toEqual([
      '/nodejs/bin/node',
      'dist/main.js',
      'probe',
      'rel-pps-gate.authz.svc:9191',
      '',
      AUTHORIZATION,
    ]);
  });
});
