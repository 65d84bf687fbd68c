// values.schema.json turns typos and wrong types into install-time errors.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { chartDir, runTool } from '../support/helm-cli.js';

// The defaults plus the one value every install must give (a trusted issuer).
function template(...setArgs: string[]) {
  return runTool('helm', [
    'template',
    'rel',
    chartDir,
    '--values',
    join(chartDir, 'ci', 'default-values.yaml'),
    ...setArgs,
  ]);
}

describe('values.schema.json', () => {
  it('accepts the defaults with one issuer', () => {
    expect(template().status).toBe(0);
  });

  it.each([
    [
      'a misspelt top-level key',
      ['--set', 'replicaCunt=2'],
      "additional properties 'replicaCunt' not allowed",
    ],
    [
      'a string where a count belongs',
      ['--set-string', 'replicaCount=two'],
      'got string, want integer',
    ],
    [
      'a misspelt nested key',
      ['--set', 'config.sorce=api'],
      "additional properties 'sorce' not allowed",
    ],
    ['an unknown config source', ['--set', 'config.source=etcd'], '/config/source'],
    ['an unknown shape', ['--set', 'shape=daemonset'], '/shape'],
    ['an out-of-range port', ['--set', 'ports.grpc=70000'], '/ports/grpc'],
    [
      'a misspelt issuer field',
      [
        '--set',
        'config.issuers[0].issuer=https://a',
        '--set',
        'config.issuers[0].audiences[0]=a',
        '--set',
        'config.issuers[0].audience=a',
      ],
      "'audience' not allowed",
    ],
    [
      'an issuer without audiences',
      ['--set-json', 'config.issuers=[{"issuer":"https://a"}]'],
      'audiences',
    ],
    ['a timeout Envoy cannot parse', ['--set', 'checkTimeout=6sec'], '/checkTimeout'],
    ['a probe type other than grpc or http', ['--set', 'probes.type=tcp'], '/probes/type'],
  ])('rejects %s', (_title, setArgs, message) => {
    const result = template(...setArgs);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});
