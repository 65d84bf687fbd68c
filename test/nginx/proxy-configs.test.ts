// The configs for the proxies this suite cannot run (Traefik, Envoy HTTP mode) agree with what
// pps-gate sends and expects: the identity header names, the path prefix, the fail-closed
// settings, and a valid Envoy Bootstrap.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ENVOY_PATH_PREFIX } from '../../src/transport/http/original-request.js';
import { DEDUP_MARK_HEADERS, IDENTITY_HEADERS } from '../../src/pipeline/headers-to-remove.js';
import { checkEnvoyBootstrap } from '../deploy/envoy-proto-check.js';
import { FORGED_RESERVED_HEADERS } from '../support/reserved-headers.js';

/** What pps-gate sets on a forward-auth allow: the identity and the dedup marks. */
const ALLOW_HEADERS = [...IDENTITY_HEADERS, ...DEDUP_MARK_HEADERS];

const deploy = (path: string): string =>
  readFileSync(fileURLToPath(new URL(`../../deploy/${path}`, import.meta.url)), 'utf8');
const lower = (names: readonly string[]): string[] => names.map((n) => n.toLowerCase()).sort();

interface ForwardAuth {
  address: string;
  trustForwardHeader: boolean;
  authRequestHeaders: string[];
  authResponseHeaders: string[];
  authResponseHeadersRegex: string;
}

describe('deploy/traefik', () => {
  const file = parse(deploy('traefik/dynamic.yml')) as {
    http: {
      routers: Record<string, { middlewares: string[] }>;
      middlewares: Record<
        string,
        {
          forwardAuth?: ForwardAuth;
          chain?: { middlewares: string[] };
          headers?: { customRequestHeaders: Record<string, string> };
        }
      >;
    };
  };
  const crds = parseAllDocuments(deploy('traefik/middleware.yaml')).map(
    (d) => d.toJS() as { kind: string; metadata: { name: string }; spec: Record<string, unknown> },
  );

  it("copies exactly pps-gate's identity headers and dedup marks upstream and sends it the webhook headers", () => {
    for (const forwardAuth of [
      file.http.middlewares['pps-gate-check']!.forwardAuth!,
      crds.find((c) => c.metadata.name === 'pps-gate-check')!.spec.forwardAuth as ForwardAuth,
    ]) {
      expect(lower(forwardAuth.authResponseHeaders)).toEqual(lower(ALLOW_HEADERS));
      expect(lower(forwardAuth.authRequestHeaders)).toEqual(
        lower([
          'authorization',
          'x-pps-topic',
          'x-pps-tenant-id',
          'x-pps-webhook-id',
          'x-pps-triggered-at',
          'x-request-id',
        ]),
      );
      expect(forwardAuth.trustForwardHeader).toBe(false);
      expect(forwardAuth.address).toMatch(/^http:\/\/[^/]+:9292\//);
    }
  });

  it('strips every forged reserved header (both spellings) and only those, through authResponseHeadersRegex', () => {
    for (const forwardAuth of [
      file.http.middlewares['pps-gate-check']!.forwardAuth!,
      crds.find((c) => c.metadata.name === 'pps-gate-check')!.spec.forwardAuth as ForwardAuth,
    ]) {
      // Go's RE2 takes (?i) inline; JavaScript takes the same as a flag.
      const source = forwardAuth.authResponseHeadersRegex.replace('(?i)', '');
      expect(forwardAuth.authResponseHeadersRegex).toContain('(?i)');
      const regex = new RegExp(source, 'i');
      // Go canonicalizes header keys (X-Pps-Auth-Role, X_pps_auth_role) before matching.
      const forged = Object.keys(FORGED_RESERVED_HEADERS);
      for (const name of [...forged, ...IDENTITY_HEADERS, 'X_pps_auth_role'])
        expect(regex.test(name), name).toBe(true);
      for (const name of [...forwardAuth.authRequestHeaders, 'X-Pps-Gate-Reason', 'X-Pps-Auth'])
        expect(regex.test(name), name).toBe(false);
    }
  });

  it('checks before it strips the token, on the webhook router', () => {
    expect(file.http.routers.webhooks!.middlewares).toEqual(['pps-gate']);
    expect(file.http.middlewares['pps-gate']!.chain!.middlewares).toEqual([
      'pps-gate-check',
      'pps-gate-strip-token',
    ]);
    expect(file.http.middlewares['pps-gate-strip-token']!.headers!.customRequestHeaders).toEqual({
      Authorization: '',
    });
    const chain = crds.find((c) => c.metadata.name === 'pps-gate')!.spec.chain as {
      middlewares: { name: string }[];
    };
    expect(chain.middlewares.map((m) => m.name)).toEqual([
      'pps-gate-check',
      'pps-gate-strip-token',
    ]);
  });
});

describe('deploy/envoy-http/envoy.yaml', () => {
  const bootstrap = parse(deploy('envoy-http/envoy.yaml')) as unknown;
  const extAuthz = JSON.stringify(bootstrap);

  it('is a valid envoy.config.bootstrap.v3.Bootstrap', () => {
    expect(checkEnvoyBootstrap(bootstrap)).toEqual([]);
  }, 60_000);

  it('uses the path prefix pps-gate strips, copies exactly the identity headers and dedup marks and fails closed', () => {
    expect(extAuthz).toContain(`"path_prefix":"${ENVOY_PATH_PREFIX}"`);
    const upstream = /"allowed_upstream_headers":\{"patterns":(\[[^\]]*\])/.exec(extAuthz)![1]!;
    expect(lower((JSON.parse(upstream) as { exact: string }[]).map((p) => p.exact))).toEqual(
      lower(ALLOW_HEADERS),
    );
    expect(extAuthz).toContain('"failure_mode_allow":false');
    expect(extAuthz).toContain('"status_on_error":{"code":"ServiceUnavailable"}');
    expect(extAuthz).toContain('{"prefix":"x-pps-"}');
    expect(extAuthz).not.toContain('with_request_body');
  });

  it('rejects header names with underscores before they reach pps-gate or the app', () => {
    expect(extAuthz).toContain(
      '"common_http_protocol_options":{"headers_with_underscores_action":"REJECT_REQUEST"}',
    );
  });
});
