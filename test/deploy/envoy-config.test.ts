// Every Envoy config we ship parses against Envoy's own v3 protos, Any types included.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { findObject, renderChart, repoRoot } from '../support/helm-cli.js';
import { checkEnvoyBootstrap } from './envoy-proto-check.js';

const envoyYaml = readFileSync(join(repoRoot, 'deploy', 'envoy', 'envoy.yaml'), 'utf8');

function chartEnvoyConfig(...setArgs: string[]): unknown {
  const configMap = findObject(
    renderChart('sidecar-values.yaml', setArgs),
    'ConfigMap',
    'rel-pps-gate-envoy',
  )!;
  return parse((configMap.data as Record<string, string>)['envoy.yaml']!);
}

describe('deploy/envoy/envoy.yaml', () => {
  const config = parse(envoyYaml) as unknown;

  it('is a valid envoy.config.bootstrap.v3.Bootstrap', () => {
    expect(checkEnvoyBootstrap(config)).toEqual([]);
  }, 60_000);

  it('fails closed with a retryable 503, a timeout that covers a cold key fetch, and no body buffering', () => {
    const text = JSON.stringify(config);
    expect(text).toContain('"failure_mode_allow":false');
    expect(text).toContain('"status_on_error":{"code":"ServiceUnavailable"}');
    expect(text).toContain('"envoy_grpc":{"cluster_name":"pps_gate"},"timeout":"6s"');
    expect(text).not.toContain('with_request_body');
    expect(text).toContain('"http2_protocol_options":{}');
  });

  it('rejects header names with underscores, so x_pps_auth_subject never reaches a backend that folds _ into -', () => {
    expect(JSON.stringify(config)).toContain(
      '"common_http_protocol_options":{"headers_with_underscores_action":"REJECT_REQUEST"}',
    );
  });

  it('reports a misspelt headers_with_underscores_action value', () => {
    const typo = parse(envoyYaml.replace('action: REJECT_REQUEST', 'action: REJECT'));
    expect(checkEnvoyBootstrap(typo).join('\n')).toContain('"REJECT" is not a');
  }, 60_000);

  it('reports a misspelt field inside a typed_config Any', () => {
    const typo = parse(envoyYaml.replace('failure_mode_allow: false', 'failure_mode_alow: false'));
    expect(checkEnvoyBootstrap(typo)).toEqual([
      expect.stringMatching(
        /failure_mode_alow: unknown field in envoy\.extensions\.filters\.http\.ext_authz\.v3\.ExtAuthz$/,
      ),
    ]);
  }, 60_000);

  it('reports an unresolvable @type, a bad enum and a malformed Duration', () => {
    const broken = envoyYaml
      .replace('router.v3.Router', 'router.v3.Routr')
      .replace('code: ServiceUnavailable', 'code: Unavailable')
      .replace('connect_timeout: 1s', 'connect_timeout: 1sec');
    const errors = checkEnvoyBootstrap(parse(broken)).join('\n');
    expect(errors).toContain(
      'cannot resolve @type type.googleapis.com/envoy.extensions.filters.http.router.v3.Routr',
    );
    expect(errors).toContain('"Unavailable" is not a envoy.type.v3.StatusCode value');
    expect(errors).toContain('bad Duration "1sec"');
  }, 60_000);
});

describe('the chart sidecar Envoy bootstrap', () => {
  it('renders exactly deploy/envoy/envoy.yaml with the default ports and timeout', () => {
    expect(chartEnvoyConfig()).toEqual(parse(envoyYaml));
  });

  it('stays a valid Bootstrap with custom ports and timeout', () => {
    const config = chartEnvoyConfig('--set', 'sidecar.appPort=8000', '--set', 'checkTimeout=2.5s');
    expect(JSON.stringify(config)).toContain('"port_value":8000');
    expect(checkEnvoyBootstrap(config)).toEqual([]);
    expect(JSON.stringify(config)).toContain('"headers_with_underscores_action":"REJECT_REQUEST"');
  }, 60_000);
});
