// The dedup wiring we ship (README "Duplicate deliveries"): Envoy's access log to pps-gate, the
// topic routes, and the Istio equivalents, checked against Envoy's own protos and Istio's schemas.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseManifests, repoRoot } from '../support/helm-cli.js';
import { validateManifest } from '../support/validate-manifest.js';
import { checkEnvoyBootstrap, checkEnvoyMessage } from './envoy-proto-check.js';

const read = (...path: string[]): string => readFileSync(join(repoRoot, ...path), 'utf8');

interface AccessLog {
  name: string;
  filter: unknown;
  typed_config: {
    '@type': string;
    common_config: Record<string, unknown>;
    additional_request_headers_to_log: string[];
  };
}

function accessLogs(bootstrap: unknown): AccessLog[] {
  const found: AccessLog[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'access_log') found.push(...(child as AccessLog[]));
        else walk(child);
      }
    }
  };
  walk(bootstrap);
  return found;
}

describe('deploy/envoy dedup wiring', () => {
  const bootstrap = parse(read('deploy', 'envoy', 'envoy.yaml')) as unknown;

  it('streams the HTTP access log of requests carrying a delivery key to pps-gate over gRPC, with the key header logged', () => {
    expect(checkEnvoyBootstrap(bootstrap)).toEqual([]);
    const [log, ...others] = accessLogs(bootstrap);
    expect(others).toEqual([]);
    expect(log).toMatchObject({
      name: 'envoy.access_loggers.http_grpc',
      filter: { header_filter: { header: { name: 'x-pps-delivery-key', present_match: true } } },
      typed_config: {
        '@type':
          'type.googleapis.com/envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig',
        common_config: {
          transport_api_version: 'V3',
          grpc_service: { envoy_grpc: { cluster_name: 'pps_gate' } },
        },
        additional_request_headers_to_log: ['x-pps-delivery-key'],
      },
    });
  }, 60_000);

  it('keeps the upstream route timeout below the default 60 s lease', () => {
    expect(JSON.stringify(bootstrap)).toContain('"route":{"cluster":"app","timeout":"30s"}');
  });

  it('ships topic routes that are a valid RouteConfiguration sending each X-Pps-Topic to its own cluster', () => {
    const routes = parse(read('deploy', 'envoy', 'topic-routes.yaml')) as {
      virtual_hosts: { routes: { match: { headers?: unknown[] }; route: { cluster: string } }[] }[];
    };
    expect(checkEnvoyMessage(routes, 'envoy.config.route.v3.RouteConfiguration')).toEqual([]);
    const table = routes.virtual_hosts[0]!.routes.map((r) => [r.match.headers, r.route.cluster]);
    expect(table).toEqual([
      [undefined, 'app'],
      [[{ name: 'x-pps-topic', string_match: { prefix: 'orders/' } }], 'orders'],
      [[{ name: 'x-pps-topic', string_match: { exact: 'invoices/issued' } }], 'invoices'],
      [undefined, 'app'],
    ]);
  }, 60_000);

  it('reports a misspelt field in the topic routes', () => {
    const broken = parse(
      read('deploy', 'envoy', 'topic-routes.yaml').replace('string_match:', 'string_matcher:'),
    );
    expect(
      checkEnvoyMessage(broken, 'envoy.config.route.v3.RouteConfiguration').join('\n'),
    ).toMatch(/string_matcher: unknown field in envoy\.config\.route\.v3\.HeaderMatcher/);
  }, 60_000);
});

describe('deploy/istio dedup wiring', () => {
  it('registers an envoyHttpAls provider on pps-gate’s gRPC port that logs the delivery key header', () => {
    const mesh = parse(read('deploy', 'istio', 'mesh-config.yaml'));
    const providers = mesh.meshConfig.extensionProviders as Record<string, unknown>[];
    const authz = providers.find((p) => p.name === 'pps-gate') as {
      envoyExtAuthzGrpc: { service: string; port: number };
    };
    expect(providers.find((p) => p.name === 'pps-gate-deliveries')).toEqual({
      name: 'pps-gate-deliveries',
      envoyHttpAls: {
        service: authz.envoyExtAuthzGrpc.service,
        port: authz.envoyExtAuthzGrpc.port,
        logName: 'pps-gate-deliveries',
        additionalRequestHeadersToLog: ['x-pps-delivery-key'],
      },
    });
  });

  it('turns the access log on with a valid Telemetry for the workload the CUSTOM policy protects', async () => {
    const [telemetry] = parseManifests(read('deploy', 'istio', 'telemetry.yaml'));
    const [policy] = parseManifests(read('deploy', 'istio', 'authorization-policy.yaml'));
    expect(await validateManifest(telemetry!)).toEqual([]);
    expect(telemetry!.spec).toEqual({
      selector: (policy!.spec as { selector: unknown }).selector,
      accessLogging: [{ providers: [{ name: 'pps-gate-deliveries' }] }],
    });
  });

  it('routes by X-Pps-Topic with a valid VirtualService', async () => {
    const [service] = parseManifests(read('deploy', 'istio', 'virtual-service-topics.yaml'));
    expect(await validateManifest(service!)).toEqual([]);
    const http = (
      service!.spec as { http: { match?: unknown[]; route: { destination: { host: string } }[] }[] }
    ).http;
    expect(http.map((r) => [r.match, r.route[0]!.destination.host])).toEqual([
      [
        [{ headers: { 'x-pps-topic': { prefix: 'orders/' } } }],
        'orders.payments.svc.cluster.local',
      ],
      [
        [{ headers: { 'x-pps-topic': { exact: 'invoices/issued' } } }],
        'invoices.payments.svc.cluster.local',
      ],
      [undefined, 'webhook-receiver.payments.svc.cluster.local'],
    ]);
  });
});
