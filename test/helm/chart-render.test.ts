// The chart lints strictly and renders valid, typo-free Kubernetes objects for every shape.
import { beforeAll, describe, expect, it } from 'vitest';
import { chartDir, ciValuesFiles, installTools, renderChart, runTool } from '../support/helm-cli.js';
import { kindsWithoutSchema, unknownFields, validateManifest } from '../support/validate-manifest.js';

beforeAll(() => {
  installTools();
});

describe('helm/pps-gate', () => {
  it('has a ci values file for every documented shape', () => {
    expect(ciValuesFiles).toEqual([
      'api-source-values.yaml',
      'default-values.yaml',
      'everything-on-values.yaml',
      'existing-configmap-values.yaml',
      'istio-values.yaml',
      'sidecar-values.yaml',
    ]);
  });

  it('refuses to render without a trusted issuer, naming config.issuers', () => {
    const result = runTool('helm', ['template', 'rel', chartDir]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('config.issuers is empty');
  });

  describe.each(ciValuesFiles)('with ci/%s', (valuesFile) => {
    it('passes helm lint --strict', () => {
      const result = runTool('helm', [
        'lint',
        '--strict',
        chartDir,
        '--values',
        `${chartDir}/ci/${valuesFile}`,
      ]);
      expect(result.status, result.stdout + result.stderr).toBe(0);
    });

    it('renders only objects that match the Kubernetes and Istio schemas, with no unknown fields', async () => {
      const objects = renderChart(valuesFile);
      expect(objects.length).toBeGreaterThan(0);
      const errors: string[] = [];
      for (const obj of objects) {
        if (kindsWithoutSchema.has(`${obj.apiVersion}/${obj.kind}`)) continue;
        errors.push(...(await validateManifest(obj)));
      }
      expect(errors).toEqual([]);
    });

    it('labels every object with the standard app.kubernetes.io labels', () => {
      for (const obj of renderChart(valuesFile)) {
        const labels = obj.metadata.labels ?? {};
        expect(Object.keys(labels), `${obj.kind} ${obj.metadata.name}`).toEqual(
          expect.arrayContaining([
            'helm.sh/chart',
            'app.kubernetes.io/name',
            'app.kubernetes.io/instance',
            'app.kubernetes.io/managed-by',
          ]),
        );
      }
    });
  });
});

describe('offline manifest validation', () => {
  it('rejects a Deployment with a wrong type', async () => {
    const [deployment] = renderChart('default-values.yaml', [
      '--show-only',
      'templates/deployment.yaml',
    ]);
    const broken = { ...deployment!, spec: { ...(deployment!.spec as object), replicas: 'two' } };
    expect(await validateManifest(broken)).not.toEqual([]);
  });

  it('reports a typo in a deeply nested field as unknown', () => {
    const [deployment] = renderChart('default-values.yaml', [
      '--show-only',
      'templates/deployment.yaml',
    ]);
    const text = JSON.stringify(deployment).replace(
      '"readOnlyRootFilesystem"',
      '"readOnlyRootFileSystem"',
    );
    expect(unknownFields(JSON.parse(text))).toEqual([
      '/spec/template/spec/containers/0/securityContext/readOnlyRootFileSystem',
    ]);
  });
});
