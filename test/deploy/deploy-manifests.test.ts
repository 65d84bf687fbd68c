// deploy/kubernetes (kustomize base) and deploy/istio: valid offline, and as hardened as the chart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { findObject, installTools, parseManifests, repoRoot, runTool } from '../support/helm-cli.js';
import { validateManifest } from '../support/validate-manifest.js';

beforeAll(() => {
  installTools();
});

interface DeployedPod {
  automountServiceAccountToken?: boolean;
  containers: {
    args: string[];
    securityContext: object;
    readinessProbe: { grpc: object };
    volumeMounts: object[];
  }[];
  volumes: { name: string; configMap?: { name: string } }[];
}

function kustomizeBuild() {
  const result = runTool('kubectl', ['kustomize', join(repoRoot, 'deploy', 'kubernetes')]);
  if (result.status !== 0) throw new Error(result.stderr);
  return parseManifests(result.stdout);
}

describe('deploy/kubernetes', () => {
  it('builds with kustomize into valid objects with no unknown fields', async () => {
    const objects = kustomizeBuild();
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'Namespace',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
    ]);
    const errors: string[] = [];
    for (const obj of objects) errors.push(...(await validateManifest(obj)));
    expect(errors).toEqual([]);
  });

  it('runs hardened, mounts issuers as a directory and mounts no token', () => {
    const objects = kustomizeBuild();
    const deployment = findObject(objects, 'Deployment')!;
    expect(deployment.metadata.namespace).toBe('pps-gate');
    const pod = (deployment.spec as { template: { spec: DeployedPod } }).template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    const container = pod.containers[0]!;
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.readinessProbe.grpc).toEqual({
      port: 9191,
      service: 'envoy.service.auth.v3.Authorization',
    });
    expect(JSON.stringify(container.volumeMounts)).not.toContain('subPath');
    expect(pod.volumes.find((v) => v.configMap)?.configMap?.name).toBe('pps-gate-issuers');
    expect(container.args).toContain('--config=/etc/pps-gate/issuers.yaml');
  });

  it('ships an example issuers file with the config keys pps-gate reads', () => {
    const configMap = findObject(kustomizeBuild(), 'ConfigMap', 'pps-gate-issuers')!;
    const file = parse((configMap.data as Record<string, string>)['issuers.yaml']!);
    expect(Object.keys(file).sort()).toEqual([
      'allowInsecureHttp',
      'clockSkewSeconds',
      'issuers',
      'jwks',
    ]);
    expect(file.issuers[0]).toEqual({
      issuer: 'https://securetoken.google.com/my-project',
      audiences: ['my-project'],
    });
  });
});

describe('deploy/istio', () => {
  it('has a valid CUSTOM AuthorizationPolicy naming the provider the mesh config registers', async () => {
    const [policy] = parseManifests(
      readFileSync(join(repoRoot, 'deploy', 'istio', 'authorization-policy.yaml'), 'utf8'),
    );
    expect(await validateManifest(policy!)).toEqual([]);
    expect(Object.keys(policy!.spec as object).sort()).toEqual([
      'action',
      'provider',
      'rules',
      'selector',
    ]);
    expect(policy!.spec).toMatchObject({ action: 'CUSTOM', provider: { name: 'pps-gate' } });
  });

  it('registers the provider with an explicit timeout, fail-closed and a retryable 503', () => {
    const mesh = parse(readFileSync(join(repoRoot, 'deploy', 'istio', 'mesh-config.yaml'), 'utf8'));
    expect(mesh.meshConfig.extensionProviders).toEqual([
      {
        name: 'pps-gate',
        envoyExtAuthzGrpc: {
          service: 'pps-gate.pps-gate.svc.cluster.local',
          port: 9191,
          timeout: '6s',
          failOpen: false,
          statusOnError: '503',
        },
      },
    ]);
  });
});
