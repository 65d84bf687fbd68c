// The chart's dedup values: rendered into a config pps-gate itself accepts, the Redis password
// only from an existing Secret, and the combinations pps-gate would get wrong refused.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parse-config.js';
import { chartDir, findObject, renderChart, runTool } from '../support/helm-cli.js';

function renderedConfig(valuesFile: string, setArgs: string[] = []) {
  const configMap = findObject(
    renderChart(valuesFile, setArgs),
    'ConfigMap',
    'rel-pps-gate-issuers',
  )!;
  return parseConfig((configMap.data as Record<string, string>)['issuers.yaml']!, 'chart');
}

function container(valuesFile: string) {
  const deployment = findObject(renderChart(valuesFile), 'Deployment')!;
  const spec = deployment.spec as {
    template: { spec: { containers: { name: string; env?: unknown[] }[] } };
  };
  return spec.template.spec.containers.find((c) => c.name === 'pps-gate')!;
}

describe('helm/pps-gate dedup values', () => {
  it('renders annotate mode on the memory store by default, and no Redis password variable', () => {
    expect(renderedConfig('default-values.yaml').dedup).toMatchObject({
      mode: 'annotate',
      store: 'memory',
      windowMs: 604_800_000,
      leaseMs: 60_000,
    });
    expect(JSON.stringify(container('default-values.yaml').env ?? [])).not.toContain(
      'PPS_GATE_REDIS_PASSWORD',
    );
  });

  it('renders enforce mode on a TLS Redis that pps-gate accepts, with the password from the existing Secret', () => {
    expect(renderedConfig('dedup-redis-values.yaml').dedup).toMatchObject({
      mode: 'enforce',
      store: 'redis',
      leaseMs: 45_000,
      redis: {
        url: 'rediss://redis.pps-gate.svc.cluster.local:6380/2',
        keyPrefix: 'payments:delivery:',
        tls: {},
      },
    });
    expect(container('dedup-redis-values.yaml').env).toContainEqual({
      name: 'PPS_GATE_REDIS_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'pps-gate-redis', key: 'redis-password' } },
    });
  });

  it('opens NetworkPolicy egress to the Redis port from the URL', () => {
    const policy = findObject(
      renderChart('dedup-redis-values.yaml', ['--set', 'networkPolicy.enabled=true']),
      'NetworkPolicy',
    )!;
    expect((policy.spec as { egress: unknown[] }).egress).toContainEqual({
      ports: [{ port: 6380, protocol: 'TCP' }],
    });
  });

  it.each([
    [['--set', 'dedup.mode=enforce'], 'needs exactly one replica'],
    [['--set', 'dedup.store=redis'], 'dedup.redis.url is empty'],
    [['--set', 'dedup.redis.url=redis://user:pw@redis:6379'], 'carries a password'],
  ])('refuses %j', (setArgs, message) => {
    const result = runTool('helm', [
      'template',
      'rel',
      chartDir,
      '--values',
      `${chartDir}/ci/default-values.yaml`,
      ...setArgs,
    ]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
  });

  it('accepts enforce on the memory store with one replica', () => {
    expect(
      renderedConfig('default-values.yaml', [
        '--set',
        'dedup.mode=enforce',
        '--set',
        'replicaCount=1',
      ]).dedup.mode,
    ).toBe('enforce');
  });
});
