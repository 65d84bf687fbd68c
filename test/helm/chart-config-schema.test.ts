// The chart's `config` values and pps-gate's config file are one schema: values.schema.json's
// config part is generated from src/config (npm run gen:chart-schema), the chart passes the
// config through whole, and every issuers file it renders is one pps-gate's own parser accepts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chartValuesSchemaText } from '../../src/config/chart-values-schema.js';
import { parseConfig } from '../../src/config/parse-config.js';
import {
  chartDir,
  ciValuesFiles,
  findObject,
  installTools,
  renderChart,
  runTool,
  type K8sObject,
} from '../support/helm-cli.js';

const ISSUER = ['--set', 'config.issuers[0].issuer=https://securetoken.google.com/my-project'];
const AUDIENCE = ['--set', 'config.issuers[0].audiences[0]=my-project'];

/** The issuers file the chart renders into its ConfigMap (undefined: none rendered). */
function renderedConfigFile(objects: K8sObject[]): string | undefined {
  const configMap = objects.find(
    (o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-issuers'),
  ) as (K8sObject & { data: Record<string, string> }) | undefined;
  if (configMap === undefined) return undefined;
  const [text, ...others] = Object.values(configMap.data);
  expect(others).toEqual([]);
  return text;
}

function parsedConfigOf(args: string[], valuesFile?: string) {
  const text = renderedConfigFile(renderChart(valuesFile, args));
  expect(text).toBeDefined();
  return parseConfig(text!, `rendered by helm template ${args.join(' ')}`);
}

beforeAll(() => {
  installTools();
});

describe('values.schema.json', () => {
  it('has the config part `npm run gen:chart-schema` generates from src/config (run it when this fails)', () => {
    const file = readFileSync(join(chartDir, 'values.schema.json'), 'utf8');
    expect(file).toBe(chartValuesSchemaText(file));
  });

  it('would notice a drift: a hand-edited config bound is regenerated away', () => {
    const file = readFileSync(join(chartDir, 'values.schema.json'), 'utf8');
    const tampered = file.replace(
      /("minRefreshIntervalSeconds": \{[^}]*"minimum": )1/,
      (_match, head: string) => `${head}0`,
    );
    expect(tampered).not.toBe(file);
    expect(chartValuesSchemaText(tampered)).toBe(file);
  });

  it.each([
    ['a zero key-refetch interval', ['--set', 'config.jwks.minRefreshIntervalSeconds=0']],
    ['a 1 ms fetch timeout', ['--set', 'config.jwks.fetchTimeoutMs=1']],
    ['an unknown config key', ['--set', 'config.jwks.refreshEverySeconds=5']],
    ['a token size cap over 64 KiB', ['--set', 'config.maxTokenBytes=100000']],
  ])('refuses to render %s, which pps-gate would refuse at start', (_title, args) => {
    const result = runTool('helm', ['template', 'rel', chartDir, ...ISSUER, ...AUDIENCE, ...args]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/\/config\//);
  });
});

describe('the rendered issuers file', () => {
  it.each(ciValuesFiles)('from ci/%s is accepted by pps-gate’s own config parser', (valuesFile) => {
    const text = renderedConfigFile(renderChart(valuesFile));
    if (valuesFile === 'existing-configmap-values.yaml') {
      expect(text).toBeUndefined();
      return;
    }
    expect(() => parseConfig(text!, `helm/pps-gate/ci/${valuesFile}`)).not.toThrow();
  });

  it('carries settings the old chart dropped or refused (maxStalenessSeconds, maxTokenBytes, audiences "*")', () => {
    const config = parsedConfigOf([
      ...ISSUER,
      '--set',
      'config.issuers[0].audiences=*',
      '--set',
      'config.jwks.maxStalenessSeconds=3600',
      '--set',
      'config.maxTokenBytes=4096',
    ]);
    expect(config.jwks.maxStalenessMs).toBe(3_600_000);
    expect(config.maxTokenBytes).toBe(4096);
    expect(config.issuers.get('https://securetoken.google.com/my-project')!.audiences).toBe('any');
  });

  it('passes the guide’s trusted_issuers map through instead of the issuer list', () => {
    const config = parsedConfigOf([
      '--set-json',
      'config.trusted_issuers={"https://issuer2.example.com":null,"https://securetoken.google.com/p":["p"]}',
    ]);
    expect([...config.issuers.keys()].sort()).toEqual([
      'https://issuer2.example.com',
      'https://securetoken.google.com/p',
    ]);
  });
});

describe('issuers behind a private CA', () => {
  it('mounts extraVolumes through extraVolumeMounts and sets NODE_EXTRA_CA_CERTS from extraEnv', () => {
    const objects = renderChart(undefined, [
      ...ISSUER,
      ...AUDIENCE,
      '--set-json',
      'extraVolumes=[{"name":"issuer-ca","configMap":{"name":"issuer-ca"}}]',
      '--set-json',
      'extraVolumeMounts=[{"name":"issuer-ca","mountPath":"/etc/pps-gate-ca","readOnly":true}]',
      '--set-json',
      'extraEnv=[{"name":"NODE_EXTRA_CA_CERTS","value":"/etc/pps-gate-ca/ca.crt"}]',
    ]);
    const pod = (
      findObject(objects, 'Deployment') as K8sObject & {
        spec: { template: { spec: { volumes: unknown[]; containers: Record<string, unknown>[] } } };
      }
    ).spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'issuer-ca', configMap: { name: 'issuer-ca' } });
    const container = pod.containers.find((c) => c.name === 'pps-gate')!;
    expect(container.volumeMounts).toContainEqual({
      name: 'issuer-ca',
      mountPath: '/etc/pps-gate-ca',
      readOnly: true,
    });
    expect(container.env).toContainEqual({
      name: 'NODE_EXTRA_CA_CERTS',
      value: '/etc/pps-gate-ca/ca.crt',
    });
  });
});
