// End to end with the real nginx: webhook sender -> nginx (auth_request, using the snippets in
// deploy/nginx/ verbatim) -> pps-gate's HTTP forward-auth port -> the webhook app.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASONS } from '../../src/errors/reasons.js';
import { FORGED_RESERVED_HEADERS, reservedHeadersIn } from '../support/reserved-headers.js';
import { claimsOf, webhookHeaders, withClaimsReplaced } from '../support/webhook-fixtures.js';
import { startCountingRelay, type CountingRelay } from './counting-relay.js';
import {
  sendWebhook as send,
  startGateFixture,
  type Answer,
  type GateFixture,
} from './gate-fixture.js';
import { findNginx, freePort, startNginx, type NginxProcess } from './nginx-process.js';

const DEPLOY = fileURLToPath(new URL('../../deploy/nginx/', import.meta.url));

let f: GateFixture;
let relay: CountingRelay;
let nginx: NginxProcess & { ports: number[] };

function server(port: number, serverSnippet: string): string {
  return `  server {
    listen 127.0.0.1:${port};
    client_max_body_size 8m;
    include ${serverSnippet};
    location / {
      include ${join(DEPLOY, 'pps-gate-protect.conf')};
      proxy_pass http://webhook_app;
    }
  }`;
}

/** deploy/nginx/pps-gate-server.conf with its auth calls sent to another upstream. */
function serverSnippetFor(dir: string, upstream: string): string {
  const path = join(dir, `pps-gate-server-${upstream}.conf`);
  const text = readFileSync(join(DEPLOY, 'pps-gate-server.conf'), 'utf8');
  if (!text.includes('proxy_pass http://pps_gate;'))
    throw new Error('pps-gate-server.conf no longer proxies to http://pps_gate');
  writeFileSync(
    path,
    text.replace('proxy_pass http://pps_gate;', `proxy_pass http://${upstream};`),
  );
  return path;
}

function httpBlock(dir: string, [live, dead, counted]: number[], deadGate: number): string {
  return [
    `  include ${join(DEPLOY, 'pps-gate-http.conf')};`,
    `  upstream pps_gate { server 127.0.0.1:${f.gate.httpPort}; keepalive 8; }`,
    `  upstream pps_gate_dead { server 127.0.0.1:${deadGate}; }`,
    `  upstream pps_gate_counted { server 127.0.0.1:${relay.port}; }`,
    `  upstream webhook_app { server 127.0.0.1:${f.app.port}; }`,
    server(live!, join(DEPLOY, 'pps-gate-server.conf')),
    // The same config pointed at a port where nothing listens.
    server(dead!, serverSnippetFor(dir, 'pps_gate_dead')),
    // The same config with a relay that records what the auth call carries on the wire.
    server(counted!, serverSnippetFor(dir, 'pps_gate_counted')),
  ].join('\n');
}

const viaNginx = (headers: Record<string, string>, body?: Uint8Array): Promise<Answer> =>
  send(nginx.ports[0]!, headers, body);

beforeAll(async () => {
  f = await startGateFixture('nginx-e2e');
  const deadGate = await freePort();
  relay = await startCountingRelay(f.gate.httpPort);
  nginx = await startNginx(3, (dir, ports) => httpBlock(dir, ports, deadGate));
});

afterAll(async () => {
  await nginx?.stop();
  await relay?.close();
  await f?.close();
});

/** What pps-gate itself answers for the same headers, without nginx in between. */
async function direct(headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${f.gate.httpPort}/webhooks/orders`, {
    method: 'POST',
    headers,
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

describe('nginx auth_request in front of pps-gate (deploy/nginx)', () => {
  it('delivers a valid webhook with the verified x-pps-auth-* headers and without Authorization', async () => {
    const token = await f.good.sign();
    const before = f.app.received.length;
    const answer = await viaNginx(webhookHeaders(token));
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('{"processed":true}');
    expect(f.app.received).toHaveLength(before + 1);
    const seen = f.app.received[before]!;
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/webhooks/orders?attempt=1');
    expect(seen.headers['x-pps-auth-issuer']).toBe(f.good.issuer);
    expect(seen.headers['x-pps-auth-subject']).toBe(claimsOf(token).sub);
    expect(seen.headers['x-pps-auth-audience']).toBe(f.good.audience);
    expect(seen.headers['x-pps-auth-claims']).toBe(token.split('.')[1]);
    expect(seen.headers['x-pps-topic']).toBe('orders/placed');
    expect(seen.headers.authorization).toBeUndefined();
  });

  it("logs the original method and path from nginx, whatever other proxies' headers the sender adds", async () => {
    const webhookId = crypto.randomUUID();
    await viaNginx(
      webhookHeaders(await f.good.sign(), {
        'x-pps-webhook-id': webhookId,
        'x-forwarded-uri': '/spoofed',
        'x-original-url': 'http://evil.example/spoofed',
      }),
    );
    const report = f.reportFor(webhookId)!;
    expect(report.request?.method).toBe('POST');
    expect(report.request?.path).toBe('/webhooks/orders?attempt=1');
    expect(report.decision.allowed).toBe(true);
  });

  it('never lets a sender-supplied x-pps-auth-subject or x-pps-auth-issuer reach the upstream', async () => {
    const token = await f.good.sign();
    const before = f.app.received.length;
    const answer = await viaNginx(
      webhookHeaders(token, {
        'x-pps-auth-subject': 'admin',
        'x-pps-auth-issuer': 'https://evil.example',
      }),
    );
    expect(answer.status).toBe(200);
    const seen = f.app.received[before]!;
    expect(seen.headers['x-pps-auth-subject']).toBe(claimsOf(token).sub);
    expect(seen.headers['x-pps-auth-issuer']).toBe(f.good.issuer);
    expect(JSON.stringify(seen.headers)).not.toContain('admin');
  });

  it('clears every reserved header a sender forges (x-pps-auth-*, delivery headers, underscore spellings) before the auth call and the upstream', async () => {
    const token = await f.good.sign();
    const webhookId = crypto.randomUUID();
    const before = f.app.received.length;
    const answer = await viaNginx(
      webhookHeaders(token, { 'x-pps-webhook-id': webhookId, ...FORGED_RESERVED_HEADERS }),
    );
    expect(answer.status).toBe(200);
    const seen = f.app.received[before]!;
    // Only pps-gate's own headers: the verified identity and, since issue 11, the dedup marks
    // of this first delivery (no x-pps-duplicate on a first one), never the forged values.
    expect(reservedHeadersIn(seen.headers)).toEqual({
      'x-pps-auth-issuer': f.good.issuer,
      'x-pps-auth-subject': claimsOf(token).sub,
      'x-pps-auth-audience': f.good.audience,
      'x-pps-auth-claims': token.split('.')[1],
      'x-pps-delivery-count': '1',
      'x-pps-first-seen-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
    });
    expect(Date.parse(seen.headers['x-pps-first-seen-at'] as string)).toBeGreaterThan(
      Date.now() - 60_000,
    );
    expect(JSON.stringify(seen.headers)).not.toContain('forged');
    // pps-gate never saw them either: headers-more clears them before auth_request runs.
    expect(reservedHeadersIn(f.reportFor(webhookId)!.request!.headers)).toEqual({});
  });

  const now = (): number => Math.floor(Date.now() / 1000);
  const denials: [string, () => Promise<Record<string, string>>, keyof typeof REASONS][] = [
    ['no token', () => Promise.resolve(webhookHeaders(undefined)), 'missing_token'],
    [
      'an expired token',
      async () =>
        webhookHeaders(await f.good.sign({ claims: { iat: now() - 7200, exp: now() - 3600 } })),
      'token_expired',
    ],
    [
      'a token for another audience',
      async () => webhookHeaders(await f.good.sign({ claims: { aud: 'another-project' } })),
      'invalid_audience',
    ],
    [
      'a token from an untrusted issuer',
      async () => webhookHeaders(await f.stranger.sign()),
      'untrusted_issuer',
    ],
    [
      'a payload changed after signing',
      async () => webhookHeaders(withClaimsReplaced(await f.good.sign(), (c) => (c.sub = 'admin'))),
      'invalid_signature',
    ],
    [
      'a webhook id that is not a UUID',
      async () => webhookHeaders(await f.good.sign(), { 'x-pps-webhook-id': 'not-a-uuid' }),
      'invalid_webhook_headers',
    ],
    [
      'an unparseable triggered-at',
      async () => webhookHeaders(await f.good.sign(), { 'x-pps-triggered-at': 'yesterday' }),
      'invalid_webhook_headers',
    ],
  ];

  it.each(denials)(
    "answers %s with pps-gate's own status and JSON body, and the upstream sees nothing",
    async (_name, headersOf, reason) => {
      const headers = await headersOf();
      const expected = await direct(headers);
      expect(expected.status).toBe(REASONS[reason].httpStatus);
      const before = f.app.received.length;
      const answer = await viaNginx(headers);
      expect(answer.status).toBe(REASONS[reason].httpStatus);
      expect(answer.headers.get('content-type')).toBe('application/json');
      expect(answer.headers.get('x-pps-gate-reason')).toBe(reason);
      expect(JSON.parse(answer.body)).toMatchObject({ reason });
      expect(answer.body).toBe(expected.body);
      expect(f.app.received).toHaveLength(before);
    },
  );

  it('passes the dedup marks of a repeated delivery upstream, and never a sender-supplied copy of them', async () => {
    const token = await f.good.sign();
    const id = crypto.randomUUID();
    const spoofed = {
      'x-pps-webhook-id': id,
      'x-pps-duplicate': 'false',
      'x-pps-delivery-count': '99',
      'x-pps-delivery-key': 'f'.repeat(64),
      'x-pps-dedup': 'off',
    };
    const before = f.app.received.length;
    expect((await viaNginx(webhookHeaders(token, spoofed))).status).toBe(200);
    expect((await viaNginx(webhookHeaders(token, spoofed))).status).toBe(200);
    const [first, second] = f.app.received.slice(before).map((r) => r.headers);
    expect(first).toMatchObject({ 'x-pps-delivery-count': '1' });
    expect(first!['x-pps-duplicate']).toBeUndefined();
    expect(second).toMatchObject({ 'x-pps-delivery-count': '2', 'x-pps-duplicate': 'true' });
    for (const seen of [first!, second!]) {
      expect(seen['x-pps-first-seen-at']).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(seen['x-pps-delivery-key']).toBeUndefined();
      expect(seen['x-pps-dedup']).toBeUndefined();
    }
  });

  it("turns an issuer outage (pps-gate 503) into a retryable 503 with Retry-After, not nginx's 500", async () => {
    const before = f.app.received.length;
    const answer = await viaNginx(webhookHeaders(await f.down.sign()));
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(answer.headers.get('x-pps-gate-reason')).toBe('keys_unavailable');
    expect(JSON.parse(answer.body)).toEqual({
      error: REASONS.keys_unavailable.message,
      reason: 'keys_unavailable',
    });
    expect(f.app.received).toHaveLength(before);
  });

  it('answers a retryable 503 with Retry-After when pps-gate does not answer at all', async () => {
    const before = f.app.received.length;
    const answer = await send(nginx.ports[1]!, webhookHeaders(await f.good.sign()));
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('5');
    expect(JSON.parse(answer.body)).toMatchObject({ reason: 'gate_unreachable' });
    expect(f.app.received).toHaveLength(before);
  });

  it('passes a 1 MiB body to the upstream byte for byte, and the auth call carries none of it', async () => {
    const body = randomBytes(1024 * 1024);
    const webhookId = crypto.randomUUID();
    const before = f.app.received.length;
    const answer = await send(
      nginx.ports[2]!,
      webhookHeaders(await f.good.sign(), {
        'content-type': 'application/octet-stream',
        'x-pps-webhook-id': webhookId,
      }),
      body,
    );
    expect(answer.status).toBe(200);
    const seen = f.app.received[before]!;
    expect(seen.bodyBytes).toBe(body.length);
    expect(seen.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
    const call = relay.calls.find((c) => c.webhookId === webhookId)!;
    expect(call).toMatchObject({
      bodyBytes: 0,
      contentLength: undefined,
      transferEncoding: undefined,
    });
    const report = f.reportFor(webhookId)!;
    expect(report.decision.allowed).toBe(true);
  });

  it('ships a complete deploy/nginx/nginx.conf that nginx -t accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pps-gate-nginx-t-'));
    try {
      const result = spawnSync(
        findNginx(),
        [
          '-t',
          '-e',
          'stderr',
          '-p',
          dir,
          '-c',
          join(DEPLOY, 'nginx.conf'),
          '-g',
          `pid ${dir}/nginx.pid;`,
        ],
        { encoding: 'utf8', timeout: 10_000 },
      );
      expect(result.stderr).toContain('test is successful');
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
