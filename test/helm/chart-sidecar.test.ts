// The sidecar shape: no Deployment, and named templates a parent chart includes into its own pod.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chartDir, findObject, parseManifests, renderChart, runTool } from '../support/helm-cli.js';
import { validateManifest } from '../support/validate-manifest.js';

const parentChart = `apiVersion: v2
name: webhook-receiver
version: 1.0.0
`;
const parentDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: { name: receiver }
spec:
  selector: { matchLabels: { app: receiver } }
  template:
    metadata: { labels: { app: receiver } }
    spec:
      containers:
        - { name: app, image: example.com/receiver:1 }
        {{- include "pps-gate.sidecar.container" (index .Subcharts "pps-gate") | trim | nindent 8 }}
      volumes:
        {{- include "pps-gate.sidecar.volumes" (index .Subcharts "pps-gate") | trim | nindent 8 }}
`;

describe('the sidecar shape', () => {
  const tempDirs: string[] = [];
  afterAll(() => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('renders the issuers and Envoy ConfigMaps but no Deployment, Service or PDB', () => {
    const kinds = renderChart('sidecar-values.yaml').map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds.sort()).toEqual([
      'ConfigMap/rel-pps-gate-envoy',
      'ConfigMap/rel-pps-gate-issuers',
    ]);
  });

  it('binds the api-source Role to the app ServiceAccount named in values', () => {
    const objects = renderChart('sidecar-values.yaml', ['--set', 'config.source=api']);
    expect(findObject(objects, 'RoleBinding')!.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'webhook-receiver', namespace: 'authz' },
    ]);
    expect(findObject(objects, 'ServiceAccount')).toBeUndefined();
  });

  it('lets a parent chart add pps-gate to its own pod through the named templates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pps-gate-parent-'));
    tempDirs.push(dir);
    cpSync(chartDir, join(dir, 'charts', 'pps-gate'), { recursive: true });
    writeFileSync(join(dir, 'Chart.yaml'), parentChart);
    writeFileSync(
      join(dir, 'values.yaml'),
      'pps-gate:\n  shape: sidecar\n  config:\n    issuers:\n      - { issuer: "https://securetoken.google.com/p", audiences: [p] }\n',
    );
    mkdirSync(join(dir, 'templates'));
    writeFileSync(join(dir, 'templates', 'deployment.yaml'), parentDeployment);

    const result = runTool('helm', ['template', 'rel', dir, '--namespace', 'payments']);
    expect(result.status, result.stderr).toBe(0);
    const deployment = findObject(parseManifests(result.stdout), 'Deployment', 'receiver')!;
    expect(await validateManifest(deployment)).toEqual([]);
    const pod = (
      deployment.spec as {
        template: {
          spec: {
            containers: { name: string; env?: unknown; ports?: unknown }[];
            volumes: { name: string }[];
          };
        };
      }
    ).template.spec;
    expect(pod.containers.map((c) => c.name)).toEqual(['app', 'pps-gate']);
    // Loopback only: nothing but the pod's Envoy reaches it, so no ports or kubelet probes.
    expect(pod.containers[1]!.env).toEqual([{ name: 'PPS_GATE_HOST', value: '127.0.0.1' }]);
    expect(pod.containers[1]!.ports).toBeUndefined();
    expect(pod.volumes.map((v) => v.name)).toEqual(['pps-gate-tmp', 'pps-gate-issuers']);
  });
});

describe('NOTES.txt', () => {
  function notes(...args: string[]): string {
    const result = runTool('helm', [
      'install',
      'rel',
      chartDir,
      '--namespace',
      'authz',
      '--dry-run=client',
      ...args,
    ]);
    if (result.status !== 0) throw new Error(result.stderr);
    return result.stdout.slice(result.stdout.indexOf('NOTES:'));
  }

  it('prints this release Envoy cluster address and the Istio provider with explicit timeout and 503', () => {
    const text = notes('--values', join(chartDir, 'ci', 'default-values.yaml'));
    expect(text).toContain('address: rel-pps-gate.authz.svc.cluster.local, port_value: 9191');
    expect(text).toMatch(
      /service: rel-pps-gate\.authz\.svc\.cluster\.local\n\s+port: 9191\n\s+timeout: 6s/,
    );
    expect(text).toContain('failOpen: false');
    expect(text).toContain('statusOnError: "503"');
  });

  it('prints the container snippet in the sidecar shape', () => {
    const text = notes('--values', join(chartDir, 'ci', 'sidecar-values.yaml'));
    expect(text).toContain('- name: pps-gate');
    expect(text).toContain('mount ConfigMap rel-pps-gate-envoy');
  });
});
