// deploy/ingress-nginx through the real nginx binary: its annotations rendered the way
// ingress-nginx's nginx.tmpl renders an auth-url location (auth subrequest headers, one
// auth_request_set + proxy_set_header pair per auth-response-headers entry, the snippets where
// the template puts them). No controller runs here; the template's shape is reproduced.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASONS } from '../../src/errors/reasons.js';
import { claimsOf, webhookHeaders } from '../support/webhook-fixtures.js';
import { sendWebhook, startGateFixture, type GateFixture } from './gate-fixture.js';
import { startNginx, type NginxProcess } from './nginx-process.js';

const DEPLOY = fileURLToPath(new URL('../../deploy/ingress-nginx/', import.meta.url));

type Annotations = Record<string, string | undefined>;

function annotationsOf(file: string): Annotations {
  const ingress = parseAllDocuments(readFileSync(`${DEPLOY}${file}`, 'utf8')).map(
    (d) => d.toJS() as { kind: string; metadata: { annotations: Annotations } },
  );
  return ingress.find((o) => o.kind === 'Ingress')!.metadata.annotations;
}

const controllerConfig = (): Record<string, string> =>
  (
    parse(readFileSync(`${DEPLOY}controller-configmap.yaml`, 'utf8')) as {
      data: Record<string, string>;
    }
  ).data;

/** One server as nginx.tmpl renders an Ingress path with these annotations. */
function renderedServer(port: number, gatePort: number, a: Annotations): string {
  const authUrl = new URL(a['nginx.ingress.kubernetes.io/auth-url']!);
  const responseHeaders = (a['nginx.ingress.kubernetes.io/auth-response-headers'] ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const responseLines = responseHeaders.flatMap((h, i) => [
    `auth_request_set $authHeader${i} $upstream_http_${h.toLowerCase().replaceAll('-', '_')};`,
    `proxy_set_header '${h}' $authHeader${i};`,
  ]);
  return `  server {
    listen 127.0.0.1:${port};
    client_max_body_size 8m;
    ${a['nginx.ingress.kubernetes.io/server-snippet'] ?? ''}
    location = /_external-auth-webhooks {
      internal;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Forwarded-Proto "";
      proxy_set_header X-Request-ID $request_id;
      proxy_set_header Host ${authUrl.host};
      proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
      proxy_set_header X-Original-Method $request_method;
      proxy_set_header X-Sent-From "nginx-ingress-controller";
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Auth-Request-Redirect $request_uri;
      proxy_http_version 1.1;
      proxy_pass http://127.0.0.1:${gatePort}${authUrl.pathname};
    }
    location /webhooks/ {
      auth_request /_external-auth-webhooks;
      auth_request_set $auth_cookie $upstream_http_set_cookie;
      add_header Set-Cookie $auth_cookie;
      ${responseLines.join('\n      ')}
      proxy_set_header Host $http_host;
      proxy_set_header X-Request-ID $request_id;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header Proxy "";
      ${a['nginx.ingress.kubernetes.io/configuration-snippet'] ?? ''}
      proxy_pass http://webhook_app;
    }
  }`;
}

let f: GateFixture;
let nginx: NginxProcess & { ports: number[] };
const plain = (headers: Record<string, string>) => sendWebhook(nginx.ports[0]!, headers);
const withSnippets = (headers: Record<string, string>) => sendWebhook(nginx.ports[1]!, headers);

beforeAll(async () => {
  f = await startGateFixture('ingress-nginx');
  nginx = await startNginx(2, (_dir, [plainPort, snippetPort]) =>
    [
      `  upstream webhook_app { server 127.0.0.1:${f.app.port}; }`,
      controllerConfig()['http-snippet']!,
      renderedServer(plainPort!, f.gate.httpPort, annotationsOf('ingress.yaml')),
      renderedServer(snippetPort!, f.gate.httpPort, annotationsOf('ingress-with-snippets.yaml')),
    ].join('\n'),
  );
});

afterAll(async () => {
  await nginx?.stop();
  await f?.close();
});

describe('deploy/ingress-nginx/ingress.yaml (no snippets)', () => {
  it('delivers a valid webhook with the verified identity and the token removed', async () => {
    const token = await f.good.sign();
    const webhookId = crypto.randomUUID();
    const before = f.app.received.length;
    const answer = await plain(webhookHeaders(token, { 'x-pps-webhook-id': webhookId }));
    expect(answer.status).toBe(200);
    const seen = f.app.received[before]!;
    expect(seen.headers).toMatchObject({
      'x-pps-auth-issuer': f.good.issuer,
      'x-pps-auth-subject': claimsOf(token).sub,
      'x-pps-auth-audience': f.good.audience,
      'x-pps-auth-claims': token.split('.')[1],
    });
    expect(seen.headers.authorization).toBeUndefined();
    // pps-gate judged (and logs) the original request from X-Original-URL and X-Original-Method.
    expect(f.reportFor(webhookId)!.request).toMatchObject({
      method: 'POST',
      path: '/webhooks/orders?attempt=1',
    });
  });

  it("refuses a forged reserved header at pps-gate (400 reserved_header, nginx's 500 without snippets), and the upstream sees nothing", async () => {
    const webhookId = crypto.randomUUID();
    const before = f.app.received.length;
    const answer = await plain(
      webhookHeaders(await f.good.sign(), {
        'x-pps-webhook-id': webhookId,
        'X-Pps-Auth-Role': 'admin',
      }),
    );
    expect(answer.status).toBe(500);
    expect(f.reportFor(webhookId)!.decision).toMatchObject({ reason: 'reserved_header' });
    expect(f.app.received).toHaveLength(before);
  });

  it('answers a bad token with 403 and the upstream sees nothing', async () => {
    const before = f.app.received.length;
    const answer = await plain(webhookHeaders(await f.stranger.sign()));
    expect(answer.status).toBe(403);
    expect(f.app.received).toHaveLength(before);
  });

  it("still answers an issuer outage with a 5xx, though nginx's 500 replaces pps-gate's 503 and Retry-After", async () => {
    const before = f.app.received.length;
    const answer = await plain(webhookHeaders(await f.down.sign()));
    expect(answer.status).toBe(500);
    expect(answer.headers.get('retry-after')).toBeNull();
    expect(f.app.received).toHaveLength(before);
  });
});

describe('deploy/ingress-nginx/ingress-with-snippets.yaml', () => {
  it("answers a bad token with pps-gate's 403 JSON body", async () => {
    const answer = await withSnippets(webhookHeaders(undefined));
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({
      error: REASONS.missing_token.message,
      reason: 'missing_token',
    });
  });

  it("answers bad webhook headers with pps-gate's 400, not nginx's 500", async () => {
    const answer = await withSnippets(
      webhookHeaders(await f.good.sign(), { 'x-pps-webhook-id': 'nope' }),
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({
      error: 'X-Pps-Webhook-Id must be one UUID',
      reason: 'invalid_webhook_headers',
    });
  });

  it('answers an issuer outage with a retryable 503 and Retry-After', async () => {
    const before = f.app.received.length;
    const answer = await withSnippets(webhookHeaders(await f.down.sign()));
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(JSON.parse(answer.body)).toMatchObject({ reason: 'keys_unavailable' });
    expect(f.app.received).toHaveLength(before);
  });

  it("answers a forged reserved header with pps-gate's 400 reserved_header, and the upstream sees nothing", async () => {
    for (const forged of [{ 'X-Pps-Auth-Role': 'admin' }, { 'X-Pps-Delivery-Attempt': '1' }]) {
      const before = f.app.received.length;
      const answer = await withSnippets(webhookHeaders(await f.good.sign(), forged));
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ reason: 'reserved_header' });
      expect(f.app.received).toHaveLength(before);
    }
  });

  it('still delivers a valid webhook without the token', async () => {
    const before = f.app.received.length;
    expect((await withSnippets(webhookHeaders(await f.good.sign()))).status).toBe(200);
    expect(f.app.received[before]!.headers.authorization).toBeUndefined();
  });
});
