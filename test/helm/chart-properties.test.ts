// The properties that make the chart safe: hot-reloadable issuers, least privilege, probes, hardening.
import { beforeAll, describe, expect, it } from 'vitest';
import { findObject, installTools, namespace, renderChart } from '../support/helm-cli.js';
import type { K8sObject } from '../support/helm-cli.js';

beforeAll(() => {
  installTools();
});

interface Container {
  name: string;
  args?: string[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string; subPathExpr?: string }[];
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: Record<string, unknown>;
  livenessProbe?: Record<string, unknown>;
  readinessProbe?: Record<string, unknown>;
}
interface PodSpec {
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string }; emptyDir?: Record<string, unknown> }[];
  topologySpreadConstraints?: { labelSelector?: unknown }[];
}

function podSpec(objects: K8sObject[]): PodSpec {
  const deployment = findObject(objects, 'Deployment');
  if (!deployment) throw new Error('no Deployment rendered');
  return (deployment.spec as { template: { spec: PodSpec } }).template.spec;
}

const hardenedContainer = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

describe('the default (service, file source) render', () => {
  const objects = renderChart('default-values.yaml');
  const pod = podSpec(objects);
  const container = pod.containers[0]!;

  it('mounts the issuers ConfigMap as a directory, never through subPath', () => {
    const configMapVolumes = pod.volumes!.filter((v) => v.configMap).map((v) => v.name);
    expect(configMapVolumes).toEqual(['pps-gate-issuers']);
    const mount = container.volumeMounts!.find((m) => m.name === 'pps-gate-issuers')!;
    expect(mount).toEqual({ name: 'pps-gate-issuers', mountPath: '/etc/pps-gate', readOnly: true });
    for (const m of container.volumeMounts!) expect(m.subPath ?? m.subPathExpr).toBeUndefined();
    expect(container.args).toContain('--config=/etc/pps-gate/issuers.yaml');
  });

  it('mounts no service account token and grants no RBAC', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(findObject(objects, 'ServiceAccount')!.automountServiceAccountToken).toBe(false);
    expect(findObject(objects, 'Role')).toBeUndefined();
    expect(findObject(objects, 'RoleBinding')).toBeUndefined();
  });

  it('runs non-root with a read-only root filesystem, no escalation, no capabilities, RuntimeDefault seccomp', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toMatchObject(hardenedContainer);
    expect(pod.volumes!.find((v) => v.name === 'pps-gate-tmp')!.emptyDir).toBeDefined();
    expect(container.volumeMounts).toContainEqual({ name: 'pps-gate-tmp', mountPath: '/tmp' });
  });

  it('sets resource requests and a memory limit', () => {
    expect(container.resources?.requests).toMatchObject({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(container.resources?.limits?.memory).toEqual(expect.any(String));
  });

  it('probes liveness and readiness natively over grpc.health.v1', () => {
    expect(container.startupProbe).toMatchObject({ grpc: { port: 9191 } });
    expect(container.livenessProbe).toMatchObject({ grpc: { port: 9191 } });
    expect(container.readinessProbe).toMatchObject({
      grpc: { port: 9191, service: 'envoy.service.auth.v3.Authorization' },
    });
  });

  it('restarts no pod on an issuer edit: no checksum annotation', () => {
    const template = (
      findObject(objects, 'Deployment')!.spec as {
        template: { metadata: { annotations?: object } };
      }
    ).template;
    expect(JSON.stringify(template.metadata.annotations ?? {})).not.toContain('checksum');
  });

  it('publishes the gRPC port with appProtocol grpc', () => {
    const ports = (
      findObject(objects, 'Service')!.spec as { ports: { name: string; appProtocol: string }[] }
    ).ports;
    expect(ports.find((p) => p.name === 'grpc')).toMatchObject({ port: 9191, appProtocol: 'grpc' });
  });

  it('keeps a PodDisruptionBudget and spreads replicas with the release selector', () => {
    expect(findObject(objects, 'PodDisruptionBudget')!.spec).toMatchObject({ maxUnavailable: 1 });
    expect(pod.topologySpreadConstraints!.length).toBeGreaterThan(0);
    for (const c of pod.topologySpreadConstraints!) {
      expect(c.labelSelector).toEqual({
        matchLabels: { 'app.kubernetes.io/name': 'pps-gate', 'app.kubernetes.io/instance': 'rel' },
      });
    }
  });

  it('gives the helm test pod labels the Service does not select', () => {
    const testPod = objects.find((o) => o.metadata.annotations?.['helm.sh/hook'] === 'test')!;
    expect(testPod.kind).toBe('Pod');
    expect(testPod.metadata.labels!['app.kubernetes.io/name']).not.toBe('pps-gate');
    const args = (testPod.spec as PodSpec).containers[0]!;
    expect(JSON.stringify(args)).toContain('rel-pps-gate.authz.svc:9191');
  });
});

describe('the api-source render', () => {
  const objects = renderChart('api-source-values.yaml');
  const pod = podSpec(objects);

  it('creates a Role limited to get/list/watch on the one issuers ConfigMap by resourceNames', () => {
    expect(findObject(objects, 'Role')!.rules).toEqual([
      {
        apiGroups: [''],
        resources: ['configmaps'],
        resourceNames: ['rel-pps-gate-issuers'],
        verbs: ['get', 'list', 'watch'],
      },
    ]);
    const binding = findObject(objects, 'RoleBinding')!;
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: pod.serviceAccountName, namespace },
    ]);
  });

  it('mounts the token, watches the ConfigMap and mounts no issuers volume', () => {
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.containers[0]!.args).toEqual(
      expect.arrayContaining([
        `--configmap=${namespace}/rel-pps-gate-issuers`,
        '--configmap-key=issuers.yaml',
      ]),
    );
    expect(pod.volumes!.some((v) => v.configMap)).toBe(false);
  });
});

describe('the existing-configmap render', () => {
  const objects = renderChart('existing-configmap-values.yaml');

  it('renders no issuers ConfigMap and mounts the named one with its key', () => {
    expect(findObject(objects, 'ConfigMap')).toBeUndefined();
    const pod = podSpec(objects);
    expect(pod.volumes!.find((v) => v.configMap)!.configMap!.name).toBe('webhook-issuers');
    expect(pod.containers[0]!.args).toContain('--config=/etc/pps-gate/trusted.yaml');
  });
});

describe('the everything-on render', () => {
  const objects = renderChart('everything-on-values.yaml');

  it('renders HPA, ServiceMonitor, NetworkPolicy and AuthorizationPolicy and lets the HPA own replicas', () => {
    const kinds = objects.map((o) => o.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'HorizontalPodAutoscaler',
        'ServiceMonitor',
        'NetworkPolicy',
        'AuthorizationPolicy',
      ]),
    );
    expect(findObject(objects, 'Deployment')!.spec).not.toHaveProperty('replicas');
  });

  it('switches to the HTTP /healthz and /readyz probes', () => {
    const container = podSpec(objects).containers[0]!;
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'admin' } });
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/readyz', port: 'admin' } });
  });

  it('renders a ServiceMonitor that scrapes /metrics on the admin port', () => {
    const monitor = findObject(objects, 'ServiceMonitor')!;
    expect(monitor.metadata.labels).toMatchObject({ release: 'prometheus' });
    expect(Object.keys(monitor.spec as object).sort()).toEqual([
      'endpoints',
      'namespaceSelector',
      'selector',
    ]);
    expect(monitor.spec).toMatchObject({
      endpoints: [{ port: 'admin', path: '/metrics', interval: '30s', scrapeTimeout: '10s' }],
      namespaceSelector: { matchNames: [namespace] },
    });
  });

  it('opens egress to the API server only because the source is api', () => {
    const egress = JSON.stringify(
      (findObject(objects, 'NetworkPolicy')!.spec as { egress: unknown }).egress,
    );
    expect(egress).toContain('6443');
    const fileMode = renderChart('default-values.yaml', ['--set', 'networkPolicy.enabled=true']);
    expect(JSON.stringify(findObject(fileMode, 'NetworkPolicy')!.spec)).not.toContain('6443');
  });
});

describe('the istio render', () => {
  it('renders a CUSTOM AuthorizationPolicy for the provider in the app namespace', () => {
    const policy = findObject(renderChart('istio-values.yaml'), 'AuthorizationPolicy')!;
    expect(policy.metadata.namespace).toBe('payments');
    expect(policy.spec).toEqual({
      selector: { matchLabels: { app: 'webhook-receiver' } },
      action: 'CUSTOM',
      provider: { name: 'pps-gate-authz' },
      rules: [{ to: [{ operation: { paths: ['/webhooks/*', '/hooks/pps'] } }] }],
    });
  });
});
